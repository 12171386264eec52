using Takt.Definitions;
using Takt.Engine;

namespace Takt.Ingest;

/// <summary>
/// The rows of one source box in a DuckDB session, as the view or table <see cref="Table"/> with the extract's columns
/// (<see cref="LandingRead"/>), plus what its files said beyond their rows: lines DuckDB rejected, files that could
/// not be read, and for split files the rows that fall in no box (<see cref="Unplaced"/>).
/// </summary>
internal sealed class BoxRows
{
    public const string Table = "__box_rows";
    public const string Unplaced = "__box_unplaced";
    private const string ReadTable = "__box_read";

    private readonly Dictionary<string, LineMap> _lines = new(StringComparer.Ordinal);

    private BoxRows(Dataset dataset) => Dataset = dataset;

    public Dataset Dataset { get; }

    /// <summary>Lines DuckDB rejected and files it could not read: malformed, and never a row.</summary>
    public List<MalformedLine> Rejected { get; } = [];

    /// <summary>The columns the files have (CSV headers, Parquet schemas), or null for JSON lines, whose lines say it row by row.</summary>
    public IReadOnlyList<string>? Present { get; private set; }

    /// <summary>Whether <see cref="Unplaced"/> exists: the rows of this box's split files that fall in no box.</summary>
    public bool HasUnplaced { get; private set; }

    /// <summary>What the task log says about what was read.</summary>
    public List<string> Log { get; } = [];

    /// <summary>A row of a file and what is wrong with it, placed at its line.</summary>
    public MalformedLine At(string file, long row, string problem) =>
        _lines.TryGetValue(file, out var map) ? map.At(file, row, problem) : new MalformedLine(file, row, problem, "row");

    /// <summary><see cref="At(string, long, string)"/> for rows as DuckDB returns them: file, row number, problem.</summary>
    public MalformedLine At(object?[] row) => At((string)row[0]!, Convert.ToInt64(row[1], System.Globalization.CultureInfo.InvariantCulture), (string?)row[2] ?? "");

    /// <summary>Reads the files of a per-box source (each file belongs to this box alone) into a table of this session.</summary>
    public static BoxRows Read(DuckDbSession db, Dataset dataset, IReadOnlyList<(LandingFile File, LandingFacts Facts)> files)
    {
        var rows = new BoxRows(dataset) { Present = dataset.Source!.Format == LandingFormat.JsonLines ? null : [] };
        db.Execute($"{DropAll} CREATE TEMP TABLE {ReadTable} ({Schema(dataset)}); CREATE TEMP VIEW {Table} AS SELECT * FROM {ReadTable}");
        foreach (var (file, facts) in files)
        {
            try
            {
                var (read, lines, how) = LandingRead.Run(db, dataset, file, facts, withBox: false,
                    r => db.Execute($"INSERT INTO {ReadTable} BY NAME {r.Sql}"),
                    () => db.Execute($"DELETE FROM {ReadTable} WHERE {LandingRead.File} = $file", ("file", file.RelativePath)));
                rows.Add(lines, read.Present);
                if (how is not null) rows.Log.Add($"{file.RelativePath}: {how}");
            }
            catch (EngineException e)
            {
                rows.Rejected.Add(new MalformedLine(file.RelativePath, null, LandingRead.CannotRead(e)));
            }
        }
        return rows;
    }

    /// <summary>The rows of this box from the shared reads of split files, and their rows that fall in no box.</summary>
    /// <param name="filesOf">The Parquet files of a box's rows in an extract (see <see cref="LandingReads.FilesOf"/>).</param>
    public static BoxRows FromExtracts(DuckDbSession db, Dataset dataset, long box, IReadOnlyList<SplitExtract> extracts, IReadOnlyList<MalformedLine> unreadable,
        Func<SplitExtract, long, IReadOnlyList<string>> filesOf)
    {
        var rows = new BoxRows(dataset) { Present = dataset.Source!.Format == LandingFormat.JsonLines ? null : [] };
        rows.Rejected.AddRange(unreadable);
        var files = extracts.SelectMany(e => filesOf(e, box)).ToList();
        var unplaced = extracts.SelectMany(e => e.FilesOf(LandingRead.NoBox)).ToList();
        db.Execute(DropAll + (files.Count == 0
            ? $"CREATE TEMP TABLE {ReadTable} ({Schema(dataset)}); CREATE TEMP VIEW {Table} AS SELECT * FROM {ReadTable}"
            : $"CREATE TEMP VIEW {Table} AS {Parquet(files)}"));
        if (unplaced.Count > 0) db.Execute($"CREATE TEMP VIEW {Unplaced} AS {Parquet(unplaced)}");
        rows.HasUnplaced = unplaced.Count > 0;
        foreach (var extract in extracts) rows.Add(extract.Lines, extract.Present);
        rows.Log.AddRange(LogOf(extracts));
        rows.Log.AddRange(extracts.Where(x => x.OnlyInFinal(box)).Select(x =>
            $"the rows of this box in {x.File.RelativePath} were read from the file again: its shared read wrote them to this box's version file only"));
        return rows;
    }

    /// <summary>What the task log says about the shared reads of a box's split files.</summary>
    public static IEnumerable<string> LogOf(IReadOnlyList<SplitExtract> extracts)
    {
        foreach (var extract in extracts)
        {
            if (extract.NotKept is { } why) yield return why;
            if (!extract.Kept)
                yield return $"shared read of {extract.File.RelativePath}: {extract.Lines.Rows} row(s) in {extract.Boxes.Count} box(es), " +
                             $"{extract.Took.TotalSeconds:0.###} s (once for all its boxes{Finals(extract)}){(extract.How is null ? "" : "; " + extract.How)}";
        }
        var kept = extracts.Where(x => x.Kept).Select(x => x.File.RelativePath).ToList();
        if (kept.Count > 0)
            yield return $"read {extracts.Count - kept.Count} file(s) again; {kept.Count} from the kept split of {string.Join(", ", kept)}";
    }

    private static string Finals(SplitExtract extract)
    {
        var clean = extract.Counts?.Count(c => c.Key != LandingRead.NoBox && c.Value.IsClean) ?? 0;
        return clean == 0 ? "" : $"; of it {extract.FinalsTook.TotalSeconds:0.###} s counting every box and writing the version files of {clean} box(es) whose rows all read well";
    }

    /// <summary>What an earlier box task of this session left.</summary>
    private static string DropAll => $"DROP VIEW IF EXISTS {Table}; DROP VIEW IF EXISTS {Unplaced}; DROP TABLE IF EXISTS {ReadTable};";

    private static string Parquet(IReadOnlyList<string> files) => $"SELECT * FROM read_parquet({SqlText.FileList(files)}, hive_partitioning = false)";

    private void Add(ReadLines lines, IReadOnlyList<string>? present)
    {
        _lines[lines.File] = lines.Lines;
        Rejected.AddRange(lines.Rejected);
        if (Present is not null && present is not null) Present = Present.Union(present).ToList();
    }

    /// <summary>The extract's columns, for a table that may stay empty.</summary>
    private static string Schema(Dataset dataset) =>
        $"{LandingRead.File} VARCHAR, {LandingRead.Row} BIGINT" +
        string.Concat(dataset.Schema.Columns.Select(c => $", {SqlText.Identifier(c.Name)} {c.Type.SqlName}")) +
        $", {LandingRead.Syntax} VARCHAR, {LandingRead.Bad} VARCHAR[], {LandingRead.Values} VARCHAR, {LandingRead.Extra} VARCHAR[], {LandingRead.Absent} VARCHAR[]";
}
