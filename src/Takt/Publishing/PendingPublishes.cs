using Takt.Running;

namespace Takt.Publishing;

/// <summary>A target of the environment whose live copy is not made of the environment's current versions of the dataset.</summary>
/// <param name="Live">The copy readers see, or null when none was published yet.</param>
/// <param name="Held">A rollback holds readers on the live copy: builds leave it so, <c>publish</c> releases it.</param>
public sealed record PendingPublish(string Dataset, string Target, string? Live, string Reason, bool Held)
{
    public override string ToString() => $"{(Held ? "publish held" : "publish pending")}: {Dataset} to {Target}: {Reason}";
}

/// <summary>
/// A publish is part of being fresh (contract 7): the targets whose live copy differs from the environment's current
/// versions, which <c>plan</c> and <c>status</c> show and <c>build</c> completes. Read from the ledger alone.
/// </summary>
public static class PendingPublishes
{
    public static IReadOnlyList<PendingPublish> Of(Workspace ws, IEnumerable<string> datasets)
    {
        var pending = new List<PendingPublish>();
        foreach (var dataset in datasets.Select(name => ws.Factory[name]))
        {
            var targets = PublishService.TargetsIn(dataset, ws.Env);
            if (targets.Count == 0) continue;
            var current = PublishService.CurrentVersions(ws, dataset).Select(v => v.VersionId).ToHashSet(StringComparer.Ordinal);
            var publications = ws.Ledger.Publications(dataset.Name);
            foreach (var target in targets)
            {
                var live = publications.FirstOrDefault(p => p.Target == target.Name && p.Live);
                if (live is null ? current.Count == 0 : current.SetEquals(live.Versions)) continue;
                var hold = ws.Ledger.PublishHold(dataset.Name, target.Name);
                if (hold is not null && current.SetEquals(hold.Versions))
                {
                    pending.Add(new PendingPublish(dataset.Name, target.Name, live?.Copy,
                        $"readers were rolled back to copy {hold.Copy}; `publish {dataset.Name}` releases them", Held: true));
                    continue;
                }
                var inCopy = live?.Versions.ToHashSet(StringComparer.Ordinal) ?? [];
                var reason = live is null
                    ? $"no copy published yet ({current.Count} current version(s) in {ws.Env})"
                    : $"live copy {live.Copy} holds {inCopy.Count(v => !current.Contains(v))} version(s) that are no longer current in {ws.Env} "
                      + $"and lacks {current.Count(v => !inCopy.Contains(v))} current one(s)";
                pending.Add(new PendingPublish(dataset.Name, target.Name, live?.Copy, reason, Held: false));
            }
        }
        return pending;
    }
}
