using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Ingest;

/// <summary>
/// The ingest step of <c>ingest</c> and <c>build</c>: finds what changed in the landing zone of the sources in scope,
/// runs one task per source box, then remembers the files it took and reports (once, as events) those no box takes.
/// </summary>
internal sealed class IngestRun(Workspace ws, string runId, RunOptions options, IRunObserver? observer, LeaseKeeper leases)
{
    public IngestResult Run(IReadOnlyList<Dataset> sources)
    {
        var finder = Planner(ws);
        var executor = new SourceExecutor(ws, runId, leases, new ComputeSlots(options.Parallelism));
        var findings = sources.Select(finder.Find).ToList();
        var items = findings.SelectMany(f => f.Work).Select(w => new WorkItem(w.Dataset.Name, w.Box, w.Dataset.BoxKey(w.Box), w.Reason,
            (taskId, attempt, log) => executor.Execute(w.Dataset, w.Box, w.Files, taskId, attempt, log))).ToList();
        var reports = new Runner(ws, runId, options, observer).Run(items);

        foreach (var dataset in sources) ws.Ledger.AdoptSourceHeads(ws.Env, dataset.Name);
        foreach (var found in findings)
        {
            var failedBoxes = reports.Where(r => r.Dataset == found.Dataset.Name && r.Outcome.Status == BuildStatus.Failed).Select(r => r.BoxKey).ToHashSet();
            ws.Ledger.RecordLandedFiles(found.Dataset.Name,
                found.Seen.Where(f => !LandingScanner.ParseBoxes(f.Boxes).Any(b => failedBoxes.Contains(found.Dataset.BoxKey(b)))).ToArray());
            ws.Ledger.RecordLandingProblems(ws.Env, found.Dataset.Name, found.Problems);
        }
        return new IngestResult(reports, findings.SelectMany(f => f.Problems).ToArray());
    }

    /// <summary>The landing files of the sources that no box takes; lists folders, reads no file and writes nothing.</summary>
    public static IReadOnlyList<LandingProblem> Problems(Workspace ws, IEnumerable<Dataset> sources)
    {
        var finder = Planner(ws);
        return sources.SelectMany(s => finder.Scan(s).Problems).ToArray();
    }

    public static IngestPlanner Planner(Workspace ws) => new(ws.Ledger, ws.LandingDirectory, ws.Factory.Datasets, (dataset, file) => BoxesOfSplitFile(ws, dataset, file));

    private static BoxSet BoxesOfSplitFile(Workspace ws, Dataset dataset, LandingFile file)
    {
        using var lease = ws.DuckDb.Rent();
        var db = lease.Session;
        RawLoader.Load(db, dataset.Source!.Format, [file]);
        var column = Engine.SqlText.Identifier(dataset.Source.SplitBy!);
        var instants = db.Rows($"SELECT DISTINCT date_trunc('hour', TRY_CAST(TRY_CAST({column} AS TIMESTAMPTZ) AS TIMESTAMP)) FROM {RawLoader.Table} WHERE {column} IS NOT NULL");
        return BoxSet.OfBoxes(instants.Where(r => r[0] is DateTime).Select(r => GrainMath.BoxOf(dataset.Grain, (DateTime)r[0]!)));
    }
}
