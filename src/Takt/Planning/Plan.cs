using Takt.Boxes;

namespace Takt.Planning;

/// <summary>One box to build, and why.</summary>
public sealed record PlannedTask(string Dataset, long Box, string BoxKey, string Reason);

/// <summary>Boxes held back for one cause, e.g. "core.orders@2026-01-12 is quarantined".</summary>
public sealed record HeldBoxes(BoxSet Boxes, string Cause);

/// <summary>What the plan found for one dataset of the closure.</summary>
public sealed record DatasetPlan(
    string Dataset,
    BoxRange Extent,
    BoxSet Required,
    BoxSet Planned,
    BoxSet Quarantined,
    IReadOnlyList<HeldBoxes> Blocked,
    IReadOnlyList<HeldBoxes> Waiting,
    long Fresh)
{
    public BoxSet BlockedBoxes => Blocked.Aggregate(BoxSet.Empty, (all, h) => all.Union(h.Boxes));
    public BoxSet WaitingBoxes => Waiting.Aggregate(BoxSet.Empty, (all, h) => all.Union(h.Boxes));
}

/// <summary>The closure of what the targets need that is missing or stale, in topological order.</summary>
public sealed record Plan(string Env, IReadOnlyList<PlannedTask> Tasks, IReadOnlyList<DatasetPlan> Datasets)
{
    /// <summary>
    /// Freshness stamps the plan found to hold (every box of the dataset fresh at the sequence the plan started at).
    /// Planning writes nothing; a build records them, so that the next plan of an unchanged dataset is a few look-ups.
    /// </summary>
    public IReadOnlyDictionary<string, Ledger.FreshStamp> Stamps { get; init; } = new Dictionary<string, Ledger.FreshStamp>();

    public DatasetPlan For(string dataset) => Datasets.First(d => d.Dataset == dataset);

    /// <summary>Boxes in scope held back by a box a check stopped.</summary>
    public long BlockedBoxes => Datasets.Sum(d => d.BlockedBoxes.Count);

    /// <summary>True when some box in scope is stopped by a check or held back by one.</summary>
    public bool LineStopped => Datasets.Any(d => !d.Quarantined.IsEmpty || d.Blocked.Count > 0);
}
