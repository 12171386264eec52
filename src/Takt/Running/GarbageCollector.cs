using Takt.Lake;
using Takt.Ledger;

namespace Takt.Running;

/// <summary>What gc freed (or would free): versions and bytes, a few examples; versions left because a build held them.</summary>
public sealed record GcResult(int Versions, long Bytes, bool DryRun, IReadOnlyList<string> Examples)
{
    /// <summary>Candidates a build pointed at or held after they were listed: left alone.</summary>
    public int InUse { get; init; }
    /// <summary>Versions an interrupted gc had begun to free, finished by this one.</summary>
    public int Resumed { get; init; }
}

/// <summary>gc could not delete a version's files; the message says which, and what the ledger now holds.</summary>
public sealed class GcException(string message, Exception inner) : IOException(message, inner);

/// <summary>
/// Frees lake files of versions that no environment points at, no kept publish copy uses and no quarantine keeps
/// for inspection, once they are older than the given age. The ledger keeps their rows (and so the lineage).
/// </summary>
/// <remarks>
/// Safe against builds running at the same time and against a crash at any step. Per batch: (1) one ledger
/// transaction re-checks that each candidate is still unreferenced and not held by a build, marks it as being
/// collected by this run and takes its lease; from then on no build points at it (Adopt refuses it, a build that needs
/// it makes it again under its lease, after gc gives the lease back); (2) the files are deleted; (3) the versions are
/// marked collected. A crash after (1) leaves versions marked as being collected, which no pointer names: the next gc
/// finishes them, and a build that needs one takes the dead run's lease over and makes it again.
/// </remarks>
public sealed class GarbageCollector(Workspace ws)
{
    private const int BatchSize = 100;

    public GcResult Collect(TimeSpan keep, bool dryRun)
    {
        var now = ws.Clock.GetUtcNow();
        // A keep longer than the time since 1970 keeps every version (and TimeSpan arithmetic would overflow near its maximum).
        var cutoff = keep >= now - DateTimeOffset.UnixEpoch ? 0 : (now - keep).ToUnixTimeMilliseconds();
        var candidates = ws.Ledger.CollectableVersions(cutoff);
        if (dryRun) return new GcResult(candidates.Count, candidates.Sum(v => v.Bytes), true, Examples(candidates));
        FaultInjection.Hit("gc-after-list");

        var runId = now.ToString("yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-gc-" + Guid.NewGuid().ToString("N")[..8];
        ws.Ledger.StartRun(runId, ws.Env, "gc");
        var freed = new List<VersionRecord>();
        var (inUse, resumed, status) = (0, 0, RunStatus.Failed);
        try
        {
            using var leases = LeaseKeeper.Of(ws.Ledger, runId);
            var leftovers = candidates.Where(v => v.FileState == VersionFileState.Collecting).Where(v => TakeOver(v, leases, runId)).ToList();
            resumed = leftovers.Count;
            Delete(leftovers, runId, freed);
            foreach (var batch in candidates.Where(v => v.FileState != VersionFileState.Collecting).Chunk(BatchSize))
            {
                var marked = ws.Ledger.BeginCollecting(batch.Select(v => v.Id).ToArray(), runId, LeaseKeeper.Ttl);
                inUse += marked.InUse;
                FaultInjection.Hit("gc-after-mark");
                Delete(marked.Marked, runId, freed);
            }
            status = RunStatus.Ok;
        }
        finally
        {
            ws.Ledger.FinishRun(runId, status, System.Text.Json.JsonSerializer.Serialize(new { versions = freed.Count, bytes = freed.Sum(v => v.Bytes), inUse, resumed }));
        }
        return new GcResult(freed.Count, freed.Sum(v => v.Bytes), false, Examples(freed)) { InUse = inUse, Resumed = resumed };
    }

    /// <summary>Takes over a version an interrupted gc left being collected, once its lease is free (a dead run's at once).</summary>
    private bool TakeOver(VersionRecord version, LeaseKeeper leases, string runId)
    {
        if (!leases.Acquire(version.Id, done: () => ws.Ledger.FindVersion(version.Id)?.FileState != VersionFileState.Collecting)) return false;
        if (ws.Ledger.TakeOverCollecting(version.Id, runId)) return true;
        leases.Release(version.Id); // a build made it again meanwhile
        return false;
    }

    /// <summary>Deletes the files of versions this run marked, then marks them collected; a failure is loud and leaves each version whole or collected.</summary>
    private void Delete(IReadOnlyList<VersionRecord> marked, string runId, List<VersionRecord> freed)
    {
        var deleted = new List<VersionRecord>();
        foreach (var version in marked)
        {
            var location = Location(version);
            try
            {
                ws.Lake.Delete(location);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var rest = marked.Except(deleted).ToList();
                var whole = rest.Where(IsWhole).ToList();
                ws.Ledger.FinishCollecting(deleted.Concat(rest.Except(whole)).Select(v => v.Id).ToArray(), runId);
                ws.Ledger.AbandonCollecting(whole.Select(v => v.Id).ToArray(), runId);
                freed.AddRange(deleted);
                var state = whole.Any(v => v.Id == version.Id) ? "its files are whole and it stays as it was" : "part of its files are gone: it is marked freed";
                throw new GcException($"gc could not delete the files of {location} in {ws.Lake.Describe}: {e.Message} ({state}; " +
                    $"{freed.Count} version(s) freed before it, {whole.Count(v => v.Id != version.Id)} left for the next gc)", e);
            }
            deleted.Add(version);
            FaultInjection.Hit("gc-after-delete");
        }
        ws.Ledger.FinishCollecting(deleted.Select(v => v.Id).ToArray(), runId);
        freed.AddRange(deleted);
        FaultInjection.Hit("gc-after-finish");
    }

    private bool IsWhole(VersionRecord version)
    {
        var location = Location(version);
        var stored = ws.Ledger.StoredFiles([version.Id]).GetValueOrDefault(version.Id);
        if (stored is null) return false;
        var (files, problems) = ws.Files.Recorded(location, stored);
        return problems.Count == 0 && ws.Lake.Check(location, files, deep: false).Count == 0;
    }

    private static VersionLocation Location(VersionRecord v) => new(v.Dataset, v.BoxKey, v.Id);

    private static string[] Examples(IEnumerable<VersionRecord> versions) => versions.Take(10).Select(v => $"{v.Dataset}@{v.BoxKey} {v.Id}").ToArray();
}
