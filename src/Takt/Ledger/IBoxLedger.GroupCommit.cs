namespace Takt.Ledger;

/// <summary>How one commit of a batch ended: its outcome, or the error that kept it out of the ledger.</summary>
public sealed record CommitResult(CommitOutcome Outcome, Exception? Error = null)
{
    public static CommitResult Failed(Exception error) => new(default, error);
}

public partial interface IBoxLedger
{
    /// <summary>
    /// Commits versions that finished together in one write (group commit): each request's result is the one
    /// <see cref="Commit"/> would give it alone, run in the given order, and a request that fails leaves nothing of
    /// itself and does not affect the others; an error of the store itself fails the whole batch. The batch is durable together or not at all: a crash keeps none of it
    /// or all of it.
    /// </summary>
    /// <param name="written">Told the index of each request whose writes succeeded, before the write is committed (a hook for crash tests).</param>
    IReadOnlyList<CommitResult> CommitAll(IReadOnlyList<CommitRequest> requests, Action<int>? written = null);
}
