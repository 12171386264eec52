namespace Takt.Ledger;

public sealed record CheckFailureRecord(string Dataset, string BoxKey, string VersionId, string Check, string Severity, long AtMs);

public sealed record DeployRecord(string Env, string Dataset, string CodeHash, string? PreviousHash, string? GitCommit, long AtMs);

/// <summary>Per dataset: how many versions exist and what they hold in the lake.</summary>
public sealed record VersionInventory(string Dataset, long Versions, long Bytes, long CurrentRows, long LastCommitMs);

/// <summary>The facts the factory measures itself with: read-only queries over what the ledger recorded.</summary>
public partial interface ILedger
{
    IReadOnlyList<VersionRecord> VersionsSince(long sinceMs);
    IReadOnlyList<CheckFailureRecord> CheckFailuresSince(long sinceMs);
    IReadOnlyList<CheckResultStat> CheckStats();
    IReadOnlyList<TaskRecord> TasksSince(long sinceMs);
    IReadOnlyList<DeployRecord> DeploysSince(long sinceMs);
    IReadOnlyList<EventRecord> EventsSince(long sinceMs, string kind);
    IReadOnlyList<VersionInventory> Inventory(string env);
}

/// <summary>How often a dataset's check ran and failed.</summary>
public sealed record CheckResultStat(string Dataset, string Check, long Runs, long Failures);
