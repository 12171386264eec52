using Takt.Ledger;

namespace Takt.Running;

public sealed record TaskOutcome(BuildStatus Status, string? VersionId, long RowsIn, long RowsOut, string Message, IReadOnlyList<CheckResult> FailedChecks)
{
    /// <summary>The version this task committed, with its inputs and check results, so that reporting it needs no ledger read.</summary>
    internal CheckedVersion? Committed { get; init; }

    /// <summary>
    /// Not committed because an input placed by this run did not commit (yet): its task may still commit it on a retry,
    /// so the runner runs this task again once its inputs' tasks ended (<see cref="Runner"/>).
    /// </summary>
    internal bool InputNotCommitted { get; init; }

    public static TaskOutcome Held(BuildStatus status, string message) => new(status, null, 0, 0, message, []);
}

/// <summary>
/// A failure of the work itself (bad SQL, bad data, I/O). It is retried with backoff when <see cref="Transient"/> says
/// so or, when that is null, when its cause is transient (<see cref="RetryPolicy"/>); check failures never are.
/// </summary>
public sealed class ProcessingException(string message, Exception? inner = null) : Exception(message, inner)
{
    public bool? Transient { get; init; }
}

/// <summary>How a run ended: the one mapping from its tasks to the run's status, the exit code, lineage and the scheduler.</summary>
public enum RunOutcome
{
    Ok,
    /// <summary>A check stopped the line (a task quarantined or blocked, or a box in scope still held by a stopped one).</summary>
    Stopped,
    /// <summary>A task or the publish step failed with a processing error.</summary>
    Failed,
}

public static class RunOutcomes
{
    public static RunOutcome Of(IEnumerable<TaskReport> tasks, bool lineStopped = false, bool publishFailed = false)
    {
        var statuses = tasks.Select(t => t.Outcome.Status).ToHashSet();
        return publishFailed || statuses.Contains(BuildStatus.Failed) ? RunOutcome.Failed
            : lineStopped || statuses.Contains(BuildStatus.Quarantined) || statuses.Contains(BuildStatus.Blocked) ? RunOutcome.Stopped
            : RunOutcome.Ok;
    }

    /// <summary>The run status the ledger records and <c>runs</c> shows: <c>ok</c>, <c>stopped</c> or <c>failed</c>.</summary>
    public static RunStatus Status(this RunOutcome outcome) => outcome switch
    {
        RunOutcome.Failed => RunStatus.Failed,
        RunOutcome.Stopped => RunStatus.Stopped,
        _ => RunStatus.Ok,
    };
}
