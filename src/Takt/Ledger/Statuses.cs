using System.Text.Json;
using System.Text.Json.Serialization;

namespace Takt.Ledger;

/// <summary>How a run stands: <c>running</c> until it finishes <c>ok</c>, <c>stopped</c> (by a check) or <c>failed</c>.</summary>
[JsonConverter(typeof(StatusWords.JsonWord<RunStatus>))]
public enum RunStatus
{
    Running,
    Ok,
    Stopped,
    Failed,
    /// <summary>Never recorded: a run recorded running whose process is gone (<see cref="RunRecord.StatusAt"/>).</summary>
    Died,
}

/// <summary>How a task of a build stands: <c>running</c> until it ends with one of the others.</summary>
[JsonConverter(typeof(StatusWords.JsonWord<BuildStatus>))]
public enum BuildStatus
{
    Running,
    Built,
    Reused,
    Blocked,
    Failed,
    Quarantined,
    Skipped,
}

/// <summary>What an event of the run log records.</summary>
[JsonConverter(typeof(StatusWords.JsonWord<EventKind>))]
public enum EventKind
{
    /// <summary>A failing check stopped the line: a version was quarantined.</summary>
    Andon,
    /// <summary>A person released a quarantined version.</summary>
    Override,
    Deploy,
    Publish,
    Rollback,
    /// <summary>Boxes were marked to be made again although nothing changed.</summary>
    Invalidate,
    /// <summary>An environment was dropped (its pointers only).</summary>
    EnvDrop,
    /// <summary>A landing file no box takes (misnamed, a directory, a control character in its name), or one left for the next build.</summary>
    LandingProblem,
    /// <summary>A version's files were found missing or damaged (by <c>verify</c> or a reader).</summary>
    Lost,
    /// <summary>A box had no usable version by its SLA deadline (recorded by the scheduler of <c>serve</c>).</summary>
    SlaMiss,
    /// <summary>A source's landed columns differ from the declared schema.</summary>
    SchemaDrift,
    /// <summary>An OpenLineage event could not be sent.</summary>
    LineageExportFailed,
    /// <summary>The scheduler of <c>serve</c> ran a build.</summary>
    ScheduleRun,
    /// <summary>The scheduler of <c>serve</c> skipped a build because one of the same targets still ran.</summary>
    ScheduleSkipped,
    /// <summary>A staging directory of a run no longer running could not be removed.</summary>
    StagingLeftover,
}

/// <summary>
/// The words a ledger stores and people read (CLI output, JSON) for <see cref="RunStatus"/>, <see cref="BuildStatus"/>,
/// <see cref="EventKind"/>, <see cref="VersionStatus"/> and <see cref="BoxHeadStatus"/>: one table per enum, read both
/// ways. These words are what ledgers already hold: never change one.
/// </summary>
public static class StatusWords
{
    private static readonly Words<RunStatus> Runs = new("run status",
        (RunStatus.Running, "running"), (RunStatus.Ok, "ok"), (RunStatus.Stopped, "stopped"), (RunStatus.Failed, "failed"), (RunStatus.Died, "died"));

    private static readonly Words<BuildStatus> Tasks = new("task status",
        (BuildStatus.Running, "running"), (BuildStatus.Built, "built"), (BuildStatus.Reused, "reused"), (BuildStatus.Blocked, "blocked"),
        (BuildStatus.Failed, "failed"), (BuildStatus.Quarantined, "quarantined"), (BuildStatus.Skipped, "skipped"));

    private static readonly Words<EventKind> Events = new("event kind",
        (EventKind.Andon, "andon"), (EventKind.Override, "override"), (EventKind.Deploy, "deploy"), (EventKind.Publish, "publish"),
        (EventKind.Rollback, "rollback"), (EventKind.Invalidate, "invalidate"), (EventKind.EnvDrop, "env_drop"),
        (EventKind.LandingProblem, "landing_problem"), (EventKind.Lost, "lost"), (EventKind.SlaMiss, "sla_miss"),
        (EventKind.SchemaDrift, "schema_drift"), (EventKind.LineageExportFailed, "lineage_export_failed"),
        (EventKind.ScheduleRun, "schedule_run"), (EventKind.ScheduleSkipped, "schedule_skipped"),
        (EventKind.StagingLeftover, "staging_leftover"));

    private static readonly Words<VersionStatus> Versions = new("version status",
        (VersionStatus.Committed, "committed"), (VersionStatus.Quarantined, "quarantined"), (VersionStatus.Overridden, "overridden"));

    private static readonly Words<BoxHeadStatus> Heads = new("box head status",
        (BoxHeadStatus.Ok, "ok"), (BoxHeadStatus.Quarantined, "quarantined"), (BoxHeadStatus.Lost, "lost"));

    public static string ToText(this RunStatus status) => Runs.Text(status);
    public static string ToText(this BuildStatus status) => Tasks.Text(status);
    public static string ToText(this EventKind kind) => Events.Text(kind);
    public static string ToText(this VersionStatus status) => Versions.Text(status);
    public static string ToText(this BoxHeadStatus status) => Heads.Text(status);

    public static bool TryParse(string text, out RunStatus status) => Runs.TryParse(text, out status);
    public static bool TryParse(string text, out BuildStatus status) => Tasks.TryParse(text, out status);
    public static bool TryParse(string text, out EventKind kind) => Events.TryParse(text, out kind);
    public static bool TryParse(string text, out VersionStatus status) => Versions.TryParse(text, out status);
    public static bool TryParse(string text, out BoxHeadStatus status) => Heads.TryParse(text, out status);

    /// <summary>Every event kind's word, in declaration order (what an API accepts as a filter).</summary>
    public static IEnumerable<string> EventKindWords => Enum.GetValues<EventKind>().Select(k => k.ToText());

    /// <summary>Writes and reads these enums in JSON as their words, wherever they are serialized.</summary>
    public sealed class JsonWord<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetString() is { } text && Parse(text) is T value ? value : throw new JsonException($"'{reader.GetString()}' is not a {typeof(T).Name} word.");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(Text(value));

        private static string Text(T value) => value switch
        {
            RunStatus s => s.ToText(),
            BuildStatus s => s.ToText(),
            EventKind k => k.ToText(),
            _ => throw new NotSupportedException(typeof(T).Name),
        };

        private static T? Parse(string text) => typeof(T) == typeof(RunStatus) ? (TryParse(text, out RunStatus r) ? (T)(object)r : null)
            : typeof(T) == typeof(BuildStatus) ? (TryParse(text, out BuildStatus b) ? (T)(object)b : null)
            : typeof(T) == typeof(EventKind) ? (TryParse(text, out EventKind k) ? (T)(object)k : null)
            : throw new NotSupportedException(typeof(T).Name);
    }

    private sealed class Words<T> where T : struct, Enum
    {
        private readonly Dictionary<T, string> _text;
        private readonly Dictionary<string, T> _values;

        public Words(string what, params (T Value, string Text)[] table)
        {
            _text = table.ToDictionary(e => e.Value, e => e.Text);
            _values = table.ToDictionary(e => e.Text, e => e.Value, StringComparer.Ordinal);
            var missing = Enum.GetValues<T>().Where(v => !_text.ContainsKey(v)).ToArray();
            if (missing.Length > 0) throw new InvalidOperationException($"no {what} word for {string.Join(", ", missing)}");
        }

        public string Text(T value) => _text.TryGetValue(value, out var text) ? text : throw new ArgumentOutOfRangeException(nameof(value), value, null);

        public bool TryParse(string text, out T value) => _values.TryGetValue(text, out value);
    }
}
