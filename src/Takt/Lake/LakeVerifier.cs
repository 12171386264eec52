using System.Collections.Concurrent;
using Takt.Ledger;

namespace Takt.Lake;

/// <summary>One version whose files are not what the ledger recorded, and which environments point at it.</summary>
/// <remarks><see cref="Kind"/> is <c>missing</c>, <c>size</c>, <c>checksum</c> or <c>not-parquet</c>.</remarks>
public sealed record VerifyProblem(string Dataset, string Box, string Version, IReadOnlyList<string> Environments, string File, string Kind,
    string Problem, bool AlreadyLost);

/// <summary>What <c>verify</c> checked and found; every version with a problem is now marked lost in the ledger.</summary>
public sealed record VerifyResult(string? Env, bool Deep, int Versions, int Files, long Bytes, int Recorded, int BoxesMarked, IReadOnlyList<VerifyProblem> Problems);

/// <summary>
/// Checks that the files of every version in use (pointed at, a quarantined head kept for inspection, what landed last
/// for a source) are in the lake as the ledger recorded them: present with their size, and with <c>deep</c> their
/// SHA-256. Each version with a problem is marked lost, so that the next build makes it again.
/// </summary>
public sealed class LakeVerifier(IFileLedger ledger, ILake lake, VersionFiles files)
{
    public VerifyResult Verify(string? env, bool deep, int parallelism)
    {
        var inUse = ledger.VersionsInUse(env);
        var stored = ledger.StoredFiles(inUse.Select(v => v.Version.Id).ToArray());
        var problems = new ConcurrentBag<VerifyProblem>();
        long fileCount = 0, bytes = 0, recorded = 0, marked = 0;
        Parallel.ForEach(inUse, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, use =>
        {
            var v = use.Version;
            var location = new VersionLocation(v.Dataset, v.BoxKey, v.Id);
            var found = Check(location, stored.GetValueOrDefault(v.Id), deep, ref recorded, out var checkedFiles);
            Interlocked.Add(ref fileCount, checkedFiles.Count);
            Interlocked.Add(ref bytes, checkedFiles.Sum(f => f.Size));
            if (found.Count == 0) return;
            var alreadyLost = v.FileState == VersionFileState.Lost;
            if (!alreadyLost) Interlocked.Add(ref marked, ledger.MarkLost(v.Id, string.Join("; ", found.Select(p => p.Description))));
            foreach (var p in found) problems.Add(new VerifyProblem(v.Dataset, v.BoxKey, v.Id, use.Environments, p.File, KindName(p.Kind), p.Description, alreadyLost));
        });
        var sorted = problems.OrderBy(p => p.Dataset, StringComparer.Ordinal).ThenBy(p => p.Box, StringComparer.Ordinal)
            .ThenBy(p => p.Version, StringComparer.Ordinal).ThenBy(p => p.File, StringComparer.Ordinal).ToArray();
        return new VerifyResult(env, deep, inUse.Count, (int)fileCount, bytes, (int)recorded, (int)marked, sorted);
    }

    private static string KindName(FileProblemKind kind) => kind switch
    {
        FileProblemKind.Missing => "missing",
        FileProblemKind.Size => "size",
        FileProblemKind.Checksum => "checksum",
        _ => "not-parquet",
    };

    private IReadOnlyList<FileProblem> Check(VersionLocation location, StoredVersion? stored, bool deep, ref long recorded, out IReadOnlyList<VersionFile> checkedFiles)
    {
        checkedFiles = [];
        if (stored is null) return [new FileProblem("", FileProblemKind.Missing, "not in the ledger")];
        if (stored.State is VersionFileState.Collecting or VersionFileState.Collected)
            return [new FileProblem("", FileProblemKind.Missing, $"named by a pointer, but {VersionFiles.Describe(stored.State)}")];
        var (recordedFiles, problems) = files.Recorded(location, stored);
        if (stored.Files.Count == 0 && problems.Count == 0) Interlocked.Increment(ref recorded);
        checkedFiles = recordedFiles;
        if (problems.Count > 0) return problems;
        problems = lake.Check(location, recordedFiles, deep);
        if (problems.Count == 0 && stored.State == VersionFileState.Lost)
            return [new FileProblem("", FileProblemKind.Checksum, "found damaged by an earlier check")];
        return problems;
    }
}
