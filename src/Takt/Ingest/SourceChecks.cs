using System.Globalization;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Engine;
using Takt.Ledger;

namespace Takt.Ingest;

/// <summary>
/// The checks every source box gets from its landing files, run in DuckDB over <see cref="BoxRows"/>: malformed lines
/// and values (<c>well_formed</c>), schema drift, rows whose time is outside the box (<c>in_box</c>, for per-box files
/// with a time column), and rows of split files that fall in no box (<c>split_by</c>, a warning). One aggregate query
/// counts everything; the first rows of a failed check, named by file and line, are looked up only when it failed.
/// </summary>
internal sealed class SourceChecks(DuckDbSession db, BoxRows rows)
{
    private const int SampleLines = 5;
    private Dataset Dataset => rows.Dataset;
    private LandingSource Source => Dataset.Source!;
    private IReadOnlyList<Column> Declared => Dataset.Schema.Columns;

    /// <summary>Which rows of <see cref="BoxRows.Table"/> become the version: read, and every value converted (or its column retyped, which drift reports).</summary>
    public string Kept { get; private set; } = $"{LandingRead.Syntax} IS NULL AND {LandingRead.Bad} IS NULL";

    /// <summary>Rows of this box read from its files (blank lines not counted).</summary>
    public long RowsIn { get; private set; }

    public List<CheckResult> Run(long box, out string? driftMessage)
    {
        var inBox = !Source.IsSplit && Source.TimeColumn is { } time && Dataset.Grain != Grain.Unpartitioned ? Outside(time, box) : null;
        var counts = Count(inBox);
        RowsIn = counts.Rows;
        var drift = Drift(counts);
        if (drift.Retyped.Count > 0)
            Kept = $"{LandingRead.Syntax} IS NULL AND ({LandingRead.Bad} IS NULL OR list_has_all([{string.Join(", ", drift.Retyped.Select(r => SqlText.Literal(r.Column)))}], {LandingRead.Bad}))";
        driftMessage = drift.IsEmpty ? null : drift.Describe();
        var checks = new List<CheckResult>
        {
            WellFormed(counts, drift.Retyped.Count > 0),
            new("schema_drift", "schema_drift", Source.SchemaDriftSeverity.ToString().ToLowerInvariant(), drift.IsEmpty, drift.Count, driftMessage ?? "ok"),
        };
        if (Source.IsSplit) checks.Add(Unplaced());
        else if (inBox is not null) checks.Add(InBox(Source.TimeColumn!, box, inBox, counts.OutsideBox));
        return checks;
    }

    /// <summary>
    /// The same checks for a split box whose rows were all clean when its file was read (<see cref="BoxFinals"/>): nothing
    /// malformed, no drift, no row outside every box; what <see cref="Run"/> finds for such a box.
    /// </summary>
    public static List<CheckResult> Clean(Dataset dataset) =>
    [
        new("well_formed", "well_formed", "block", true, 0, "ok"),
        new("schema_drift", "schema_drift", dataset.Source!.SchemaDriftSeverity.ToString().ToLowerInvariant(), true, 0, "ok"),
        new($"split_by({dataset.Source.SplitBy})", "split_by", "warn", true, 0, "ok"),
    ];

    /// <summary>The first rows matching a condition over the kept rows, located: "file line N; ...", or null when none.</summary>
    public string? Sample(string condition)
    {
        var found = Located($"SELECT {LandingRead.File}, {LandingRead.Row}, '' FROM {BoxRows.Table} WHERE {Kept} AND ({condition})");
        return found.Count == 0 ? null : string.Join("; ", found.Select(m => m.ToString().TrimEnd(' ', ':')));
    }

    private List<MalformedLine> Located(string query) => db.Rows($"{query} ORDER BY 1, 2 LIMIT {SampleLines}").Select(rows.At).ToList();

    private sealed record Counts(long Rows, long Objects, long SyntaxBad, long ValuesBad, long OutsideBox, IReadOnlyList<string> ExtraKeys,
        IReadOnlyList<long> Absent, IReadOnlyList<(long Failed, long Converted)> Typed);

    private IEnumerable<Column> TypedColumns => Declared.Where(c => c.Type != ColumnType.String);

    private Counts Count(string? outside)
    {
        static string Has(string list, string name) => $"list_contains({list}, {SqlText.Literal(name)})";
        var ok = $"{LandingRead.Syntax} IS NULL";
        var json = rows.Present is null;
        var aggregates = new List<string>
        {
            $"count(*) FILTER (WHERE {LandingRead.Syntax} IS DISTINCT FROM '{LandingRead.Blank}')",
            $"count(*) FILTER (WHERE {ok})",
            $"count(*) FILTER (WHERE {LandingRead.Syntax} <> '{LandingRead.Blank}')",
            $"count(*) FILTER (WHERE {ok} AND {LandingRead.Bad} IS NOT NULL)",
            outside is null ? "0" : $"count(*) FILTER (WHERE {ok} AND {LandingRead.Bad} IS NULL AND {outside})",
            json ? $"list_sort(list_distinct(flatten(list({LandingRead.Extra}) FILTER (WHERE {ok} AND {LandingRead.Extra} IS NOT NULL))))" : "[]::VARCHAR[]",
        };
        if (json) aggregates.AddRange(Declared.Select(c => $"count(*) FILTER (WHERE {ok} AND {Has(LandingRead.Absent, c.Name)})"));
        aggregates.AddRange(TypedColumns.Select(c => $"count(*) FILTER (WHERE {ok} AND {Has(LandingRead.Bad, c.Name)}), count({SqlText.Identifier(c.Name)}) FILTER (WHERE {ok})"));
        var r = db.Rows($"SELECT {string.Join(", ", aggregates)} FROM {BoxRows.Table}")[0];
        long At(int i) => Convert.ToInt64(r[i], CultureInfo.InvariantCulture);
        var absent = json ? Declared.Select((_, i) => At(6 + i)).ToList() : [];
        var typedStart = 6 + absent.Count;
        var typed = TypedColumns.Select((_, i) => (At(typedStart + 2 * i), At(typedStart + 2 * i + 1))).ToList();
        var extra = r[5] is IEnumerable<object?> keys ? keys.OfType<string>().ToList() : [];
        return new Counts(At(0), At(1), At(2), At(3), At(4), extra, absent, typed);
    }

    private CheckResult WellFormed(Counts counts, bool retyped)
    {
        var bad = retyped ? db.Scalar<long>($"SELECT count(*) FROM {BoxRows.Table} WHERE {LandingRead.Syntax} IS NULL AND NOT ({Kept})") : counts.ValuesBad;
        var unplaced = rows.HasUnplaced ? db.Scalar<long>($"SELECT count(*) FROM {BoxRows.Unplaced} WHERE {LandingRead.Syntax} <> '{LandingRead.Blank}'") : 0;
        var count = counts.SyntaxBad + bad + unplaced + rows.Rejected.Count;
        if (count == 0) return new CheckResult("well_formed", "well_formed", "block", true, 0, "ok");
        var relations = new List<string>
        {
            $"SELECT {LandingRead.File}, {LandingRead.Row}, coalesce({LandingRead.Syntax}, 'unreadable value(s): ' || {LandingRead.Values}) FROM {BoxRows.Table} " +
            $"WHERE {LandingRead.Syntax} IS DISTINCT FROM '{LandingRead.Blank}' AND NOT ({Kept})",
        };
        // Lines of split files that are no row at all belong to no box: every box of their files is stopped by them.
        if (rows.HasUnplaced)
            relations.Add($"SELECT {LandingRead.File}, {LandingRead.Row}, {LandingRead.Syntax} FROM {BoxRows.Unplaced} WHERE {LandingRead.Syntax} <> '{LandingRead.Blank}'");
        var samples = Located(string.Join(" UNION ALL ", relations)).Concat(rows.Rejected)
            .OrderBy(m => m.File, StringComparer.Ordinal).ThenBy(m => m.Line ?? 0).Take(SampleLines);
        return new CheckResult("well_formed", "well_formed", "block", false, count, $"{count} malformed row(s): {string.Join("; ", samples)}");
    }

    private CheckResult Unplaced()
    {
        var name = $"split_by({Source.SplitBy})";
        var count = rows.HasUnplaced ? db.Scalar<long>($"SELECT count(*) FROM {BoxRows.Unplaced} WHERE {LandingRead.Syntax} IS NULL") : 0;
        if (count == 0) return new CheckResult(name, "split_by", "warn", true, 0, "ok");
        var samples = Located($"SELECT {LandingRead.File}, {LandingRead.Row}, {SqlText.Literal("no " + Source.SplitBy)} FROM {BoxRows.Unplaced} WHERE {LandingRead.Syntax} IS NULL");
        return new CheckResult(name, "split_by", "warn", false, count,
            $"{count} row(s) have no readable {Source.SplitBy} and belong to no box: {string.Join("; ", samples)}");
    }

    /// <summary>A condition for rows whose time column is not an instant inside the box.</summary>
    private string Outside(string column, long box)
    {
        var name = SqlText.Identifier(column);
        var instant = Dataset.Schema.Find(column)!.Type == ColumnType.String ? ValueConversion.Strict(ColumnType.Timestamp, name) : $"CAST({name} AS TIMESTAMP)";
        return $"({name} IS NOT NULL AND ({instant} IS NULL OR {instant} < TIMESTAMP '{Instant(GrainMath.Start(Dataset.Grain, box))}' " +
               $"OR {instant} >= TIMESTAMP '{Instant(GrainMath.Start(Dataset.Grain, box + 1))}'))";
    }

    private CheckResult InBox(string column, long box, string outside, long count)
    {
        var check = $"in_box({column})";
        if (count == 0) return new CheckResult(check, "in_box", "block", true, 0, "ok");
        var samples = Located($"SELECT {LandingRead.File}, {LandingRead.Row}, {SqlText.Literal(column + "='")} || CAST({SqlText.Identifier(column)} AS VARCHAR) || '''' " +
                              $"FROM {BoxRows.Table} WHERE {Kept} AND {outside}");
        return new CheckResult(check, "in_box", "block", false, count,
            $"{count} row(s) with {column} outside the box [{Instant(GrainMath.Start(Dataset.Grain, box))}, {Instant(GrainMath.Start(Dataset.Grain, box + 1))}): " +
            string.Join("; ", samples));
    }

    private static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private SchemaDrift Drift(Counts counts)
    {
        List<string> added, removed;
        if (rows.Present is { } present)
        {
            added = present.Where(c => Dataset.Schema.Find(c) is null).ToList();
            removed = Declared.Where(c => !present.Contains(c.Name)).Select(c => c.Name).ToList();
        }
        else
        {
            added = counts.ExtraKeys.ToList();
            removed = Declared.Where((_, i) => counts.Objects > 0 && counts.Absent[i] == counts.Objects).Select(c => c.Name).ToList();
        }
        var retyped = TypedColumns.Zip(counts.Typed)
            .Where(x => !removed.Contains(x.First.Name) && x.Second.Failed > 0 && x.Second.Converted == 0)
            .Select(x => (x.First.Name, x.First.Type.SqlName)).ToList();
        return new SchemaDrift(added, removed, retyped);
    }

    private sealed record SchemaDrift(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<(string Column, string Type)> Retyped)
    {
        public bool IsEmpty => Count == 0;
        public int Count => Added.Count + Removed.Count + Retyped.Count;

        public string Describe() => string.Join("; ", new[]
        {
            Added.Count > 0 ? "column(s) added: " + string.Join(", ", Added) : null,
            Removed.Count > 0 ? "column(s) removed: " + string.Join(", ", Removed) : null,
            Retyped.Count > 0 ? "type changed: " + string.Join(", ", Retyped.Select(r => $"{r.Column} (no value reads as {r.Type})")) : null,
        }.Where(s => s is not null));
    }
}
