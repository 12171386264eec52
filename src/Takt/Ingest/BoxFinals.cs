using System.Globalization;
using Takt.Definitions;
using Takt.Engine;

namespace Takt.Ingest;

/// <summary>
/// What the shared read of a split file writes beside its extract so that a box task whose rows all read well only
/// verifies and commits: every box's counts from one grouped query over the extract (rows, and rows with nothing wrong:
/// read, every value converted, no key undeclared or missing), and the final version file of every box, its declared
/// columns in file order, from one partitioned <c>COPY</c> (under <c>final/</c> of the extract's folder). A box task
/// uses its final file only when its counts say every row is clean and its file said nothing beyond its rows (no line
/// rejected, no row outside every box, its columns the declared ones); else it reads its rows from the extract and
/// checks them one by one as before (<see cref="BoxRows"/>, <see cref="SourceChecks"/>).
/// </summary>
internal static class BoxFinals
{
    private const string FinalFolder = "final";

    /// <summary>Rows with nothing to say about them: no syntax problem, every value converted, no key undeclared or missing.</summary>
    private static string Clean =>
        $"{LandingRead.Syntax} IS NULL AND {LandingRead.Bad} IS NULL AND {LandingRead.Extra} IS NULL AND {LandingRead.Absent} IS NULL";

    /// <summary>Writes the final files of the extract in <paramref name="folder"/> and returns every box's (rows, clean rows).</summary>
    public static IReadOnlyDictionary<long, BoxCounts> Write(DuckDbPool pool, DuckDbSession db, Dataset dataset, string folder)
    {
        var parts = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.parquet", SearchOption.AllDirectories) : [];
        if (parts.Length == 0) return new Dictionary<long, BoxCounts>();
        var extract = $"read_parquet({SqlText.Literal(Path.Combine(folder, LandingRead.Box + "=*", "*.parquet"))}, hive_partitioning = true, hive_types = {{'{LandingRead.Box}': BIGINT}})";
        var counts = db.Rows($"SELECT {LandingRead.Box}, count(*), count(*) FILTER (WHERE {Clean}) FROM {extract} GROUP BY {LandingRead.Box}")
            .ToDictionary(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture),
                r => new BoxCounts(Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture)));
        var clean = counts.Where(c => c.Key != LandingRead.NoBox && c.Value.IsClean).OrderBy(c => c.Key).ToList();
        if (clean.Count == 0) return counts;
        var declared = string.Join(", ", dataset.Schema.Columns.Select(c => SqlText.Identifier(c.Name)));
        // One file per box, its rows in file order as a box task writes them. A partitioned write keeps the order of its
        // input only on one thread (on more, each appends what it got, in no set order), so the boxes are cut into one
        // run of about equal rows per thread, each written by its own database on one thread, side by side.
        var groups = Groups(clean, db.Scalar<int>("SELECT current_setting('threads')"));
        Directory.CreateDirectory(Path.Combine(folder, FinalFolder)); // DuckDB creates the last level only
        Parallel.ForEach(groups.Select((boxes, i) => (boxes, i)), new ParallelOptions { MaxDegreeOfParallelism = groups.Count }, group =>
        {
            using var lease = pool.Rent(smallWork: true);
            var list = string.Join(", ", group.boxes.Select(b => b.ToString(CultureInfo.InvariantCulture)));
            lease.Session.Execute($"COPY (SELECT {declared}, {LandingRead.Box} FROM {extract} WHERE {LandingRead.Box} IN ({list}) ORDER BY {LandingRead.Box}, {LandingRead.Row}) " +
                $"TO {SqlText.Literal(Path.Combine(folder, FinalFolder, group.i.ToString(CultureInfo.InvariantCulture)))} (FORMAT parquet, PARTITION_BY ({LandingRead.Box}), COMPRESSION zstd)");
        });
        return counts;
    }

    /// <summary>The boxes cut into at most <paramref name="count"/> runs of about equal rows.</summary>
    private static List<List<long>> Groups(IReadOnlyList<KeyValuePair<long, BoxCounts>> boxes, int count)
    {
        var total = boxes.Sum(b => b.Value.Rows);
        var groups = new List<List<long>> { new() };
        long sum = 0;
        foreach (var (box, c) in boxes)
        {
            if (groups[^1].Count > 0 && groups.Count < count && sum >= total * groups.Count / count) groups.Add([]);
            groups[^1].Add(box);
            sum += c.Rows;
        }
        return groups;
    }

    /// <summary>The final version file of a box under an extract's root, or null when there is not exactly one.</summary>
    public static string? FileOf(string root, long box)
    {
        var finals = Path.Combine(root, FinalFolder);
        if (!Directory.Exists(finals)) return null;
        var name = $"{LandingRead.Box}={box.ToString(CultureInfo.InvariantCulture)}";
        var files = Directory.GetDirectories(finals).Select(g => Path.Combine(g, name)).Where(Directory.Exists)
            .SelectMany(d => Directory.GetFiles(d, "*.parquet")).ToList();
        return files.Count == 1 ? files[0] : null;
    }

    /// <summary>
    /// The final file of <paramref name="box"/> when the box's rows come from this one extract and every one of them is
    /// clean, so that the checks of ingest have nothing to find; else null (the box is read and checked row by row).
    /// </summary>
    public static string? Usable(Dataset dataset, SplitExtract extract, long box)
    {
        if (extract.Counts is not { } counts || extract.Root is null) return null;
        if (extract.Lines.Rejected.Count > 0 || counts.ContainsKey(LandingRead.NoBox)) return null;
        if (extract.Present is { } present && !SameColumns(dataset, present)) return null;
        return counts.TryGetValue(box, out var c) && c.IsClean && c.Rows > 0 ? FileOf(extract.Root, box) : null;
    }

    private static bool SameColumns(Dataset dataset, IReadOnlyList<string> present) =>
        present.Count == dataset.Schema.Columns.Count && dataset.Schema.Columns.All(c => present.Contains(c.Name));
}

/// <summary>The rows of a box in one split file, and how many of them are clean (see <see cref="BoxFinals"/>).</summary>
internal sealed record BoxCounts(long Rows, long Clean)
{
    public bool IsClean => Rows == Clean;
}
