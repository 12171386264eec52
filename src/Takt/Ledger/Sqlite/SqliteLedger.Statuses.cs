namespace Takt.Ledger.Sqlite;

/// <summary>
/// The one place the embedded ledger turns run and task statuses and event kinds into the words it stores and back
/// (<see cref="StatusWords"/>): a word it does not know is a located error, never a default.
/// </summary>
public sealed partial class SqliteLedger
{
    private static string Stored(RunStatus status) => status is RunStatus.Died
        ? throw new ArgumentException("a run is never recorded as died: that is read from a running run whose process is gone", nameof(status))
        : status.ToText();

    private static string Stored(BuildStatus status) => status.ToText();

    private static string Stored(EventKind kind) => kind.ToText();

    private RunStatus RunStatusOf(string text, string runId) =>
        StatusWords.TryParse(text, out RunStatus status) ? status : throw Unknown("run status", text, $"run {runId}");

    private BuildStatus TaskStatusOf(string text, long taskId, string runId) =>
        StatusWords.TryParse(text, out BuildStatus status) ? status : throw Unknown("task status", text, $"task {taskId} of run {runId}");

    private EventKind EventKindOf(string text, long eventId) =>
        StatusWords.TryParse(text, out EventKind kind) ? kind : throw Unknown("event kind", text, $"event {eventId}");

    private VersionStatus VersionStatusOf(string text, string versionId) =>
        StatusWords.TryParse(text, out VersionStatus status) ? status : throw Unknown("status", text, $"version {versionId}");

    private BoxHeadStatus BoxHeadStatusOf(string text, string env, string dataset, long box) =>
        StatusWords.TryParse(text, out BoxHeadStatus status) ? status : throw Unknown("head status", text, $"box {box} of {dataset} in {env}");

    private LedgerDataException Unknown(string what, string text, string where) =>
        new($"the ledger {LedgerPath} holds {where} with {what} '{text}', which this version of Takt does not know.");
}
