using System.Globalization;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Engine;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Ingest;

/// <summary>
/// Turns the landing files of one source box into a version: named by content, read in DuckDB (a per-box file by this
/// task, a file of many boxes once for all of them by <see cref="LandingReads"/>), checked for malformed lines and
/// values, schema drift and rows outside the box, converted to the declared types, then checked and committed.
/// </summary>
internal sealed class SourceExecutor(Workspace ws, string runId, LeaseKeeper leases, ComputeSlots slots, LandingReads reads,
    Action<LandingProblem>? notIngested = null)
{
    public TaskOutcome Execute(Dataset dataset, long box, IReadOnlyList<LandingFile> files, long? taskId, int attempt, List<string> log)
    {
        TaskOutcome outcome;
        try { outcome = Ingest(dataset, box, files, taskId, attempt, log); }
        catch (UnusableFileException e) when (e.StillBeingWritten)
        {
            notIngested?.Invoke(new LandingProblem(dataset.Name, e.File.RelativePath, e.Message));
            return TaskOutcome.Held(BuildStatus.Skipped, $"{dataset.Name}@{dataset.BoxKey(box)}: landing file {e.File.RelativePath} {e.Message}");
        }
        if (outcome.VersionId is not null) ws.Ledger.SetSourceHead(dataset.Name, box, outcome.VersionId);
        return outcome;
    }

    /// <summary>Points this environment's box at the version another environment's build ingested from the same landed files.</summary>
    public TaskOutcome Adopt(Dataset dataset, long box, string versionId)
    {
        var boxKey = dataset.BoxKey(box);
        var outcome = Reuse(dataset, boxKey, versionId);
        if (outcome is null) return TaskOutcome.Held(BuildStatus.Failed,
            $"{dataset.Name}@{boxKey}: version {versionId}, which another environment's build ingested, was collected or lost since this build looked");
        return outcome.Status == BuildStatus.Built ? outcome with { Status = BuildStatus.Reused, Message = IngestWork.AdoptReason } : outcome;
    }

    private TaskOutcome Ingest(Dataset dataset, long box, IReadOnlyList<LandingFile> files, long? taskId, int attempt, List<string> log)
    {
        var source = dataset.Source!;
        var boxKey = dataset.BoxKey(box);
        if (files.Count == 0) return TaskOutcome.Held(BuildStatus.Failed, $"{dataset.Name}@{boxKey}: no landing files match '{source.Pattern}' for this box");
        var codeHash = ws.Factory.CodeHashOf(dataset.Name);
        var generation = ws.Ledger.Generations(dataset.Name, BoxRange.Single(box)).Of(box);
        var ids = files.Select(f => (File: f, Id: reads.Identity(dataset, f))).ToList();
        var versionId = Recipe.ForSource(dataset.Name, box, codeHash, generation, ids.Select(f => (f.File.RelativePath, f.Id.Sha256)));
        // Before the version exists: a committed source version always has its files' record, for lineage.
        ws.Ledger.RecordSourceFiles(versionId, ids.Select(f => new SourceFile(f.File.RelativePath, f.Id.Length, f.Id.Sha256)).ToList());

        if (Reuse(dataset, boxKey, versionId) is { } reused) return reused;
        if (!leases.Acquire(versionId, () => ws.Ledger.FindVersion(versionId) is { HasFiles: true }))
            return Reuse(dataset, boxKey, versionId) ?? throw new ProcessingException($"another build holds {dataset.Name}@{boxKey} and did not finish it") { Transient = true };
        try
        {
            if (Reuse(dataset, boxKey, versionId) is { } raced) return raced;
            var staging = ws.Lake.CreateStaging(runId, $"{dataset.Name}-{boxKey}-{attempt}");
            var staged = Stage(dataset, box, files, versionId, codeHash, generation, staging, log);
            return StagedVersion.Commit(ws, dataset, staged, taskId);
        }
        finally
        {
            leases.Release(versionId);
        }
    }

    /// <summary>Reads the box's rows, checks them, and writes the rows that read well, converted, into the staging directory.</summary>
    private CheckedVersion Stage(Dataset dataset, long box, IReadOnlyList<LandingFile> files, string versionId, string codeHash,
        int generation, string staging, List<string> log)
    {
        var boxKey = dataset.BoxKey(box);
        // A split file is read (once, for all its boxes) before this task takes a slot: the shared read uses every thread.
        (List<SplitExtract> Read, List<MalformedLine> Unreadable)? extracts = dataset.Source!.IsSplit ? Extracts(dataset, files) : null;
        var facts = extracts is null ? files.Select(f => (File: f, Facts: reads.Facts(f))).ToList() : [];
        using var slot = slots.Take();
        using var lease = ws.DuckDb.Rent(smallWork: files.Sum(f => f.Size) <= DuckDbPool.SmallWorkBytes);
        var db = lease.Session;
        if (extracts is { Unreadable: [] } clean && BoxFinals.Usable(dataset, clean.Read, box) is { } finals)
            return StageFinal(db, dataset, box, clean.Read, finals, versionId, codeHash, generation, staging, log);
        var rows = extracts is { } e ? BoxRows.FromExtracts(db, dataset, box, e.Read, e.Unreadable, FilesOf(dataset)) : BoxRows.Read(db, dataset, facts);
        foreach (var (file, fileFacts) in facts) LandingReads.StillUnchanged(file, fileFacts);

        var sourceChecks = new SourceChecks(db, rows);
        var checks = sourceChecks.Run(box, out var drift);
        var rowsIn = sourceChecks.RowsIn;
        var declared = string.Join(", ", dataset.Schema.Columns.Select(c => SqlText.Identifier(c.Name)));
        var rowsOut = db.CopyToParquet($"SELECT {declared} FROM {BoxRows.Table} WHERE {sourceChecks.Kept} ORDER BY {LandingRead.File}, {LandingRead.Row}",
            Path.Combine(staging, StagedVersion.DataFile));
        log.AddRange(rows.Log);
        log.Add($"read {rowsIn.ToString(CultureInfo.InvariantCulture)} row(s) of this box from {files.Count} file(s) " +
                $"({Bytes(files.Sum(f => f.Size))}{(extracts is null ? "" : " in all, shared with their other boxes")}), kept {rowsOut.ToString(CultureInfo.InvariantCulture)}");
        if (drift is not null) ws.Ledger.RecordEvent(EventKind.SchemaDrift, ws.Env, dataset.Name, boxKey, versionId, $"{dataset.Name}@{boxKey}: {drift}");
        // A source's columns are its declared ones: one description per code hash serves every box.
        return StagedVersion.Check(ws, db, dataset, box, versionId, codeHash, generation, staging, [], checks, rowsIn, rowsOut, runId,
            schemaKey: "source:" + codeHash, locate: sourceChecks.Sample);
    }

    /// <summary>
    /// A split box whose rows all read well: its final file, written by the shared read of its file, becomes the version
    /// (of a box fed by several files, their final files joined in path order, each in file order: the order of a box
    /// read row by row); the checks of ingest were counted there (<see cref="BoxFinals"/>), the declared checks run on
    /// the file as for every version.
    /// </summary>
    private CheckedVersion StageFinal(DuckDbSession db, Dataset dataset, long box, IReadOnlyList<SplitExtract> extracts, IReadOnlyList<string> finals,
        string versionId, string codeHash, int generation, string staging, List<string> log)
    {
        var data = Path.Combine(staging, StagedVersion.DataFile);
        if (finals.Count == 1) File.Copy(finals[0], data);
        else
        {
            var declared = string.Join(", ", dataset.Schema.Columns.Select(c => SqlText.Identifier(c.Name)));
            var parts = string.Join(" UNION ALL ", finals.Select((f, i) =>
                $"SELECT {i.ToString(CultureInfo.InvariantCulture)} AS __part, file_row_number AS __at, {declared} FROM read_parquet({SqlText.Literal(f)}, file_row_number = true)"));
            db.CopyToParquet($"SELECT {declared} FROM ({parts}) ORDER BY __part, __at", data);
        }
        var rows = extracts.Sum(x => x.Counts!.TryGetValue(box, out var c) ? c.Rows : 0);
        var files = extracts.Count.ToString(CultureInfo.InvariantCulture);
        log.AddRange(BoxRows.LogOf(extracts));
        log.Add($"read {rows.ToString(CultureInfo.InvariantCulture)} row(s) of this box from {files} file(s) ({Bytes(extracts.Sum(x => x.File.Size))} in all, shared with " +
                $"their other boxes), kept {rows.ToString(CultureInfo.InvariantCulture)}; every row read well, so " +
                (finals.Count == 1 ? "the shared read wrote this version's file" : $"this version's file joins the {finals.Count} files their shared reads wrote"));
        // A failed declared check names its rows' lines: only then is the box read from its files again.
        string? Locate(string condition) => new SourceChecks(db, BoxRows.FromExtracts(db, dataset, box, extracts, [], FilesOf(dataset))).Sample(condition);
        return StagedVersion.Check(ws, db, dataset, box, versionId, codeHash, generation, staging, [], SourceChecks.Clean(dataset), rows, rows, runId,
            schemaKey: "source:" + codeHash, locate: Locate);
    }

    private Func<SplitExtract, long, IReadOnlyList<string>> FilesOf(Dataset dataset) => (extract, box) => reads.FilesOf(dataset, extract, box);

    /// <summary>The shared reads of a split box's files; a file that cannot be read at all is malformed for the box, not a crash.</summary>
    private (List<SplitExtract> Read, List<MalformedLine> Unreadable) Extracts(Dataset dataset, IReadOnlyList<LandingFile> files)
    {
        var read = new List<SplitExtract>();
        var unreadable = new List<MalformedLine>();
        foreach (var file in files)
        {
            try { read.Add(reads.Extract(dataset, file)); }
            catch (UnusableFileException e) when (!e.StillBeingWritten) { unreadable.Add(new MalformedLine(file.RelativePath, null, e.Message)); }
        }
        return (read, unreadable);
    }

    private static string Bytes(long bytes) => bytes < 1 << 20
        ? $"{(bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture)} KB"
        : $"{(bytes / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture)} MB";

    private TaskOutcome? Reuse(Dataset dataset, string boxKey, string versionId)
    {
        var existing = ws.Ledger.FindVersion(versionId);
        if (existing is null || !existing.HasFiles) return null; // never ingested, or its files are gone: ingest it again
        if (existing.Status.IsUsable())
        {
            var moved = ws.Ledger.Adopt(ws.Env, existing, []);
            if (moved == CommitOutcome.FilesGone) return null; // gc took it meanwhile
            return new TaskOutcome(moved == CommitOutcome.Committed ? BuildStatus.Built : BuildStatus.Reused, versionId, 0, existing.Rows, "same landed content as an earlier version", []);
        }
        if (ws.Ledger.MarkQuarantined(ws.Env, existing) == CommitOutcome.FilesGone) return null;
        var failed = ws.Ledger.CheckResults(versionId).Where(c => !c.Passed).ToList();
        return new TaskOutcome(BuildStatus.Quarantined, versionId, 0, existing.Rows, StagedVersion.StopMessage(dataset, boxKey, failed), failed);
    }
}
