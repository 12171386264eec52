using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Engine;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Ingest;

/// <summary>
/// One landing file spanning many boxes, read once for all of them: its extract (see <see cref="LandingRead"/>) written
/// as Parquet partitioned by box, one folder per box its rows fall in (<see cref="LandingRead.NoBox"/> for rows in
/// none). Each box task of the run reads only its own folder of each of its files.
/// </summary>
internal sealed record SplitExtract(LandingFile File, string Sha256, IReadOnlyDictionary<long, string> Folders, ReadLines Lines,
    IReadOnlyList<string>? Present, TimeSpan Took)
{
    /// <summary>Taken from an earlier build (<see cref="KeptSplits"/>): the file was not read this time.</summary>
    public bool Kept { get; init; }

    /// <summary>Why a kept split was not used and the file was read again, for the task log; null when there was none to use.</summary>
    public string? NotKept { get; init; }

    /// <summary>For JSON lines read now: which way the file was read and why (see <see cref="LandingRead.Run"/>).</summary>
    public string? How { get; init; }

    /// <summary>The folder the extract lives in, for its boxes' final files (<see cref="BoxFinals"/>); null when none were written.</summary>
    public string? Root { get; init; }

    /// <summary>Every box's rows and clean rows in this file (<see cref="BoxFinals"/>); null when not counted.</summary>
    public IReadOnlyDictionary<long, BoxCounts>? Counts { get; init; }

    /// <summary>Of <see cref="Took"/>, the time the grouped counts and the final files took.</summary>
    public TimeSpan FinalsTook { get; init; }

    public BoxSet Boxes => BoxSet.OfBoxes((Counts?.Keys ?? Folders.Keys).Where(b => b != LandingRead.NoBox));

    /// <summary>The Parquet files of the extract of <paramref name="box"/>, or none when none of its rows is in the extract.</summary>
    public IReadOnlyList<string> FilesOf(long box) => Folders.TryGetValue(box, out var folder) ? Directory.GetFiles(folder, "*.parquet") : [];

    /// <summary>Whether the rows of <paramref name="box"/> went to its final file only, not to the extract (they are read from the file again when needed).</summary>
    public bool OnlyInFinal(long box) => !Folders.ContainsKey(box) && Counts?.ContainsKey(box) == true;

    /// <summary>The extract's folder of each box in <paramref name="dir"/> (<c>__box=N</c>, as a partitioned write names them).</summary>
    public static Dictionary<long, string> FoldersIn(string dir) =>
        Directory.Exists(dir)
            ? Directory.GetDirectories(dir, LandingRead.Box + "=*")
                .ToDictionary(d => long.Parse(Path.GetFileName(d)[(LandingRead.Box.Length + 1)..], CultureInfo.InvariantCulture), d => d)
            : [];
}

/// <summary>A landing file that cannot be used this time, and why: it changed while it was read, or it cannot be read at all.</summary>
internal sealed class UnusableFileException(LandingFile file, string problem, bool stillBeingWritten) : Exception(problem)
{
    public LandingFile File { get; } = file;
    public bool StillBeingWritten { get; } = stillBeingWritten;

    public const string BeingWritten = "is still being written (its size or time changed while it was read): not ingested, retried next build";
}

/// <summary>
/// The landing files a run reads, each at most once: the facts of each (content hash, lines), and the extract of each
/// file that spans many boxes. Box tasks share them, so a file of 182 days is read in one pass whatever number of
/// boxes it feeds: the shared read is the work of the run, and each box task then reads its own folder. Extracts live
/// in the run's staging area and are deleted when the run ends (a crashed run's are cleaned by the next build).
/// </summary>
internal sealed class LandingReads(Workspace ws, string runId) : ILandingFiles, IDisposable
{
    private readonly ConcurrentDictionary<(string, long, long), Lazy<LandingFacts>> _facts = new();
    private readonly ConcurrentDictionary<string, Lazy<IReadOnlyDictionary<string, LandedFile>>> _recorded = new(StringComparer.Ordinal);
    private readonly KeptSplits _kept = new(ws.Lake.KeptDirectory);
    private readonly DateTime _started = DateTime.UtcNow;
    private readonly ConcurrentDictionary<(string, long, long), Lazy<SplitExtract>> _extracts = new();
    private readonly ConcurrentDictionary<(string, string, long), Lazy<IReadOnlyList<string>>> _again = new();
    private readonly ConcurrentBag<string> _folders = [];
    private int _serial;

    public LandingFacts Facts(LandingFile file) =>
        _facts.GetOrAdd(Key(file), _ => new Lazy<LandingFacts>(() => FactsOf(file))).Value;

    /// <summary>The facts of a file as the scan saw it; a file gone since is one that changed while it was read.</summary>
    public static LandingFacts FactsOf(LandingFile file)
    {
        try
        {
            using var content = file.Zone.Open(file.RelativePath);
            return LandingFacts.Of(content);
        }
        catch (IOException) { throw new UnusableFileException(file, UnusableFileException.BeingWritten, stillBeingWritten: true); }
        catch (UnauthorizedAccessException e) { throw new UnusableFileException(file, "cannot be read: " + e.Message, stillBeingWritten: false); }
    }

    public BoxSet BoxesOf(Dataset dataset, LandingFile file) => Extract(dataset, file).Boxes;

    /// <summary>The file's extract, read now unless this run read it already; throws <see cref="UnusableFileException"/>.</summary>
    public SplitExtract Extract(Dataset dataset, LandingFile file) =>
        _extracts.GetOrAdd(Key(file), _ => new Lazy<SplitExtract>(() => KeptOrRead(dataset, file))).Value;

    /// <summary>
    /// The content hash and length of a file of a box: for a split file whose size and time are those the ledger recorded
    /// when it was last taken (the rule by which ingest decides a file unchanged), the recorded hash, without reading it;
    /// else the file's facts (<see cref="Facts(LandingFile)"/>). A per-box file is read for its box anyway, so it is hashed.
    /// </summary>
    public (string Sha256, long Length) Identity(Dataset dataset, LandingFile file)
    {
        if (dataset.Source!.IsSplit && Recorded(dataset, file) is { } sha) return (sha, file.Size);
        var facts = Facts(file);
        return (facts.Sha256, facts.Length);
    }

    /// <summary>
    /// Read from the ledger once per run, when the run looks for changed files; the box tasks then find each unchanged
    /// file's record in it (files taken in this run are changed ones, whose content is hashed, never taken from a record).
    /// </summary>
    public IReadOnlyDictionary<string, LandedFile> LandedFiles(Dataset dataset) =>
        _recorded.GetOrAdd(dataset.Name, name => new Lazy<IReadOnlyDictionary<string, LandedFile>>(() => ws.Ledger.LandedFiles(name))).Value;

    private string? Recorded(Dataset dataset, LandingFile file)
    {
        var landed = LandedFiles(dataset);
        return landed.TryGetValue(file.RelativePath, out var r) && r.Size >= 0 && r.Sha256.Length > 0 && r.Size == file.Size && r.ModifiedTicks == file.ModifiedTicks
            ? r.Sha256 : null;
    }

    /// <summary>Deletes the kept splits of a split source that its landed files (as the ledger now records them) no longer hold.</summary>
    public int PruneKept(Dataset dataset) =>
        dataset.Source!.IsSplit ? _kept.Prune(dataset, ws.Factory.CodeHashOf(dataset.Name), ws.Ledger.LandedFiles(dataset.Name), _started) : 0;

    private static (string, long, long) Key(LandingFile file) => (file.RelativePath, file.Size, file.ModifiedTicks);

    /// <summary>The kept split of the file's content when one is there and whole, else the file read now and kept for later builds.</summary>
    private SplitExtract KeptOrRead(Dataset dataset, LandingFile file)
    {
        var codeHash = ws.Factory.CodeHashOf(dataset.Name);
        var sha = Identity(dataset, file).Sha256;
        var (kept, problem) = _kept.Find(dataset, file, sha, codeHash);
        if (kept is not null) return kept;
        var read = Read(dataset, file, out var folder);
        // Hashed now because it is read now: content that changed under an unchanged size and time is not what the record names.
        if (read.Sha256 != sha) throw new UnusableFileException(file, UnusableFileException.BeingWritten, stillBeingWritten: true);
        var notKept = problem is null ? null : $"kept split of {file.RelativePath} is damaged ({problem}): not trusted, the file was read again";
        try { return _kept.Keep(dataset, codeHash, read, folder) with { NotKept = notKept }; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return read with { NotKept = (notKept is null ? "" : notKept + "; ") + $"its split could not be kept for later builds ({e.Message})" };
        }
    }

    private SplitExtract Read(Dataset dataset, LandingFile file, out string folder)
    {
        var clock = Stopwatch.StartNew();
        var facts = Facts(file);
        folder = Staging($"extract-{dataset.Name}");
        using var lease = ws.DuckDb.Rent(smallWork: file.Size <= DuckDbPool.SmallWorkBytes);
        var db = lease.Session;
        // A table of the database, not a temporary one: the final files are written beside each other on more connections to it.
        var table = SplitTable.For(dataset, "__split_" + Interlocked.Increment(ref _serial).ToString(CultureInfo.InvariantCulture));
        try
        {
            var (lines, present, how) = ReadRows(db, dataset, file, facts, table);
            StillUnchanged(file, facts);
            var extracted = clock.Elapsed;
            var saysMore = lines.Rejected.Count > 0 || (present is not null && !BoxFinals.SameColumns(dataset, present));
            var counts = BoxFinals.Write(db, dataset, file.RelativePath, table, folder, saysMore);
            return new SplitExtract(file, facts.Sha256, SplitExtract.FoldersIn(folder), lines, present, clock.Elapsed)
                { How = how, Root = folder, Counts = counts, FinalsTook = clock.Elapsed - extracted };
        }
        finally
        {
            db.Execute(table.Drop);
        }
    }

    /// <summary>The one pass over the file: its rows into a table of the session's database (see <see cref="SplitTable"/>).</summary>
    private static (ReadLines, IReadOnlyList<string>?, string?) ReadRows(DuckDbSession db, Dataset dataset, LandingFile file, LandingFacts facts, SplitTable table)
    {
        try
        {
            var (read, lines, how) = LandingRead.Run(db, dataset, file, facts, withBox: true, r =>
            {
                db.Execute(table.Create(r.Sql));
                return db.Scalar<long>($"SELECT count(*) FROM {table.Name}");
            }, () => db.Execute(table.Drop), numbered: !table.NumberedByPlace);
            return (lines, read.Present, how);
        }
        catch (EngineException e)
        {
            throw new UnusableFileException(file, LandingRead.CannotRead(e), stillBeingWritten: false);
        }
    }

    /// <summary>
    /// The Parquet files of the rows of <paramref name="box"/> in a split file's extract, with the extract's columns. The
    /// rows of a box that went to its final file only (every row clean) are read from the file again, once per run: for
    /// a box fed by more files than the clean ones, or a declared check that failed and names its rows' lines.
    /// </summary>
    public IReadOnlyList<string> FilesOf(Dataset dataset, SplitExtract extract, long box)
    {
        if (!extract.OnlyInFinal(box)) return extract.FilesOf(box);
        return _again.GetOrAdd((extract.File.RelativePath, extract.Sha256, box), _ => new Lazy<IReadOnlyList<string>>(() => ReadAgain(dataset, extract, box))).Value;
    }

    private IReadOnlyList<string> ReadAgain(Dataset dataset, SplitExtract extract, long box)
    {
        var file = extract.File;
        var facts = Facts(file);
        if (facts.Sha256 != extract.Sha256) throw new UnusableFileException(file, UnusableFileException.BeingWritten, stillBeingWritten: true);
        var path = Path.Combine(Staging($"again-{dataset.Name}"), "rows.parquet");
        using var lease = ws.DuckDb.Rent(smallWork: file.Size <= DuckDbPool.SmallWorkBytes);
        var db = lease.Session;
        var table = SplitTable.For(dataset, "__split_" + Interlocked.Increment(ref _serial).ToString(CultureInfo.InvariantCulture));
        try
        {
            ReadRows(db, dataset, file, facts, table);
            StillUnchanged(file, facts);
            db.Execute($"COPY (SELECT {table.Extract(file.RelativePath)} EXCLUDE ({LandingRead.Box}) FROM {table.Name} " +
                       $"WHERE {LandingRead.Box} = {box.ToString(CultureInfo.InvariantCulture)}) TO {SqlText.Literal(path)} (FORMAT parquet, COMPRESSION snappy)");
            return [path];
        }
        finally
        {
            db.Execute(table.Drop);
        }
    }

    private string Staging(string what)
    {
        var folder = ws.Lake.CreateStaging(runId, $"{what}-{Interlocked.Increment(ref _serial).ToString(CultureInfo.InvariantCulture)}");
        _folders.Add(folder);
        return folder;
    }

    /// <summary>
    /// The rule for files still being written: a file is used only if its size and time are what the scan saw, both
    /// when its content was hashed and after it was read, so that the version's name (the hash) is the content read.
    /// </summary>
    public static void StillUnchanged(LandingFile file, LandingFacts facts)
    {
        var now = file.Zone.Stat(file.RelativePath);
        if (now is null || now.Size != file.Size || now.ModifiedTicks != file.ModifiedTicks || facts.Length != file.Size)
            throw new UnusableFileException(file, UnusableFileException.BeingWritten, stillBeingWritten: true);
    }

    public void Dispose()
    {
        foreach (var folder in _folders) ws.Lake.DiscardStaging(folder);
    }
}
