using System.Globalization;

namespace Takt.Ledger;

/// <summary>
/// A run as the ledger has it. <see cref="Status"/> is what was recorded: <c>running</c> until the run finishes, also
/// when its process was killed; <see cref="StatusAt"/> tells a run that died from one that runs.
/// </summary>
public sealed record RunRecord(string Id, string Env, string Command, long StartedAtMs, long? FinishedAtMs, RunStatus Status, string? SummaryJson)
{
    /// <summary>
    /// How long a run of another host may go unseen before it counts as died: its leases are renewed (and the run seen)
    /// every few seconds while it lives. A run of this host counts as died as soon as its process is gone.
    /// </summary>
    public static readonly TimeSpan Silence = TimeSpan.FromMinutes(1);

    /// <summary>The process the run was started in, when the ledger knows it.</summary>
    public RunProcess? Process { get; init; }

    /// <summary>When the run was last known alive: its start, then each renewal of its leases.</summary>
    public long LastSeenAtMs { get; init; }

    /// <summary>Recorded as running, but its process is gone from this host, or a process elsewhere has not been seen for <see cref="Silence"/>.</summary>
    public bool HasDied(long nowMs) =>
        Status == RunStatus.Running && Process is { } process
        && (process.IsOnThisHost ? process.IsGoneFromThisHost() : nowMs - LastSeenAtMs > (long)Silence.TotalMilliseconds);

    /// <summary>The recorded status, or <c>died</c> for a run whose process is gone.</summary>
    public RunStatus StatusAt(long nowMs) => HasDied(nowMs) ? RunStatus.Died : Status;

    /// <summary>"died (last seen 14:03:07Z)" (with the date when it is not the day the run started), or the status.</summary>
    public string DescribeAt(long nowMs)
    {
        if (!HasDied(nowMs)) return Status.ToText();
        var seen = DateTimeOffset.FromUnixTimeMilliseconds(LastSeenAtMs).UtcDateTime;
        var sameDay = seen.Date == DateTimeOffset.FromUnixTimeMilliseconds(StartedAtMs).UtcDateTime.Date;
        return $"{RunStatus.Died.ToText()} (last seen {seen.ToString(sameDay ? "HH:mm:ss'Z'" : "yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)})";
    }
}
