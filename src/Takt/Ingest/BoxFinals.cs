using System.Globalization;
using Takt.Definitions;
using Takt.Engine;
using Takt.Running;

namespace Takt.Ingest;

/// <summary>
/// What the shared read of a split file writes from its rows (a table of its DuckDB database, read once from the file):
/// every box's counts from one grouped query (rows, and rows with nothing wrong: read, every value converted, no key
/// undeclared or missing); the final version file of every clean box, its declared columns in file order (under
/// <c>final/</c> of the extract's folder), when the file said nothing beyond its rows (no line rejected, no row outside
/// every box, its columns the declared ones); and the extract, partitioned by box, of every other row. A box task uses
/// its final file(s) when every file of the box wrote one for it; else it reads its rows from the extract (a box whose
/// rows went to a final file only is read from its file again: <see cref="LandingReads.FilesOf"/>) and checks them one
/// by one (<see cref="BoxRows"/>, <see cref="SourceChecks"/>).
/// </summary>
internal static class BoxFinals
{
    private const string FinalFolder = "final";

    /// <summary>Rows with nothing to say about them: no syntax problem, every value converted, no key undeclared or missing.</summary>
    private static string Clean =>
        $"{LandingRead.Syntax} IS NULL AND {LandingRead.Bad} IS NULL AND {LandingRead.Extra} IS NULL AND {LandingRead.Absent} IS NULL";

    /// <summary>
    /// Writes the final files and the extract of the rows of <paramref name="file"/> in <paramref name="table"/> (see
    /// <see cref="SplitTable"/>) into <paramref name="folder"/>, and returns every box's (rows, clean rows).
    /// <paramref name="fileSaysMore"/>: lines were rejected or its columns are not the declared ones, so no box is clean.
    /// A write that fails (a full disk) is a <see cref="ProcessingException"/> naming the dataset, the file and why.
    /// </summary>
    public static IReadOnlyDictionary<long, BoxCounts> Write(DuckDbSession db, Dataset dataset, string file, SplitTable table, string folder, bool fileSaysMore)
    {
        var counts = db.Rows($"SELECT {LandingRead.Box}, count(*), count(*) FILTER (WHERE {Clean}) FROM {table.Name} GROUP BY {LandingRead.Box}")
            .ToDictionary(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture),
                r => new BoxCounts(Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture)));
        var clean = fileSaysMore || counts.ContainsKey(LandingRead.NoBox) ? []
            : counts.Where(c => c.Value.IsClean).OrderBy(c => c.Key).ToList();
        try
        {
            if (clean.Count < counts.Count)
            {
                var rest = clean.Count == 0 ? "" : $" WHERE {LandingRead.Box} NOT IN ({List(clean.Select(c => c.Key))})";
                db.Execute($"COPY (SELECT {table.Extract(file)} FROM {table.Name}{rest}) TO {SqlText.Literal(folder)} " +
                           $"(FORMAT parquet, PARTITION_BY ({LandingRead.Box}), COMPRESSION snappy)");
            }
            if (clean.Count > 0) WriteFinals(db, dataset, table, folder, clean);
        }
        catch (Exception e) when (e is EngineException or IOException or UnauthorizedAccessException)
        {
            throw new ProcessingException($"{dataset.Name}: the shared read of {file} could not write its files: {e.Message.Split('\n', 2)[0].Trim()}", e);
        }
        return counts;
    }

    /// <summary>
    /// One file per clean box, its rows in file order. A partitioned write keeps the order of its input only on one
    /// thread, so the boxes are cut into one run of about equal rows per thread, and each run is written by one
    /// partitioned <c>COPY</c> on one thread, on its own connection to the database that holds the rows, side by side
    /// (a <c>COPY</c> per box took a third more CPU for 182 boxes of 3M rows).
    /// </summary>
    private static void WriteFinals(DuckDbSession db, Dataset dataset, SplitTable table, string folder, IReadOnlyList<KeyValuePair<long, BoxCounts>> clean)
    {
        var declared = string.Join(", ", dataset.Schema.Columns.Select(c => SqlText.Identifier(c.Name)));
        var groups = Groups(clean, db.Scalar<int>("SELECT current_setting('threads')"));
        Directory.CreateDirectory(Path.Combine(folder, FinalFolder)); // DuckDB creates the last level only
        void WriteGroup(DuckDbSession session, int group) => session.Execute(
            $"COPY (SELECT {declared}, {LandingRead.Box} FROM {table.Name} WHERE {LandingRead.Box} IN ({List(groups[group])}) ORDER BY {LandingRead.Box}, {table.FileOrder}) " +
            $"TO {SqlText.Literal(Path.Combine(folder, FinalFolder, group.ToString(CultureInfo.InvariantCulture)))} (FORMAT parquet, PARTITION_BY ({LandingRead.Box}), COMPRESSION zstd)");
        if (groups.Count == 1)
        {
            WriteGroup(db, 0);
            return;
        }
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        db.SizeFor(smallWork: true); // one thread per statement, for the whole database
        try
        {
            Parallel.For(0, groups.Count, new ParallelOptions { MaxDegreeOfParallelism = groups.Count }, group =>
            {
                try
                {
                    using var beside = db.Beside();
                    WriteGroup(beside, group);
                }
                catch (Exception e) when (e is EngineException or IOException or UnauthorizedAccessException) { failures.Enqueue(e); }
            });
        }
        finally
        {
            db.SizeFor(smallWork: false);
        }
        // The first failure itself, not an AggregateException around it: the caller names the file and says DuckDB's message.
        if (failures.TryDequeue(out var failed)) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
    }

    private static string List(IEnumerable<long> boxes) => string.Join(", ", boxes.Select(b => b.ToString(CultureInfo.InvariantCulture)));

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
    /// The final files of <paramref name="box"/>, one per file of the box in path order, when every file wrote one for
    /// it: every row of the box is clean and no file said anything beyond its rows, so the checks of ingest have nothing
    /// to find; else null (the box is read and checked row by row).
    /// </summary>
    public static IReadOnlyList<string>? Usable(Dataset dataset, IReadOnlyList<SplitExtract> extracts, long box)
    {
        var finals = new List<string>();
        foreach (var extract in extracts.OrderBy(x => x.File.RelativePath, StringComparer.Ordinal))
        {
            if (extract.Counts is not { } counts || extract.Root is null) return null;
            if (extract.Lines.Rejected.Count > 0 || counts.ContainsKey(LandingRead.NoBox)) return null;
            if (extract.Present is { } present && !SameColumns(dataset, present)) return null;
            if (!counts.TryGetValue(box, out var c)) continue; // no row of the box in this file
            if (!c.IsClean || FileOf(extract.Root, box) is not { } final) return null;
            finals.Add(final);
        }
        return finals.Count > 0 ? finals : null;
    }

    /// <summary>Whether a file's columns are the declared ones (a file whose columns differ has drift to report).</summary>
    public static bool SameColumns(Dataset dataset, IReadOnlyList<string> present) =>
        present.Count == dataset.Schema.Columns.Count && dataset.Schema.Columns.All(c => present.Contains(c.Name));
}

/// <summary>The rows of a box in one split file, and how many of them are clean (see <see cref="BoxFinals"/>).</summary>
internal sealed record BoxCounts(long Rows, long Clean)
{
    public bool IsClean => Rows == Clean;
}
