using Takt.Lake;

namespace Takt.Running;

public sealed record GcResult(int Versions, long Bytes, bool DryRun, IReadOnlyList<string> Examples);

/// <summary>
/// Frees lake files of versions that no environment points at, no kept publish copy uses and no quarantine keeps
/// for inspection, once they are older than the given age. The ledger keeps their rows (and so the lineage).
/// </summary>
public sealed class GarbageCollector(Workspace ws)
{
    public GcResult Collect(TimeSpan keep, bool dryRun)
    {
        var cutoff = ws.Clock.GetUtcNow() - keep;
        var candidates = ws.Ledger.CollectableVersions(cutoff.ToUnixTimeMilliseconds());
        long bytes = 0;
        foreach (var version in candidates)
        {
            bytes += version.Bytes;
            if (dryRun) continue;
            ws.Lake.Delete(new VersionLocation(version.Dataset, version.BoxKey, version.Id));
            ws.Ledger.MarkCollected(version.Id);
        }
        return new GcResult(candidates.Count, bytes, dryRun, candidates.Take(10).Select(v => $"{v.Dataset}@{v.BoxKey} {v.Id}").ToArray());
    }
}
