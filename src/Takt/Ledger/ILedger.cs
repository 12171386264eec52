using Takt.Boxes;

namespace Takt.Ledger;

/// <summary>
/// The metadata store and single source of truth about what exists: versions, lineage, pointers per environment,
/// runs, tasks, check results and events. SQLite by default; the interface is what a PostgreSQL ledger implements.
/// </summary>
public partial interface ILedger : IDisposable
{
    string Describe { get; }

    // --- planning: aggregates and boxes ---
    long CurrentSeq();
    DatasetSummary Summarize(string env, string dataset);
    IReadOnlyList<BoxState> Boxes(string env, string dataset, BoxRange range);
    IReadOnlyList<long> BoxList(string env, string dataset);
    IReadOnlyList<BoxState> QuarantinedBoxes(string env, string dataset);
    FreshStamp? Stamp(string env, string dataset);
    void SetStamps(string env, IReadOnlyDictionary<string, FreshStamp> stamps);

    // --- versions and commits ---
    VersionRecord? FindVersion(string id);
    /// <summary>Rows, bytes and schema of each of these versions (a task's inputs), in one round trip.</summary>
    IReadOnlyDictionary<string, VersionShape> Shapes(IReadOnlyCollection<string> versionIds);
    IReadOnlyList<VersionRecord> Versions(string dataset, BoxRange range);
    IReadOnlyList<LineageEdge> InputsOf(string versionId);
    IReadOnlyList<(string Dataset, long Box, string VersionId)> ReadersOf(string versionId);
    IReadOnlyList<CheckResult> CheckResults(string versionId);
    CommitOutcome Commit(CommitRequest request);
    /// <summary>Points the box at an existing usable version, if the inputs it was made from are still current and its files are in the lake.</summary>
    CommitOutcome Adopt(string env, VersionRecord version, IReadOnlyList<LineageEdge> inputs);
    /// <summary>Records that the box's head is an existing quarantined version (unless its files are gone: <see cref="CommitOutcome.FilesGone"/>).</summary>
    CommitOutcome MarkQuarantined(string env, VersionRecord version);

    // --- andon and recovery ---
    /// <summary>Releases the box's quarantined head; returns it, or null when the box is not quarantined.</summary>
    VersionRecord? Override(string env, string dataset, long box, string reason);

    // --- leases: no two builds commit the same work ---
    bool TryAcquireLease(string key, string owner, TimeSpan ttl);
    /// <summary>The run that holds a lease, or null when nobody does.</summary>
    string? LeaseHolder(string key);
    /// <summary>Takes a lease over from <paramref name="from"/> (a run found dead), unless someone else took it first.</summary>
    bool TakeOverLease(string key, string from, string to, TimeSpan ttl);
    void RenewLeases(string owner, TimeSpan ttl);
    /// <summary>Gives a lease back; the ledger may write it with its next write (reads through this ledger see it at once).</summary>
    void ReleaseLease(string key, string owner);

    // --- environments: sets of pointers over one shared lake ---
    IReadOnlyList<string> Environments();
    bool EnvironmentExists(string env);
    void EnsureEnvironment(string env);
    /// <summary>Removes an environment's pointers, stamps and record; versions and files stay.</summary>
    void DropEnvironment(string env);
    /// <summary>Boxes where <paramref name="env"/> and <paramref name="against"/> point at different versions (or only one has the box).</summary>
    long DifferingBoxes(string env, string against);
    /// <summary>Records that <paramref name="versionId"/> is what landed last for a source box.</summary>
    void SetSourceHead(string dataset, long box, string versionId);

    // --- deploys: a new code hash of a dataset seen by an environment ---
    string? DeployedCodeHash(string env, string dataset);
    /// <summary>
    /// Records that the environment now runs <paramref name="codeHash"/> for the dataset, if its deployed code is still
    /// <paramref name="previousHash"/> (checked in the same transaction); false when another build recorded a deploy
    /// since, so that builds starting together record each deploy once.
    /// </summary>
    bool RecordDeploy(string env, string dataset, string? previousHash, string codeHash, string? gitCommit);

    // --- publish: copies handed to online systems (ILedger.Publishing.cs) ---

    // --- landing zone bookkeeping ---
    IReadOnlyDictionary<string, LandedFile> LandedFiles(string dataset);
    void RecordLandedFiles(string dataset, IReadOnlyList<LandedFile> files);

    // --- runs, tasks, logs, events ---
    /// <summary>Records a run started by this process (<see cref="RunProcess.Current"/>).</summary>
    void StartRun(string runId, string env, string command);
    /// <summary>The process a run was started in, when the ledger knows it.</summary>
    RunProcess? ProcessOf(string runId);
    void FinishRun(string runId, string status, string summaryJson);
    /// <summary>Records that a task started and returns its id; the ledger may write it with its next write (reads through this ledger see it at once).</summary>
    long StartTask(string runId, string dataset, long box, string boxKey, string reason);
    /// <summary>Records how a task ended; the ledger may write it with its next write (reads through this ledger see it at once).</summary>
    void FinishTask(long taskId, string status, string? versionId, int attempts, long durationMs, long rowsIn, long rowsOut, string? error, IReadOnlyList<string> logLines);
    void RecordEvent(string kind, string env, string? dataset, string? boxKey, string? versionId, string message);
    IReadOnlyList<EventRecord> Events(string? dataset, int limit);
    IReadOnlyList<TaskRecord> Tasks(string runId);
    IReadOnlyList<string> TaskLog(long taskId);
    IReadOnlyList<RunRecord> Runs(int limit);
}
