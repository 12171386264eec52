using Takt.Boxes;
using Takt.Definitions;
using Takt.Ingest;
using Takt.Ledger;
using Takt.Planning;
using Takt.Running;
using Takt.Telemetry.OpenLineage;

namespace Takt.Building;

/// <summary>
/// How many tasks a run built, reused, quarantined, failed or skipped; <see cref="Blocked"/> is how many boxes in scope
/// are held back by a stopped box afterwards, from the same plan <c>status</c> computes (not only those this run tried).
/// </summary>
public sealed record BuildSummary(int Built, int Reused, long Blocked, int Failed, int Quarantined, int Skipped, long DurationMs)
{
    public static BuildSummary Of(IReadOnlyList<TaskReport> reports, Plan? remaining, long durationMs)
    {
        int Count(BuildStatus status) => reports.Count(r => r.Outcome.Status == status);
        return new BuildSummary(Count(BuildStatus.Built), Count(BuildStatus.Reused), remaining?.BlockedBoxes ?? Count(BuildStatus.Blocked), Count(BuildStatus.Failed),
            Count(BuildStatus.Quarantined), Count(BuildStatus.Skipped), durationMs);
    }
}

/// <summary>What an invalidate did: the boxes asked for, the ones the dataset has, and how many of those were invalidated.</summary>
public sealed record InvalidateResult(string Dataset, string Requested, string? Extent, string? Invalidated, long Boxes);

/// <summary>What a build did: every task, what it published, and the plan left afterwards (empty when everything in scope is fresh).</summary>
public sealed record BuildResult(string RunId, IReadOnlyList<TaskReport> Tasks, BuildSummary Summary, Plan Remaining,
    IReadOnlyList<Publishing.PublishResult> Published, IReadOnlyList<string> NotPublished)
{
    public RunOutcome Outcome => RunOutcomes.Of(Tasks, Remaining.LineStopped, PublishFailed);
    public bool ProcessingFailed => Outcome == RunOutcome.Failed;
    public bool PublishFailed { get; init; }
    /// <summary>Targets whose live copy is still not made of the environment's current versions after this build.</summary>
    public IReadOnlyList<Publishing.PendingPublish> PublishPending { get; init; } = [];
    public bool LineStopped => Outcome == RunOutcome.Stopped;

    /// <summary>Landing files of the sources in scope that no box takes, or that were left for the next build.</summary>
    public IReadOnlyList<LandingProblem> LandingProblems { get; init; } = [];

    /// <summary>Staging directories of runs no longer running that could not be removed.</summary>
    public IReadOnlyList<Lake.StagingLeftover> StagingLeftovers { get; init; } = [];
}

/// <summary>The verbs of a factory over a workspace: ingest, plan, build, invalidate and override.</summary>
public sealed class BuildService(Workspace ws)
{
    /// <summary>What the targets need that is missing or stale; writes nothing.</summary>
    /// <param name="landing">
    /// Also what a build's ingest would take from the landing zone first (new or changed files, found by size and time,
    /// then by hashing only those), with its downstream: what <c>plan</c> and <c>status</c> show.
    /// </param>
    public Plan Plan(IReadOnlyCollection<string> targets, DateOnly? from = null, DateOnly? to = null, bool landing = false) =>
        new Planner(ws.Factory, ws.Ledger).Create(ws.Env, targets, from, to, landing ? LandingChanges(targets) : null);

    /// <summary>The source boxes of the targets' closure that ingest would run, with the file that makes each one run.</summary>
    private LandingChanges LandingChanges(IReadOnlyCollection<string> targets)
    {
        var finder = IngestFinder();
        return new LandingChanges(NeededSources(targets).ToDictionary(
            source => source.Name,
            source => (IReadOnlyDictionary<long, LandingChange>)finder.Find(source).Work.ToDictionary(w => w.Box, w => new LandingChange(w.Reason, w.KeepsVersion))));
    }

    /// <summary>Ingests what changed in the landing zone for the sources the targets need.</summary>
    public IngestResult Ingest(IReadOnlyCollection<string> targets, RunOptions? options = null, IRunObserver? observer = null)
    {
        var runId = NewRunId();
        using var lineage = new OpenLineageObserver(ws, runId, ws.Lineage, "ingest");
        observer = new Observers(observer, lineage);
        ws.Ledger.EnsureEnvironment(ws.Env);
        ws.Ledger.StartRun(runId, ws.Env, "ingest");
        IngestResult? result = null;
        var escaping = true;
        try
        {
            lineage.RunStarted();
            using var reads = new LandingReads(ws, runId);
            observer.Phase(RunPhase.Ingest);
            result = RunIngest(runId, targets, options ?? new RunOptions(), observer, reads);
            ws.Ledger.Faults.ThrowIfAny();
            escaping = false;
        }
        catch (Exception e)
        {
            lineage.RunFinished(e.Message);
            throw;
        }
        finally
        {
            FinishRun(runId, escaping ? RunOutcome.Failed : RunOutcomes.Of(result!.Tasks), BuildSummary.Of(result?.Tasks ?? [], null, 0), escaping);
        }
        lineage.RunFinished(LineageError(RunOutcomes.Of(result!.Tasks)));
        return result;
    }

    public BuildResult Build(IReadOnlyCollection<string> targets, DateOnly? from = null, DateOnly? to = null, bool ingest = true,
        RunOptions? options = null, IRunObserver? observer = null, bool publish = true)
    {
        options ??= new RunOptions();
        var runId = NewRunId();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var lineage = new OpenLineageObserver(ws, runId, ws.Lineage);
        observer = new Observers(observer, lineage);
        using var activity = Telemetry.TaktTelemetry.Tracing.StartActivity("takt.build");
        activity?.SetTag("takt.env", ws.Env);
        ws.Ledger.StartRun(runId, ws.Env, "build");
        using var leases = LeaseKeeper.Of(ws.Ledger, runId);
        var reports = new List<TaskReport>();
        BuildResult? result = null;
        var escaping = true;
        try
        {
            lineage.RunStarted();
            result = RunBuild(runId, targets, from, to, ingest, options, observer, publish, leases, reports, clock);
            escaping = false;
        }
        catch (Exception e)
        {
            lineage.RunFinished(e.Message);
            throw;
        }
        finally
        {
            FinishRun(runId, escaping ? RunOutcome.Failed : result!.Outcome, result?.Summary ?? BuildSummary.Of(reports, null, clock.ElapsedMilliseconds), escaping);
        }
        leases.Release(RunLease(runId));
        lineage.RunFinished(result!.PublishFailed ? $"publishing failed: {string.Join("; ", result.NotPublished)}"
            : LineageError(result.Outcome));
        return result;
    }

    /// <summary>Everything of a build between starting and finishing its run; <paramref name="reports"/> grows as tasks end.</summary>
    private BuildResult RunBuild(string runId, IReadOnlyCollection<string> targets, DateOnly? from, DateOnly? to, bool ingest, RunOptions options,
        IRunObserver observer, bool publish, LeaseKeeper leases, List<TaskReport> reports, System.Diagnostics.Stopwatch clock)
    {
        ws.DuckDb.OpenAhead();
        leases.Acquire(RunLease(runId), () => false);
        var stagingLeftovers = CleanStaging(runId);

        ws.Ledger.EnsureEnvironment(ws.Env);
        RecordDeploys(targets);
        using var reads = new LandingReads(ws, runId);
        if (ingest) observer.Phase(RunPhase.Ingest);
        var ingested = ingest ? RunIngest(runId, targets, options, observer, reads, leases) : null;
        if (ingested is not null) reports.AddRange(ingested.Tasks);
        var plan = Plan(targets, from, to); // ingest took the landing zone's changes already
        observer.Phase(RunPhase.Transforms);
        reports.AddRange(ws.Executor.Run(ws, runId, options, observer, WorkItems(plan, runId, leases, new ComputeSlots(options.Parallelism), reads)));
        ws.Ledger.Faults.ThrowIfAny(); // the ledger could not record all of it: stop here, nothing more is planned or published
        var remaining = Plan(targets, from, to, landing: ingest);
        ws.Ledger.SetStamps(ws.Env, remaining.Stamps);

        observer.Phase(RunPhase.Publish);
        var publishing = new Publishing.PublishStep(ws, runId).Run(Closure(targets), reports.Select(r => r.Dataset).ToHashSet(), publish);
        return new BuildResult(runId, reports, BuildSummary.Of(reports, remaining, clock.ElapsedMilliseconds), remaining, publishing.Published, publishing.NotPublished)
        {
            PublishFailed = publishing.Failed,
            PublishPending = publishing.Pending,
            LandingProblems = ingested?.LandingProblems ?? [],
            StagingLeftovers = stagingLeftovers,
        };
    }

    /// <summary>
    /// Every run started is finished, also when an error escapes it. When the ledger cannot record even that while an
    /// error escapes, the error that escapes is the one the caller reports; the run shows as died once its lease lapses.
    /// </summary>
    private void FinishRun(string runId, RunOutcome outcome, BuildSummary summary, bool escaping)
    {
        try { ws.Ledger.FinishRun(runId, outcome.Status(), SummaryJson(summary)); }
        catch (Exception) when (escaping) { }
    }

    /// <summary>
    /// Marks boxes to be recomputed although nothing changed; the next build recomputes exactly their downstream. The
    /// range is cut to the boxes the dataset has (or, for a transform, those its inputs allow) and stored as one range.
    /// </summary>
    public InvalidateResult Invalidate(string dataset, DateOnly from, DateOnly to, string reason)
    {
        var definition = ws.Factory[dataset];
        var requested = GrainMath.FromDates(definition.Grain, from, to);
        var extent = new Planner(ws.Factory, ws.Ledger).ExtentOf(ws.Env, dataset);
        var range = requested.Intersect(extent);
        var count = range.IsEmpty ? 0 : ws.Ledger.CountBoxes(ws.Env, dataset, range);
        if (count > 0) ws.Ledger.Invalidate(dataset, range, definition.BoxKeys(range), count, reason);
        return new InvalidateResult(dataset, definition.BoxKeys(requested), extent.IsEmpty ? null : definition.BoxKeys(extent),
            count == 0 ? null : definition.BoxKeys(range), count);
    }

    private IngestResult RunIngest(string runId, IReadOnlyCollection<string> targets, RunOptions options, IRunObserver? observer, LandingReads reads,
        LeaseKeeper? leases = null)
    {
        var ownLeases = leases is null ? LeaseKeeper.Of(ws.Ledger, runId) : null;
        try { return new IngestRun(ws, runId, options, observer, leases ?? ownLeases!, reads).Run(NeededSources(targets).ToList()); }
        finally { ownLeases?.Dispose(); }
    }

    /// <summary>Landing files of the sources the targets need that no box takes; reads no file and writes nothing.</summary>
    public IReadOnlyList<LandingProblem> LandingProblems(IReadOnlyCollection<string> targets) => IngestRun.Problems(ws, NeededSources(targets));

    /// <summary>A build with a code hash the environment has not built before for a dataset is a deploy of that dataset.</summary>
    private void RecordDeploys(IReadOnlyCollection<string> targets)
    {
        string? gitCommit = null;
        var gitAsked = false;
        foreach (var dataset in Closure(targets))
        {
            var now = ws.Factory.CodeHashOf(dataset.Name);
            var before = ws.Ledger.DeployedCodeHash(ws.Env, dataset.Name);
            if (before == now) continue;
            if (!gitAsked) (gitCommit, gitAsked) = (GitCommit.Of(ws.Factory.BaseDirectory), true);
            ws.Ledger.RecordDeploy(ws.Env, dataset.Name, before, now, gitCommit);
        }
    }

    private IReadOnlyList<Dataset> Closure(IReadOnlyCollection<string> targets) => ws.Factory.UpstreamClosure(ws.Factory.ResolveTargets(targets));

    private IEnumerable<Dataset> NeededSources(IReadOnlyCollection<string> targets) => Closure(targets).Where(d => d.IsSource);

    private List<WorkItem> WorkItems(Plan plan, string runId, LeaseKeeper leases, ComputeSlots slots, LandingReads reads)
    {
        var extents = plan.Datasets.ToDictionary(d => d.Dataset, d => d.Extent);
        var placed = new PlacedVersions();
        var transforms = new TransformExecutor(ws, runId, extents, leases, slots, placed);
        var sources = new SourceExecutor(ws, runId, leases, slots, reads);
        var finder = IngestFinder();
        var items = new List<WorkItem>();
        var index = new Dictionary<(string, long), int>();
        foreach (var task in plan.Tasks)
        {
            var dataset = ws.Factory[task.Dataset];
            var box = task.Box;
            Func<long?, int, List<string>, TaskOutcome> execute = dataset.IsSource
                ? (taskId, attempt, log) => sources.Execute(dataset, box, finder.FilesOf(dataset, box), taskId, attempt, log)
                : (taskId, attempt, log) => transforms.Execute(dataset, box, taskId, attempt, log);
            var item = new WorkItem(task.Dataset, box, task.BoxKey, task.Reason, execute) { Placed = placed };
            foreach (var (upstream, mapping) in dataset.Reads)
            {
                var upstreamPlan = plan.For(upstream);
                var upstreamDataset = ws.Factory[upstream];
                var read = mapping.InputsOf(BoxRange.Single(box), dataset.Grain, upstreamDataset.Grain, upstreamPlan.Extent);
                foreach (var b in upstreamPlan.Planned.Intersect(read))
                    if (index.TryGetValue((upstream, b), out var dependency)) item.DependsOn.Add(dependency);
            }
            index[(task.Dataset, box)] = items.Count;
            items.Add(item);
        }
        return items;
    }

    private IngestPlanner IngestFinder() => IngestRun.Planner(ws);

    private static string RunLease(string runId) => "run:" + runId;

    /// <summary>A run is alive while it renews its run lease and, when it ran on this host, its process exists.</summary>
    /// <summary>Removes what runs no longer running staged; what cannot be removed is recorded as an event and returned.</summary>
    private IReadOnlyList<Lake.StagingLeftover> CleanStaging(string runId)
    {
        var leftovers = ws.Lake.CleanStaging(other => other == runId || IsAlive(other, runId));
        foreach (var leftover in leftovers) ws.Ledger.RecordEvent(EventKind.StagingLeftover, ws.Env, null, null, null, leftover.Describe());
        return leftovers;
    }

    private bool IsAlive(string otherRun, string asking)
    {
        if (LeaseKeeper.IsGone(ws.Ledger, otherRun)) return false;
        if (!ws.Ledger.TryAcquireLease(RunLease(otherRun), asking, TimeSpan.FromSeconds(1))) return true;
        ws.Ledger.ReleaseLease(RunLease(otherRun), asking);
        return false;
    }

    private string NewRunId() => RunIds.New(ws.Clock);

    private static string? LineageError(RunOutcome outcome) => outcome switch
    {
        RunOutcome.Failed => "tasks failed (see the runs' FAIL events)",
        RunOutcome.Stopped => "the line stopped: a check failed (see the checks' FAIL events)",
        _ => null,
    };

    private static string SummaryJson(BuildSummary summary) => System.Text.Json.JsonSerializer.Serialize(summary);
}
