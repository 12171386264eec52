using Takt.Ledger;
using Takt.Running;

namespace Takt.Measuring;

/// <summary>One item of waste: what, why, whose, and what it costs to keep.</summary>
public sealed record WasteItem(string Kind, string Dataset, string Owner, string What, long BytesHeld);

/// <summary>
/// Work no use case needs: datasets nothing reads, transforms recomputed without ever changing their output, and checks
/// that never fail or never ran. Each item names its owner and the bytes it holds in the lake.
/// </summary>
public static class WasteReport
{
    public static IReadOnlyList<WasteItem> Find(Workspace ws, int days, int builds)
    {
        var factory = ws.Factory;
        var sinceMs = (ws.Clock.GetUtcNow() - TimeSpan.FromDays(days)).ToUnixTimeMilliseconds();
        var bytes = ws.Ledger.Inventory(ws.Env).ToDictionary(i => i.Dataset, i => i.Bytes);
        var published = factory.Datasets.ToDictionary(d => d.Name, d => ws.Ledger.Publications(d.Name).Any(p => p.CreatedAtMs >= sinceMs));
        var items = new List<WasteItem>();

        foreach (var dataset in factory.Datasets)
        {
            var held = bytes.GetValueOrDefault(dataset.Name);
            if (factory.Downstream(dataset.Name).Count == 0 && dataset.UsedBy.Count == 0 && !published[dataset.Name])
                items.Add(new WasteItem("unused_dataset", dataset.Name, dataset.Owner,
                    $"no dataset reads it, it declares no consumer (UsedBy) and it was not published in the last {days} days", held));
        }

        foreach (var group in ws.Ledger.VersionsSince(sinceMs).Where(v => factory.Contains(v.Dataset) && !factory[v.Dataset].IsSource).GroupBy(v => v.Dataset))
        {
            var rebuilds = group.GroupBy(v => v.Box).SelectMany(box => box.OrderBy(v => v.CreatedAtMs).Zip(box.OrderBy(v => v.CreatedAtMs).Skip(1))).ToList();
            if (rebuilds.Count >= builds && rebuilds.All(pair => pair.First.Rows == pair.Second.Rows && pair.First.Bytes == pair.Second.Bytes && pair.First.SchemaJson == pair.Second.SchemaJson))
                items.Add(new WasteItem("unchanged_output", group.Key, factory[group.Key].Owner,
                    $"rebuilt {rebuilds.Count} times in the last {days} days and the output never changed (same rows, bytes and schema)", bytes.GetValueOrDefault(group.Key)));
        }

        var stats = ws.Ledger.CheckStats().ToDictionary(s => (s.Dataset, s.Check));
        foreach (var dataset in factory.Datasets)
        {
            foreach (var check in dataset.Checks)
            {
                var stat = stats.GetValueOrDefault((dataset.Name, check.Name));
                if (stat is null || stat.Runs == 0)
                    items.Add(new WasteItem("check_never_ran", dataset.Name, dataset.Owner, $"check {check.Name} never ran", 0));
                else if (stat.Failures == 0 && stat.Runs >= builds)
                    items.Add(new WasteItem("check_never_fails", dataset.Name, dataset.Owner, $"check {check.Name} ran {stat.Runs} times and never failed", 0));
            }
        }
        return items;
    }
}
