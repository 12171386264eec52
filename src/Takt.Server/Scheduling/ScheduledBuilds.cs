using Takt.Building;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Server.Scheduling;

/// <summary>What the scheduler asks for: build these resolved targets, because of this schedule.</summary>
public sealed record ScheduledBuildRequest(string Schedule, string Trigger, IReadOnlyList<string> Targets);

/// <summary>How a scheduled build ended: the ledger run, <c>ok</c>, <c>stopped</c> (by a check) or <c>failed</c>, and a one-line summary.</summary>
public sealed record ScheduledBuildOutcome(string? RunId, RunStatus Status, string Summary);

/// <summary>Runs the builds the scheduler starts; tests substitute their own.</summary>
public interface IScheduledBuilds
{
    ScheduledBuildOutcome Build(ScheduledBuildRequest request);
}

/// <summary>
/// The real thing: each scheduled build opens its own workspace (its own ledger connection, like a separate
/// <c>build</c> process would) and runs <see cref="BuildService.Build"/>: ingest, build what is missing or stale, publish.
/// Builds of different targets may run at once; the ledger's leases keep them from committing the same box twice.
/// </summary>
public sealed class WorkspaceBuilds(Func<Workspace> openWorkspace, RunOptions? options = null) : IScheduledBuilds
{
    public ScheduledBuildOutcome Build(ScheduledBuildRequest request)
    {
        using var ws = openWorkspace();
        var result = new BuildService(ws).Build(request.Targets, options: options ?? new RunOptions());
        var s = result.Summary;
        return new ScheduledBuildOutcome(result.RunId, result.Outcome.Status(),
            $"{s.Built} built, {s.Reused} reused, {s.Quarantined} quarantined, {s.Blocked} blocked, {s.Failed} failed in {s.DurationMs / 1000.0:0.0} s");
    }
}
