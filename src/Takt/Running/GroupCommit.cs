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
/// <para>
/// A version may be ordered after others (<see cref="Enqueue"/>'s <c>after</c>: inputs placed but not committed when its
/// task started). It is committed only once each of them is committed and current, in the same transaction after them or
/// in a later one; if one of them is not, it is not written at all (<see cref="InputNotCommittedException"/>), so the
/// ledger never names a version whose input it does not hold.
/// </para>
/// </summary>
internal sealed class GroupCommit(ILake lake, IBoxLedger ledger)
{
    private readonly object _gate = new(); // a monitor: tasks wait on it for the commit in flight
    private List<Ticket> _queue = [];
    private bool _inFlight;

    /// <summary>Commits a version whose files <see cref="ILake.Place"/> put at <paramref name="location"/>; returns when it is committed (or failed).</summary>
    public CommitOutcome Commit(CommitRequest request, VersionLocation location) => Enqueue(request, location, []).Await();

    /// <summary>
    /// Queues a version for the next commit; <see cref="Ticket.Await"/> then commits it (with whatever else is queued)
    /// and gives its outcome. A task that queued its version can let tasks that read it start before the commit, and
    /// give them this ticket to commit after.
    /// </summary>
    public Ticket Enqueue(CommitRequest request, VersionLocation location, IReadOnlyList<Ticket> after)
    {
        var ticket = new Ticket(this, request, location, after);
        lock (_gate) _queue.Add(ticket);
        return ticket;
    }

    private CommitOutcome Await(Ticket mine)
    {
        lock (_gate)
        {
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
            List<Ticket> batch;
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

    private void Run(List<Ticket> batch)
    {
        try
        {
            lake.Persist(batch.Select(p => p.Location).ToArray());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            foreach (var p in batch) p.Result ??= CommitResult.Failed(e); // the barrier failed: nothing of the batch is committed
            return;
        }
        // Tickets queue in the order their tasks placed them, and a task starts only after what it reads was queued: an
        // input is earlier in this batch or in an earlier one. Usually one transaction; a version whose input is in the
        // same transaction waits for the next, so that a failed input keeps it out of the ledger.
        var remaining = batch;
        while (remaining.Count > 0)
        {
            var now = new List<Ticket>();
            var later = new List<Ticket>();
            foreach (var ticket in remaining)
            {
                if (ticket.After.Any(input => input.Result is null)) later.Add(ticket);
                else if (ticket.After.FirstOrDefault(input => !input.CommittedCurrent) is { } failed)
                    ticket.Result = CommitResult.Failed(new InputNotCommittedException(failed.Request.Version, failed.Result!));
                else now.Add(ticket);
            }
            if (now.Count == 0 && later.Count > 0)
            {
                foreach (var ticket in later) ticket.Result = CommitResult.Failed(new InvalidOperationException("ordered after a version that was never queued"));
                return;
            }
            Write(now);
            remaining = later;
        }
    }

    private void Write(List<Ticket> batch)
    {
        if (batch.Count == 0) return;
        try
        {
            var results = ledger.CommitAll(batch.Select(p => p.Request).ToArray(), written: i =>
            {
                if (i > 0) FaultInjection.Hit("group-commit-written", $"in a batch of {string.Join(", ", batch.Select(p => p.Request.Version.Id))}");
            });
            for (var i = 0; i < batch.Count; i++) batch[i].Result = results[i];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            foreach (var p in batch) p.Result ??= CommitResult.Failed(e); // the transaction failed: nothing of the batch is committed
        }
    }

    /// <summary>A version queued for commit; <see cref="Await"/> commits it and gives its outcome.</summary>
    internal sealed class Ticket(GroupCommit commits, CommitRequest request, VersionLocation location, IReadOnlyList<Ticket> after)
    {
        public CommitRequest Request { get; } = request;
        public VersionLocation Location { get; } = location;
        public IReadOnlyList<Ticket> After { get; } = after;
        public volatile CommitResult? Result;

        /// <summary>Committed, and the pointer at it: what a version ordered after it needs.</summary>
        public bool CommittedCurrent => Result is { Error: null, Outcome: CommitOutcome.Committed or CommitOutcome.AlreadyCurrent } && Request.Version.Status.IsUsable();

        /// <summary>Commits (leading the next batch, or waiting for the one in flight) and returns the outcome; throws the commit's error.</summary>
        public CommitOutcome Await() => commits.Await(this);

        public CommitOutcome Outcome()
        {
            if (Result!.Error is { } error) ExceptionDispatchInfo.Throw(error);
            return Result.Outcome;
        }
    }
}

/// <summary>A version was not committed because an input it was computed from (placed, not yet committed then) was not.</summary>
public sealed class InputNotCommittedException(VersionRecord input, CommitResult result)
    : Exception($"its input {input.Dataset}@{input.BoxKey} (version {input.Id}) was not committed: " +
                (result.Error?.Message ?? (result.Outcome == CommitOutcome.InputsMoved ? "its own inputs moved meanwhile" : result.Outcome.ToString())));
