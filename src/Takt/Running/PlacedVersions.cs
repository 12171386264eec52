using System.Collections.Concurrent;
using Takt.Ledger;

namespace Takt.Running;

/// <summary>A version of this run placed in the lake and queued for commit, not stopped by a check: what a task that reads it needs.</summary>
internal sealed record PlacedVersion(string VersionId, VersionShape Shape, IReadOnlyList<string> Paths, GroupCommit.Ticket Ticket);

/// <summary>
/// The versions a run placed and queued for commit, so that a task reading them starts without waiting for their commit
/// (the latency of a chain is then its compute, not its depth times a commit). Such a task commits after them
/// (<see cref="GroupCommit"/>): never before, and not at all when one of them does not commit. A version stopped by a
/// check is never here: what reads it waits for it and is blocked.
/// </summary>
internal sealed class PlacedVersions
{
    private readonly ConcurrentDictionary<(string Dataset, long Box), PlacedVersion> _placed = new();

    /// <summary>A box's version was placed: the runner lets the tasks that read it start.</summary>
    public event Action<string, long>? Placed;

    public void Add(string dataset, long box, PlacedVersion version)
    {
        _placed[(dataset, box)] = version;
        Placed?.Invoke(dataset, box);
    }

    /// <summary>The version placed for a box and not yet committed (or not committed at all); once committed, the ledger is the way to it.</summary>
    public PlacedVersion? Find(string dataset, long box) =>
        _placed.TryGetValue((dataset, box), out var version) && !version.Ticket.CommittedCurrent ? version : null;
}
