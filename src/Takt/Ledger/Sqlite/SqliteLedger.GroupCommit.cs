namespace Takt.Ledger.Sqlite;

/// <summary>Group commit: the versions of several tasks in one write transaction (see <see cref="IBoxLedger.CommitAll"/>).</summary>
public sealed partial class SqliteLedger
{
    public IReadOnlyList<CommitResult> CommitAll(IReadOnlyList<CommitRequest> requests, Action<int>? written = null)
    {
        var results = new CommitResult[requests.Count];
        lock (_gate)
        {
            using var tx = BeginWrite();
            for (var i = 0; i < requests.Count; i++)
            {
                // A savepoint per request: one that fails is undone alone, as its own transaction would have been. An error of
                // SQLite itself (disk full, busy) fails the whole batch, so that it leaves the ledger as the store's error.
                const string savepoint = "commit_request";
                tx.Save(savepoint);
                try
                {
                    results[i] = new CommitResult(Write(requests[i], tx));
                    tx.Release(savepoint);
                }
                catch (Exception e) when (e is not (OutOfMemoryException or Microsoft.Data.Sqlite.SqliteException))
                {
                    tx.Rollback(savepoint);
                    tx.Release(savepoint);
                    results[i] = CommitResult.Failed(e);
                    continue;
                }
                written?.Invoke(i);
            }
            tx.Commit();
        }
        return results;
    }
}
