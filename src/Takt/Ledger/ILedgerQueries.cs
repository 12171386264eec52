namespace Takt.Ledger;

public sealed record CheckFailureRecord(string Dataset, string BoxKey, string VersionId, string Check, string Severity, long AtMs);

public sealed record DeployRecord(string Env, string Dataset, string CodeHash, string? PreviousHash, string? GitCommit, long AtMs);

/// <summary>Per dataset: how many versions exist and what they hold in the lake.</summary>
public sealed record VersionInventory(string Dataset, long Versions, long Bytes, long CurrentRows, long LastCommitMs);

/// <summary>
/// The facts the factory measures itself with (<c>metrics</c>, <c>waste</c>, the catalog): read-only queries over what
/// the other roles recorded; none of them writes. "Since" is inclusive, in the ledger's milliseconds.
/// </summary>
public interface ILedgerQueries
{
    /// <summary>Versions created since then, oldest first.</summary>
    IReadOnlyList<VersionRecord> VersionsSince(long sinceMs);

    /// <summary>Failed checks of versions created since then, oldest first.</summary>
    IReadOnlyList<CheckFailureRecord> CheckFailuresSince(long sinceMs);

    /// <summary>Per dataset and check, how often it ran and failed, by dataset then check name (ordinal): the dashboard shows them in this order.</summary>
    IReadOnlyList<CheckResultStat> CheckStats();

    /// <summary>Tasks started since then, oldest first.</summary>
    IReadOnlyList<TaskRecord> TasksSince(long sinceMs);

    /// <summary>Deploys recorded since then, oldest first.</summary>
    IReadOnlyList<DeployRecord> DeploysSince(long sinceMs);

    /// <summary>Events of one kind recorded since then, oldest first.</summary>
    IReadOnlyList<EventRecord> EventsSince(long sinceMs, EventKind kind);

    /// <summary>Per dataset, by name: how many versions it has, the bytes of those whose files are not collected, the rows of the environment's current versions, its last commit.</summary>
    IReadOnlyList<VersionInventory> Inventory(string env);
}

/// <summary>How often a dataset's check ran and failed.</summary>
public sealed record CheckResultStat(string Dataset, string Check, long Runs, long Failures);
