using Takt.Boxes;

namespace Takt.Ledger;

/// <summary>
/// Boxes and their versions: the pointers of each environment, the immutable versions and their lineage and checks, the
/// commit that moves a pointer, the andon (quarantine and override) and invalidation generations. What the planner reads
/// and every task writes.
/// </summary>
/// <remarks>
/// The <em>change sequence</em> is one number per store. It grows with every write that changes a box's pointer, head
/// or generation (a commit, quarantine, override, invalidation, a box found lost), never goes back, and every box
/// carries the sequence of its last change: a box whose sequence is below its inputs' is stale. Two ledgers
/// on the same store see one sequence.
/// </remarks>
public partial interface IBoxLedger
{
    // --- planning reads ---

    /// <summary>The change sequence now (0 on an empty store); never smaller than any box's <see cref="BoxState.Seq"/>.</summary>
    long CurrentSeq();

    /// <summary>Aggregates over the dataset's boxes in the environment (<see cref="DatasetSummary.None"/>'s values when it has none).</summary>
    DatasetSummary Summarize(string env, string dataset);

    /// <summary>The environment's boxes of the dataset in <paramref name="range"/> (inclusive), by box; boxes it never had are left out.</summary>
    IReadOnlyList<BoxState> Boxes(string env, string dataset, BoxRange range);

    /// <summary>The numbers of all the environment's boxes of the dataset, ascending.</summary>
    IReadOnlyList<long> BoxList(string env, string dataset);

    /// <summary>The environment's boxes of the dataset whose head is quarantined, by box.</summary>
    IReadOnlyList<BoxState> QuarantinedBoxes(string env, string dataset);

    /// <summary>The dataset's freshness stamp in the environment, or null when none was set.</summary>
    FreshStamp? Stamp(string env, string dataset);

    /// <summary>Sets stamps in one write; a stamp never goes back to a smaller sequence (an older stamp is ignored).</summary>
    void SetStamps(string env, IReadOnlyDictionary<string, FreshStamp> stamps);

    // --- versions ---

    /// <summary>A version by id with its file state, or null.</summary>
    VersionRecord? FindVersion(string id);

    /// <summary>Rows, bytes and schema of each of these versions (a task's inputs) in one round trip; unknown ids are left out.</summary>
    IReadOnlyDictionary<string, VersionShape> Shapes(IReadOnlyCollection<string> versionIds);

    /// <summary>Every version of the dataset's boxes in <paramref name="range"/>, whatever its status, by box then creation time.</summary>
    IReadOnlyList<VersionRecord> Versions(string dataset, BoxRange range);

    /// <summary>The inputs a version was made from, as recorded at its first commit, by dataset then box.</summary>
    IReadOnlyList<LineageEdge> InputsOf(string versionId);

    /// <summary>The check results recorded with a version at its first commit, by name.</summary>
    IReadOnlyList<CheckResult> CheckResults(string versionId);

    // --- commits: one write each, all of it or nothing ---

    /// <summary>
    /// Records a task's version and moves its box, in one write. A new version is recorded with its inputs, checks and
    /// files. Then, for a usable version: <see cref="CommitOutcome.InputsMoved"/> when the environment no longer points
    /// at one of the inputs (the version is kept, the pointer stays); <see cref="CommitOutcome.AlreadyCurrent"/> when
    /// the pointer already names it (same recipe built twice; the box's sequence does not move unless it must catch up
    /// with its inputs'); otherwise <see cref="CommitOutcome.Committed"/>, the pointer and head name it at a new
    /// sequence. A quarantined version becomes the head and leaves the pointer as it was (an <c>andon</c> event).
    /// A version the store knows whose files were lost or collected is present again with the request's files.
    /// </summary>
    CommitOutcome Commit(CommitRequest request);

    /// <summary>
    /// Points the box at an existing usable version, as <see cref="Commit"/> does (same outcomes), when the inputs it was
    /// made from are still current; <see cref="CommitOutcome.FilesGone"/> when its files are lost or collected.
    /// </summary>
    CommitOutcome Adopt(string env, VersionRecord version, IReadOnlyList<LineageEdge> inputs);

    /// <summary>Makes an existing quarantined version the box's head (pointer unchanged), or <see cref="CommitOutcome.FilesGone"/>.</summary>
    CommitOutcome MarkQuarantined(string env, VersionRecord version);

    // --- andon and recovery ---

    /// <summary>
    /// Releases the box's quarantined head: the version becomes <see cref="VersionStatus.Overridden"/>, the pointer names
    /// it at a new sequence, and an <c>override</c> event records the reason. Returns the version, or null (and changes
    /// nothing) when the box's head is not quarantined.
    /// </summary>
    VersionRecord? Override(string env, string dataset, long box, string reason);

    // --- invalidations: generations kept as ranges, never one row per box ---

    /// <summary>The invalidation generation of the boxes in <paramref name="range"/>: per box, how many invalidations covered it.</summary>
    GenerationMap Generations(string dataset, BoxRange range);

    /// <summary>The change sequence of the dataset's last invalidation (0 when it never had one).</summary>
    long MaxGenerationSeq(string dataset);

    /// <summary>
    /// Moves every box of <paramref name="boxes"/> (not empty) one generation on, as one record whatever the width, at a
    /// new change sequence, with an <c>invalidate</c> event.
    /// </summary>
    /// <param name="describe">The boxes as the user reads them, for the event.</param>
    void Invalidate(string dataset, BoxRange boxes, string describe, long count, string reason);

    /// <summary>How many boxes of the dataset the environment has in <paramref name="range"/>.</summary>
    long CountBoxes(string env, string dataset, BoxRange range);
}
