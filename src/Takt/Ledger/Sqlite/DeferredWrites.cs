using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

/// <summary>
/// Ledger writes whose callers need no answer and that nothing reads at once: a task's start and finish records, a
/// task's lease given back. They ride along in the next write transaction instead of paying one each; a build of small
/// boxes would otherwise spend five transactions per task and queue its tasks behind the one write lock. Whatever
/// reads through the writing connection applies them first, and the ledger applies them when it goes quiet (within
/// <see cref="MaxDelay"/>), so other processes see them soon. They are lost only with the transaction that carries
/// them, as that transaction's own write is.
/// </summary>
internal sealed class DeferredWrites
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentQueue<Action<SqliteTransaction>> _queue = new();

    public bool IsEmpty => _queue.IsEmpty;

    public void Add(Action<SqliteTransaction> write) => _queue.Enqueue(write);

    /// <summary>Runs the waiting writes, oldest first, in <paramref name="tx"/>; the caller holds the connection's lock.</summary>
    public void ApplyTo(SqliteTransaction tx)
    {
        while (_queue.TryDequeue(out var write)) write(tx);
    }
}
