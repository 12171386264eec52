using Takt.Ledger;

namespace Takt.Lake;

/// <summary>A version's files cannot be read: lost, short, or freed by gc. The message names dataset, box, version and file.</summary>
public sealed class LostFilesException(string message) : IOException(message);

/// <summary>
/// How every reader gets a version's files: the ledger says which files the version is made of and how big each is;
/// each must be in the lake with that size before DuckDB opens it. A missing or short file is a located error, never
/// an empty or partial read, and it marks the version lost so that the next build makes it again.
/// </summary>
/// <param name="ledgerName">The ledger as people know it (<see cref="ILedger.Describe"/>), for messages.</param>
public sealed class VersionFiles(IFileLedger ledger, string ledgerName, ILake lake)
{
    public IReadOnlyList<string> Paths(VersionLocation version) => Paths([version]);

    /// <summary>Local paths of the files of all these versions, version by version in the given order.</summary>
    public IReadOnlyList<string> Paths(IReadOnlyList<VersionLocation> versions)
    {
        var stored = ledger.StoredFiles(versions.Select(v => v.VersionId).Distinct().ToArray());
        var paths = new List<string>(versions.Count);
        foreach (var version in versions) paths.AddRange(PathsOf(version, stored.GetValueOrDefault(version.VersionId)));
        return paths;
    }

    private IReadOnlyList<string> PathsOf(VersionLocation version, StoredVersion? stored)
    {
        if (stored is null) throw new LostFilesException($"{version}: not in the ledger {ledgerName}");
        if (stored.State is VersionFileState.Collecting or VersionFileState.Collected) throw new LostFilesException($"{version}: {Describe(stored.State)}");
        var (files, problems) = Recorded(version, stored);
        if (problems.Count == 0) problems = lake.Check(version, files, deep: false);
        if (problems.Count == 0 && stored.State == VersionFileState.Lost)
            problems = [new FileProblem("", FileProblemKind.Checksum, "its files were found damaged by an earlier check")];
        if (problems.Count > 0)
        {
            var problem = string.Join("; ", problems.Select(p => p.Description));
            if (stored.State == VersionFileState.Present) ledger.MarkLost(version.VersionId, problem);
            throw new LostFilesException($"{version}: {problem} (in {lake.Describe}); marked lost, the next build makes it again");
        }
        return lake.LocalPaths(version, files);
    }

    /// <summary>
    /// The files the ledger records for a version. A version committed before the ledger recorded files has none: the
    /// files found in the lake are recorded now (when they look complete), so that a later loss is caught.
    /// </summary>
    public (IReadOnlyList<VersionFile> Files, IReadOnlyList<FileProblem> Problems) Recorded(VersionLocation version, StoredVersion stored)
    {
        if (stored.Files.Count > 0) return (stored.Files, []);
        var (files, problems) = lake.Survey(version);
        if (problems.Count == 0) ledger.RecordFiles(version.VersionId, files);
        return (files, problems);
    }

    public static string Describe(VersionFileState state) => state switch
    {
        VersionFileState.Lost => "its files are lost (found by verify or an earlier read); the next build makes it again",
        VersionFileState.Collecting => "gc is deleting its files (it was no longer in use when gc began)",
        VersionFileState.Collected => "its files were freed by gc (it was no longer in use)",
        _ => "its files are in the lake",
    };
}
