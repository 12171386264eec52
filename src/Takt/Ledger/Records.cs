namespace Takt.Ledger;

/// <summary>Whether a version may be read: what its checks said, and whether a person released it.</summary>
public enum VersionStatus
{
    /// <summary>Its checks passed (or only warned): readers may see it.</summary>
    Committed,
    /// <summary>A blocking check failed: it is kept as a box's head, never as the pointer, until overridden.</summary>
    Quarantined,
    /// <summary>Was quarantined; a person released it (<see cref="IBoxLedger.Override"/>).</summary>
    Overridden,
}

/// <summary>What a <see cref="VersionStatus"/> allows (its words are in <see cref="StatusWords"/>).</summary>
public static class LedgerStatuses
{
    public static bool IsUsable(this VersionStatus status) => status is VersionStatus.Committed or VersionStatus.Overridden;
}

/// <summary>One immutable materialization of a box.</summary>
public sealed record VersionRecord(
    string Id,
    string Dataset,
    long Box,
    string BoxKey,
    string CodeHash,
    int Generation,
    VersionStatus Status,
    long Rows,
    long Bytes,
    string SchemaJson,
    long CreatedAtMs,
    string? RunId,
    VersionFileState FileState = VersionFileState.Present)
{
    public bool HasFiles => FileState == VersionFileState.Present;
    public bool Collected => FileState == VersionFileState.Collected;
}

/// <summary>The process a run runs in: its host, process id and the time the process started (pids are reused).</summary>
public sealed record RunProcess(string Host, int Pid, long StartedAtMs)
{
    public static RunProcess Current { get; } = Of(System.Diagnostics.Process.GetCurrentProcess());

    private static RunProcess Of(System.Diagnostics.Process process) =>
        new(Environment.MachineName, process.Id, new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds());

    public bool IsOnThisHost => string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when this is a process of this host that no longer runs (or whose pid now belongs to another process).</summary>
    public bool IsGoneFromThisHost()
    {
        if (!IsOnThisHost) return false; // cannot tell
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(Pid);
            return process.HasExited || IsZombie(Pid) || Math.Abs(Of(process).StartedAtMs - StartedAtMs) > 2_000;
        }
        catch (ArgumentException) { return true; } // no such process
        catch (InvalidOperationException) { return true; } // it exited while we looked
    }

    /// <summary>
    /// A killed process whose parent has not reaped it yet (or never will: a daemon, a shell that exec'ed another
    /// program) keeps its pid, and .NET reports it running; Linux says it is a zombie ('Z') or dead ('X').
    /// </summary>
    private static bool IsZombie(int pid)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat"); // "pid (command) state ...": the command may hold any character
            var state = stat.LastIndexOf(')') is var end and >= 0 && end + 2 < stat.Length ? stat[end + 2] : '?';
            return state is 'Z' or 'X';
        }
        catch (IOException) { return true; } // gone while we looked
    }
}

/// <summary>How big a version is and what its columns are, without its identity: what a task needs of its inputs.</summary>
public sealed record VersionShape(long Rows, long Bytes, string SchemaJson);

/// <summary>An input version a version was made from: its lineage.</summary>
public sealed record LineageEdge(string Dataset, long Box, string VersionId);

public sealed record CheckResult(string Name, string Kind, string Severity, bool Passed, long FailingRows, string Message);

/// <summary>
/// The state of one box in one environment. <see cref="CurrentVersion"/> is the pointer readers see; the head is the
/// latest evaluation (its code hash, generation and sequence), which differs from the current version only when the
/// head was stopped by a check (<see cref="HeadStatus"/> quarantined).
/// </summary>
public sealed record BoxState(
    long Box,
    string? CurrentVersion,
    string HeadVersion,
    BoxHeadStatus HeadStatus,
    string CodeHash,
    int Generation,
    long Seq)
{
    public bool IsQuarantined => HeadStatus == BoxHeadStatus.Quarantined;
}

/// <summary>What a box's head is: the version readers see, one stopped by a check, or one whose files were found lost.</summary>
public enum BoxHeadStatus
{
    Ok,
    Quarantined,
    /// <summary>The current version's files were found missing or damaged; the next build makes them again.</summary>
    Lost,
}

/// <summary>Aggregates over one dataset's boxes in an environment, answered from indexes without loading boxes.</summary>
public sealed record DatasetSummary(long Count, long MinBox, long MaxBox, long MaxSeq, long Quarantined, long MinSeq)
{
    public static DatasetSummary None { get; } = new(0, 0, -1, 0, 0, 0);
    public bool IsContiguous => Count == 0 || MaxBox - MinBox + 1 == Count;
}

/// <summary>"At sequence <see cref="Seq"/>, every box of the dataset was fresh under <see cref="CodeHash"/>."</summary>
public sealed record FreshStamp(string CodeHash, long Seq);

/// <summary>What a task asks the ledger to record in one transaction.</summary>
public sealed record CommitRequest(
    string Env,
    VersionRecord Version,
    IReadOnlyList<LineageEdge> Inputs,
    IReadOnlyList<CheckResult> Checks,
    long? TaskId)
{
    /// <summary>The version's files as the lake stored them; they replace any earlier record of the same version.</summary>
    public IReadOnlyList<VersionFile> Files { get; init; } = [];
}

public enum CommitOutcome
{
    /// <summary>The version is new and the pointer moved to it (or the head was quarantined).</summary>
    Committed,
    /// <summary>The pointer already was at this version, or another build committed the same recipe first.</summary>
    AlreadyCurrent,
    /// <summary>An input moved while the task ran; the version is kept but the pointer stays.</summary>
    InputsMoved,
    /// <summary>The version's files are lost or freed by gc (or being freed): the pointer stays; the version must be made again.</summary>
    FilesGone,
}

public sealed record LandedFile(string Path, long Size, long ModifiedTicks, string Sha256, string Boxes);

public sealed record TaskRecord(
    long Id, string RunId, string Dataset, string BoxKey, string Reason, BuildStatus Status, string? VersionId,
    int Attempts, long StartedAtMs, long DurationMs, long RowsOut, string? Error);

public sealed record EventRecord(long Id, long AtMs, EventKind Kind, string Env, string? Dataset, string? BoxKey, string? VersionId, string Message);

/// <summary>One physical copy of a dataset in a publish target.</summary>
public sealed record PublicationRecord(
    string Dataset, string Target, string Copy, string Env, long CreatedAtMs, long Rows, IReadOnlyList<string> Versions, bool Live, long? DroppedAtMs);
