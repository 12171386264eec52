using Takt.Ledger;

namespace Takt.Lake;

/// <summary>Where a version's files live: <c>&lt;dataset&gt;/&lt;box&gt;/&lt;version&gt;/</c>.</summary>
public sealed record VersionLocation(string Dataset, string BoxKey, string VersionId)
{
    public string RelativePath => $"{Dataset}/{BoxKey}/{VersionId}";

    /// <summary>How errors name the version: <c>core.orders@2026-01-05 version X</c>.</summary>
    public override string ToString() => $"{Dataset}@{BoxKey} version {VersionId}";
}

/// <summary>What is wrong with one stored file of a version.</summary>
public sealed record FileProblem(string File, FileProblemKind Kind, string Description);

public enum FileProblemKind
{
    /// <summary>The file (or the version's directory) is not there, or a version has no file at all.</summary>
    Missing,
    /// <summary>The file's size is not the recorded one: cut short, or written over.</summary>
    Size,
    /// <summary>The file's bytes do not hash to the recorded SHA-256 (found by a deep check only).</summary>
    Checksum,
    /// <summary>The file does not end like a complete Parquet file (checked when no size was recorded).</summary>
    NotParquet,
}

/// <summary>
/// The store of version files. A task writes into a local staging directory; <see cref="Place"/> stores the files
/// under the version's location and says what it stored (name, size, SHA-256), which the ledger records with the
/// commit. A version is the list of files the ledger records: readers ask for local paths of exactly those files,
/// checked against the record, and never list a directory to find out what a version holds.
/// </summary>
/// <remarks>
/// What a second lake (an object store) must keep, checked by <c>tests/Takt.Tests/Contracts/LakeContract</c>: the
/// commit is the ledger's write, not anything the lake does (files count only once the ledger records them); what
/// <see cref="Place"/> returned is durable once <see cref="Persist"/> returns; staging is always a local directory
/// (DuckDB writes there) and what a crashed run staged is removed by <see cref="CleanStaging"/>.
/// </remarks>
public interface ILake
{
    /// <summary>Names the lake for people (<c>file:/home/x/lake</c>).</summary>
    string Describe { get; }

    /// <summary>
    /// The local directory of what the lake keeps across builds beside versions: the per-box extracts of landing files
    /// split by a column (see <c>KeptSplits</c>), a cache no ledger row names, which a build may delete and remake.
    /// </summary>
    string KeptDirectory { get; }

    /// <summary>A fresh, empty local directory for one task attempt to write into (what an earlier attempt of the same name left is removed).</summary>
    string CreateStaging(string runId, string attempt);

    /// <summary>
    /// Stores the staged Parquet files at the version's location (what an earlier attempt left there is replaced) and
    /// returns them measured, by name; the staging directory is gone afterwards. They are durable only after
    /// <see cref="Persist"/> of that location: versions that finish together are placed one by one and persisted with
    /// one barrier (group commit).
    /// </summary>
    IReadOnlyList<VersionFile> Place(string stagingDirectory, VersionLocation location);

    /// <summary>One durability barrier for versions <see cref="Place"/>d: when it returns, their files and the names that lead to them survive a power loss.</summary>
    void Persist(IReadOnlyCollection<VersionLocation> locations);

    /// <summary>What is wrong with the version's stored files: missing or of another size; with <paramref name="deep"/>, also their content.</summary>
    IReadOnlyList<FileProblem> Check(VersionLocation location, IReadOnlyList<VersionFile> files, bool deep);

    /// <summary>Local paths of the version's files, in the given order, for DuckDB to read (callers <see cref="Check"/> them first).</summary>
    IReadOnlyList<string> LocalPaths(VersionLocation location, IReadOnlyList<VersionFile> files);

    /// <summary>
    /// The Parquet files found at a version's location, measured, with what is wrong with them: for versions committed
    /// before the ledger recorded their files.
    /// </summary>
    (IReadOnlyList<VersionFile> Files, IReadOnlyList<FileProblem> Problems) Survey(VersionLocation location);

    /// <summary>
    /// Removes the staging directories of every run for which <paramref name="isRunAlive"/> says false: leftovers of a
    /// crash. Returns those it could not remove, with why (one already gone is not among them).
    /// </summary>
    IReadOnlyList<StagingLeftover> CleanStaging(Func<string, bool> isRunAlive);

    /// <summary>Removes one staging directory (nothing when it is gone already).</summary>
    void DiscardStaging(string stagingDirectory);

    /// <summary>Deletes a version's files (nothing when they are gone already); only for versions the ledger marked as being collected (or whose files are lost).</summary>
    void Delete(VersionLocation location);
}

/// <summary>A staging directory of a run no longer running that could not be removed, and why.</summary>
public sealed record StagingLeftover(string Directory, string Reason)
{
    public string Describe() => $"staging directory {Directory} of a run no longer running could not be removed ({Reason}); it holds disk space until removed by hand";
}
