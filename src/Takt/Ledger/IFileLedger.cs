namespace Takt.Ledger;

/// <summary>One file of a version as the ledger recorded it at commit: its name in the version, size and SHA-256 (lower-case hex).</summary>
public sealed record VersionFile(string Name, long Size, string Sha256);

/// <summary>Whether a version's files are in the lake.</summary>
public enum VersionFileState
{
    Present,
    /// <summary>Found missing or damaged (by <c>verify</c> or a reader); the boxes that pointed at it are rebuilt.</summary>
    Lost,
    /// <summary>gc is deleting the files: no build may point at the version until a build makes it again.</summary>
    Collecting,
    /// <summary>gc deleted the files; the row stays for the lineage.</summary>
    Collected,
}

/// <summary>A version's file state and recorded files: what a reader needs before it opens them.</summary>
public sealed record StoredVersion(string Id, VersionFileState State, IReadOnlyList<VersionFile> Files);

/// <summary>A version that an environment's pointers (or what landed last for a source) name, with the environments that name it.</summary>
public sealed record VersionInUse(VersionRecord Version, IReadOnlyList<string> Environments);

/// <summary>The versions one gc batch marked as being collected, and the ones it left because a live run holds them.</summary>
public sealed record CollectingBatch(IReadOnlyList<VersionRecord> Marked, int InUse);

/// <summary>
/// What the lake holds for each version: its recorded files, files found lost, and garbage collection. A version's files
/// are recorded in the write that commits it (<see cref="IBoxLedger.Commit"/>); a version committed before the ledger kept
/// these records has none until a reader or <c>verify</c> records what it finds.
/// </summary>
/// <remarks>
/// The rule a second ledger must keep: gc never collects a version that a pointer or head of any environment, a source
/// head, a live publish copy or another live run's lease names, and from <see cref="BeginCollecting"/> on no commit,
/// adoption or quarantine may point at a version being collected (<see cref="CommitOutcome.FilesGone"/>).
/// </remarks>
public interface IFileLedger
{
    /// <summary>File state and recorded files of each of these versions (absent ids are left out), in one round trip.</summary>
    IReadOnlyDictionary<string, StoredVersion> StoredFiles(IReadOnlyCollection<string> versionIds);

    /// <summary>Records the files of a version that has none recorded (one committed before file records existed).</summary>
    void RecordFiles(string versionId, IReadOnlyList<VersionFile> files);

    /// <summary>
    /// Records that a version's files are missing or damaged, in one transaction: the version is lost, and every box
    /// whose pointer and head name it is marked lost, so that the next build rebuilds it (under the same version id
    /// when its recipe is unchanged). Returns how many boxes it marked; a version already lost is left as it is.
    /// </summary>
    int MarkLost(string versionId, string problem);

    /// <summary>Every version an environment's pointer or head names (one environment, or all and the source heads when null), by dataset, box, id.</summary>
    IReadOnlyList<VersionInUse> VersionsInUse(string? env);

    // --- garbage collection ---
    /// <summary>
    /// Versions created before the cutoff that no pointer, head, source head or live publish copy names and whose files
    /// are not freed yet, oldest first; versions an interrupted gc left being collected are among them, whatever their age.
    /// </summary>
    IReadOnlyList<VersionRecord> CollectableVersions(long createdBeforeMs);

    /// <summary>
    /// In one transaction: of these versions, those still unreferenced and not leased by another live run are marked as
    /// being collected by <paramref name="runId"/>, which takes their leases; from then on no build points at them.
    /// </summary>
    CollectingBatch BeginCollecting(IReadOnlyCollection<string> versionIds, string runId, TimeSpan leaseTtl);

    /// <summary>Moves a version an interrupted gc run left being collected to <paramref name="runId"/> (which holds its lease); false when it is no longer being collected.</summary>
    bool TakeOverCollecting(string versionId, string runId);

    /// <summary>Records that the files of these versions are deleted, and gives their leases back.</summary>
    void FinishCollecting(IReadOnlyCollection<string> versionIds, string runId);

    /// <summary>Gives versions back whose files gc could not delete and are still whole: they are present again.</summary>
    void AbandonCollecting(IReadOnlyCollection<string> versionIds, string runId);
}
