namespace Takt.Ledger;

/// <summary>
/// The log of what ran: runs (one per command that changes the factory), their tasks with logs, and events (andon,
/// override, deploy, invalidate, lost...). Append-mostly; nothing here moves a pointer.
/// </summary>
public interface IRunLog
{
    /// <summary>Records a run started by this process (<see cref="RunProcess.Current"/>), status <c>running</c>.</summary>
    void StartRun(string runId, string env, string command);

    /// <summary>The process a run was started in, when the ledger knows it.</summary>
    RunProcess? ProcessOf(string runId);

    /// <summary>Records that the run's process is alive now; the lease renewal calls it every few seconds. A finished run is left as it is.</summary>
    void RecordRunSeen(string runId);

    /// <summary>Records how a run ended and when.</summary>
    void FinishRun(string runId, RunStatus status, string summaryJson);

    /// <summary>One run by id, or null.</summary>
    RunRecord? FindRun(string runId);

    /// <summary>The newest runs, newest start first.</summary>
    IReadOnlyList<RunRecord> Runs(int limit);

    /// <summary>
    /// Records that a task started and returns its id: unique in the store and greater than every task id handed out
    /// before by any instance (ids order tasks). May be deferred (see <see cref="ILedger"/>); the task is recorded before
    /// any version that names it.
    /// </summary>
    long StartTask(string runId, string dataset, long box, string boxKey, string reason);

    /// <summary>Records how a task ended, with its log lines (in order). May be deferred (see <see cref="ILedger"/>).</summary>
    void FinishTask(long taskId, BuildStatus status, string? versionId, int attempts, long durationMs, long rowsIn, long rowsOut, string? error, IReadOnlyList<string> logLines);

    /// <summary>The run's tasks, by id.</summary>
    IReadOnlyList<TaskRecord> Tasks(string runId);

    /// <summary>A task's log lines in the order they were written.</summary>
    IReadOnlyList<string> TaskLog(long taskId);

    /// <summary>Appends an event; its id is greater than every event's before it.</summary>
    void RecordEvent(EventKind kind, string env, string? dataset, string? boxKey, string? versionId, string message);

    /// <summary>The newest events (of one dataset, or all), newest first.</summary>
    IReadOnlyList<EventRecord> Events(string? dataset, int limit);

    /// <summary>The newest events of the given kinds (optionally of one dataset), newest first; none for no kinds.</summary>
    IReadOnlyList<EventRecord> EventsOfKinds(IReadOnlyCollection<EventKind> kinds, string? dataset, int limit);
}
