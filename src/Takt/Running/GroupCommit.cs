using System.Runtime.ExceptionServices;
using Takt.Lake;
using Takt.Ledger;

namespace Takt.Running;

/// <summary>
/// Commits the versions of tasks that finish together with one durability barrier for all their files and one ledger
/// transaction for all their rows. A task that finishes while a commit is in flight queues; the first task to find no
/// commit in flight commits everything queued (its own request among it), and each task learns its own outcome, the one
/// it would have had alone (<see cref="IBoxLedger.CommitAll"/>). Files are always durable before the ledger names them:
/// a crash leaves a batch's files unnamed, never a named version without its files.
/// </summary>
internal sealed class GroupCommit(ILake lake, IBoxLedger ledger)
{
    private readonly object _gate = new(); // a monitor: tasks wait on it for the commit in flight
    private List<Pending> _queue = [];
    private bool _inFlight;

    /// <summary>Commits a version whose files <see cref="ILake.Place"/> put at <paramref name="location"/>; returns when it is committed (or failed).</summary>
    public CommitOutcome Commit(CommitRequest request, VersionLocation location)
    {
        var mine = new Pending(request, location);
        lock (_gate)
        {
            _queue.Add(mine);
            while (true)
            {
                if (mine.Result is not null) return mine.Outcome();
                if (!_inFlight) break;
                Monitor.Wait(_gate);
            }
            _inFlight = true;
        }
        try
        {
            FaultInjection.Hit("group-commit-start"); // tests pause here: the tasks that finish meanwhile join this commit
            List<Pending> batch;
            lock (_gate)
            {
                batch = _queue;
                _queue = [];
            }
            Run(batch);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight = false;
                Monitor.PulseAll(_gate);
            }
        }
        return mine.Outcome();
    }

    private void Run(List<Pending> batch)
    {
        try
        {
            lake.Persist(batch.Select(p => p.Location).ToArray());
            var results = ledger.CommitAll(batch.Select(p => p.Request).ToArray(), written: i =>
            {
                if (i > 0) FaultInjection.Hit("group-commit-written", $"in a batch of {string.Join(", ", batch.Select(p => p.Request.Version.Id))}");
            });
            for (var i = 0; i < batch.Count; i++) batch[i].Result = results[i];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            foreach (var p in batch) p.Result ??= CommitResult.Failed(e); // the barrier or the transaction failed: nothing of the batch is committed
        }
    }

    private sealed class Pending(CommitRequest request, VersionLocation location)
    {
        public CommitRequest Request { get; } = request;
        public VersionLocation Location { get; } = location;
        public volatile CommitResult? Result;

        public CommitOutcome Outcome()
        {
            if (Result!.Error is { } error) ExceptionDispatchInfo.Throw(error);
            return Result.Outcome;
        }
    }
}
