using Takt.Checks;
using Takt.Definitions;
using Takt.Engine;
using Takt.Lake;
using Takt.Ledger;

namespace Takt.Running;

/// <summary>A staged version whose checks have run: everything the commit needs, none of it holding a DuckDB session.</summary>
internal sealed record CheckedVersion(VersionRecord Version, string StagingDirectory, IReadOnlyList<LineageEdge> Inputs, IReadOnlyList<CheckResult> Checks,
    long RowsIn, bool Stopped);

/// <summary>
/// The last steps every task shares: check the staged files (in DuckDB), then move them into the lake and commit
/// version, lineage, check results and pointer in one ledger transaction (no DuckDB needed, so the task gives its
/// session back before it waits on the disk and the ledger).
/// </summary>
internal static class StagedVersion
{
    public const string DataFile = "part-0.parquet";

    public static CheckedVersion Check(Workspace ws, DuckDbSession db, Dataset dataset, long box, string versionId, string codeHash, int generation,
        string stagingDir, IReadOnlyList<LineageEdge> inputs, IEnumerable<CheckResult> earlierChecks, long rowsIn, long rows, string runId,
        string? schemaKey = null, Func<string, string?>? locate = null, PlacedVersions? placed = null)
    {
        var file = Path.Combine(stagingDir, DataFile);
        var schemaJson = ws.OutputSchemas.Of(schemaKey, () =>
        {
            var columns = db.Describe($"SELECT * FROM read_parquet({SqlText.Literal(file)})"); // the types as readers will see them
            return System.Text.Json.JsonSerializer.Serialize(columns.Select(c => new { name = c.Name, type = c.Type }));
        });
        var checks = earlierChecks.ToList();
        if (CheckEvaluator.HasChecks(dataset))
        {
            db.CreateView(CheckEvaluator.DataView, [file], dataset.Schema);
            var history = new LedgerCheckHistory(ws.Ledger, ws.Env, dataset.Name, box);
            checks.AddRange(CheckEvaluator.Evaluate(db, dataset, box, other => CurrentFiles(ws, dataset, box, other, placed), history, locate));
        }
        var stopped = CheckEvaluator.StopsTheLine(checks);
        var version = new VersionRecord(versionId, dataset.Name, box, dataset.BoxKey(box), codeHash, generation,
            stopped ? VersionStatus.Quarantined : VersionStatus.Committed, rows, new FileInfo(file).Length, schemaJson,
            ws.Clock.GetUtcNow().ToUnixTimeMilliseconds(), runId);
        return new CheckedVersion(version, stagingDir, inputs, checks, rowsIn, stopped);
    }

    /// <summary>
    /// Moves the files into the lake, then commits them with the versions of the tasks that finish at the same time
    /// (<see cref="GroupCommit"/>: one durability barrier, one ledger write); a crash before the commit leaves only files nobody points at.
    /// A version that passed its checks is announced in <paramref name="placed"/> once queued, so that tasks reading it
    /// start now; it commits after the placed inputs it was computed from (<paramref name="after"/>), or not at all.
    /// </summary>
    public static TaskOutcome Commit(Workspace ws, Dataset dataset, CheckedVersion staged, long? taskId,
        PlacedVersions? placed = null, IReadOnlyList<GroupCommit.Ticket>? after = null)
    {
        var checks = staged.Checks;
        var location = new VersionLocation(dataset.Name, staged.Version.BoxKey, staged.Version.Id);
        var files = ws.Lake.Place(staged.StagingDirectory, location);
        if (files.Count == 0) throw new ProcessingException($"{dataset.Name}@{staged.Version.BoxKey}: the task staged no Parquet file; a version without files would read as an empty box");
        var version = staged.Version with { Bytes = files.Sum(f => f.Size) };
        FaultInjection.Hit("after-promote");
        var ticket = ws.Commits.Enqueue(new CommitRequest(ws.Env, version, staged.Inputs, checks, taskId) { Files = files }, location, after ?? []);
        if (!staged.Stopped)
            placed?.Add(dataset.Name, version.Box, new PlacedVersion(version.Id, new VersionShape(version.Rows, version.Bytes, version.SchemaJson),
                ws.Lake.LocalPaths(location, files), ticket));
        CommitOutcome outcome;
        try { outcome = ticket.Await(); }
        catch (InputNotCommittedException e)
        {
            return TaskOutcome.Held(BuildStatus.Skipped, $"skipped: {dataset.Name}@{version.BoxKey} was computed but not committed: {e.Message}") with { InputNotCommitted = true };
        }
        FaultInjection.Hit("after-commit");

        var failed = checks.Where(c => !c.Passed).ToList();
        var committed = outcome == CommitOutcome.Committed ? staged : null;
        if (staged.Stopped)
            return new TaskOutcome(BuildStatus.Quarantined, version.Id, staged.RowsIn, version.Rows, StopMessage(dataset, version.BoxKey, failed), failed) { Committed = committed };
        var status = outcome == CommitOutcome.Committed ? BuildStatus.Built : BuildStatus.Reused;
        var note = outcome == CommitOutcome.InputsMoved ? "inputs moved while building; the next build picks up the newer inputs" : "";
        var warnings = failed.Count > 0 ? "warnings: " + string.Join("; ", failed.Select(c => $"{c.Name}: {c.Message}")) : "";
        return new TaskOutcome(status, version.Id, staged.RowsIn, version.Rows, string.Join(" ", new[] { note, warnings }.Where(s => s.Length > 0)), failed)
        {
            Committed = committed,
        };
    }

    public static string StopMessage(Dataset dataset, string boxKey, IEnumerable<CheckResult> failed) =>
        $"{dataset.Name}@{boxKey} stopped by check " + string.Join("; ", failed.Where(c => c.Severity == "block").Select(c => $"{c.Name}: {c.Message}"));

    /// <summary>Files of the current version of the same box of another dataset, for referential checks.</summary>
    /// <remarks>A version of this run placed but not yet committed counts as current: the box is committed after it.</remarks>
    private static IReadOnlyList<string>? CurrentFiles(Workspace ws, Dataset dataset, long box, string other, PlacedVersions? placed)
    {
        var otherDataset = ws.Factory[other];
        var range = Boxes.GrainMath.Convert(dataset.Grain, Boxes.BoxRange.Single(box), otherDataset.Grain);
        if (placed is not null && !range.IsEmpty && range.Start == range.End && placed.Find(other, range.Start) is { } pending) return pending.Paths;
        var states = ws.Ledger.Boxes(ws.Env, other, range);
        if (states.Count == 0 || states.Any(s => s.CurrentVersion is null)) return null;
        return ws.Files.Paths(states.Select(s => new VersionLocation(other, otherDataset.BoxKey(s.Box), s.CurrentVersion!)).ToArray());
    }
}

/// <summary>
/// Named points where a test can make the process die as if killed, to prove crash safety (<c>TAKT_CRASH_AT</c>, at
/// the <c>TAKT_CRASH_AFTER</c>th hit), or wait there (<c>TAKT_PAUSE_AT</c>, first hit), to run another process in between:
/// it creates <c>TAKT_PAUSE_FILE.reached</c>, then waits until <c>TAKT_PAUSE_FILE</c> exists.
/// </summary>
public static class FaultInjection
{
    private static readonly string? Point = Environment.GetEnvironmentVariable("TAKT_CRASH_AT");
    private static int _countdown = int.TryParse(Environment.GetEnvironmentVariable("TAKT_CRASH_AFTER"), out var n) ? n : 1;
    private static readonly string? PausePoint = Environment.GetEnvironmentVariable("TAKT_PAUSE_AT");
    private static int _paused;

    /// <param name="detail">Said in the dying message, for the test to read (which versions a batch held).</param>
    public static void Hit(string point, string? detail = null)
    {
        if (PausePoint == point && Interlocked.Exchange(ref _paused, 1) == 0) Pause(Environment.GetEnvironmentVariable("TAKT_PAUSE_FILE")!);
        if (Point != point) return;
        if (Interlocked.Decrement(ref _countdown) <= 0) Environment.FailFast($"fault injected at {point}{(detail is null ? "" : " " + detail)}");
    }

    private static void Pause(string release)
    {
        File.WriteAllText(release + ".reached", "");
        while (!File.Exists(release)) Thread.Sleep(50);
    }
}
