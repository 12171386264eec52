using Takt.Ledger;

namespace Takt.Running;

/// <summary>How a task ended, as reported by <c>build</c>.</summary>
public static class BuildStatus
{
    public const string Built = "built";
    public const string Reused = "reused";
    public const string Blocked = "blocked";
    public const string Failed = "failed";
    public const string Quarantined = "quarantined";
    public const string Skipped = "skipped";
}

public sealed record TaskOutcome(string Status, string? VersionId, long RowsIn, long RowsOut, string Message, IReadOnlyList<CheckResult> FailedChecks)
{
    /// <summary>The version this task committed, with its inputs and check results, so that reporting it needs no ledger read.</summary>
    internal CheckedVersion? Committed { get; init; }

    public static TaskOutcome Held(string status, string message) => new(status, null, 0, 0, message, []);
}

/// <summary>A failure of the work itself (bad SQL, I/O), retried with backoff; check failures are not.</summary>
public sealed class ProcessingException(string message, Exception? inner = null) : Exception(message, inner);
