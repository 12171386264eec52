using System.Collections.Concurrent;
using Takt.Definitions;
using Takt.Landing;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Ingest;

/// <summary>What an ingest did: a task per source box, and the landing files it could not take.</summary>
public sealed record IngestResult(IReadOnlyList<TaskReport> Tasks, IReadOnlyList<LandingProblem> LandingProblems);

/// <summary>
/// The ingest step of <c>ingest</c> and <c>build</c>: finds what changed in the landing zone of the sources in scope,
/// runs one task per source box (a file spanning many boxes is read once, for all of them, see <see cref="LandingReads"/>),
/// then remembers the files it took and reports (once, as events) those no box takes or that were left for later.
/// </summary>
internal sealed class IngestRun(Workspace ws, string runId, RunOptions options, IRunObserver? observer, LeaseKeeper leases, LandingReads reads)
{
    public IngestResult Run(IReadOnlyList<Dataset> sources)
    {
        var finder = Finder(ws, reads);
        var notIngested = new ConcurrentBag<LandingProblem>();
        var executor = new SourceExecutor(ws, runId, leases, new ComputeSlots(options.Parallelism), reads, notIngested.Add);
        var findings = sources.Select(finder.Find).ToList();
        var items = findings.SelectMany(f => f.Work).Select(w => new WorkItem(w.Dataset.Name, w.Box, w.Dataset.BoxKey(w.Box), w.Reason,
            (taskId, attempt, log) => w.Adopt is { } version
                ? executor.Adopt(w.Dataset, w.Box, version)
                : executor.Execute(w.Dataset, w.Box, w.Files, taskId, attempt, log))).ToList();
        foreach (var found in findings) ws.Ledger.RecordLandedFiles(found.Dataset.Name, found.InFlight);
        var reports = ws.Executor.Run(ws, runId, options, observer, items);
        FaultInjection.Hit("ingest-before-landed-files");

        var problems = new List<LandingProblem>();
        foreach (var found in findings)
        {
            // A file of a box that failed or was left for later is not remembered, so the next build finds it again.
            var retry = reports.Where(r => r.Dataset == found.Dataset.Name && r.Outcome.Status is BuildStatus.Failed or BuildStatus.Skipped)
                .Select(r => r.BoxKey).ToHashSet();
            ws.Ledger.RecordLandedFiles(found.Dataset.Name,
                found.Seen.Where(f => !LandingScanner.ParseBoxes(f.Boxes).Any(b => retry.Contains(found.Dataset.BoxKey(b)))).ToArray());
            // After the record: the kept splits of files whose content it no longer names are deleted (see KeptSplits).
            reads.PruneKept(found.Dataset);
            var mine = found.Problems.Concat(notIngested.Where(p => p.Dataset == found.Dataset.Name)).DistinctBy(p => p.Path).ToList();
            ws.Ledger.RecordLandingProblems(ws.Env, found.Dataset.Name, mine);
            problems.AddRange(mine);
        }
        return new IngestResult(reports, problems);
    }

    /// <summary>The landing files of the sources that no box takes; lists folders, reads no file and writes nothing.</summary>
    public static IReadOnlyList<LandingProblem> Problems(Workspace ws, IEnumerable<Dataset> sources)
    {
        var finder = Planner(ws);
        return sources.SelectMany(s => finder.Scan(s).Problems).ToArray();
    }

    /// <summary>A planner that only looks: for <c>plan</c> and <c>status</c>.</summary>
    public static IngestPlanner Planner(Workspace ws) => Finder(ws, new LandingPeek(ws.DuckDb, ws.Ledger));

    private static IngestPlanner Finder(Workspace ws, ILandingFiles reader) =>
        new(ws.Ledger, ws.Ledger, ws.Env, ws.Landing, ws.Factory.Datasets, reader, ws.Factory.CodeHashOf);
}
