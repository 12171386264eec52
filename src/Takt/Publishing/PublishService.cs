using Takt.Boxes;
using Takt.Definitions;
using Takt.Lake;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Publishing;

/// <param name="Unchanged">The live copy already holds exactly these versions; no copy was written.</param>
public sealed record PublishResult(string Dataset, string Target, string Copy, long Rows, int Versions, IReadOnlyList<string> DroppedCopies, bool Unchanged = false);

/// <summary>A box range cannot be published: some box is stale, missing or stopped by a check.</summary>
public sealed class NotPublishableException(string message) : Exception(message);

/// <summary>
/// Publishes the current versions of a dataset's boxes as a new copy in each of its targets, switches readers to it
/// atomically, keeps the last N copies, and rolls back by switching to an older copy.
/// </summary>
public sealed class PublishService(Workspace ws)
{
    public IReadOnlyList<PublishResult> Publish(string datasetName, DateOnly? from = null, DateOnly? to = null)
    {
        var dataset = ws.Factory[datasetName];
        if (dataset.PublishTargets.Count == 0) throw new NotPublishableException($"{dataset.Name} declares no publish target (.PublishTo(...)).");
        var versions = PublishableVersions(dataset, from, to);
        var files = versions.SelectMany(v => ws.Lake.Files(new VersionLocation(dataset.Name, dataset.BoxKey(v.Box), v.VersionId))).ToArray();
        var results = new List<PublishResult>();
        foreach (var target in dataset.PublishTargets)
        {
            using var exclusive = new PublishLock(ws, dataset.Name, target.Name);
            var history = ws.Ledger.Publications(dataset.Name).Where(p => p.Target == target.Name).ToList();
            if (history.FirstOrDefault(p => p.Live) is { } live && live.Versions.Order().SequenceEqual(versions.Select(v => v.VersionId).Order()))
            {
                results.Add(new PublishResult(dataset.Name, target.Name, live.Copy, live.Rows, versions.Count, [], Unchanged: true));
                continue;
            }
            using var publisher = Publishers.Open(target, ws.Home, ws.DuckDb);
            var copy = "c" + (history.Select(p => int.Parse(p.Copy[1..], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max() + 1);
            var rows = publisher.WriteCopy(copy, files, dataset.Schema);
            publisher.SwitchTo(copy);
            ws.Ledger.RecordPublication(new PublicationRecord(dataset.Name, target.Name, copy, ws.Env, ws.Clock.GetUtcNow().ToUnixTimeMilliseconds(), rows,
                versions.Select(v => v.VersionId).ToArray(), true, null));
            var dropped = new List<string>();
            foreach (var old in history.Where(p => p.DroppedAtMs is null).OrderByDescending(p => p.CreatedAtMs).Skip(target.Keep - 1))
            {
                publisher.DropCopy(old.Copy);
                ws.Ledger.MarkDropped(dataset.Name, target.Name, old.Copy);
                dropped.Add(old.Copy);
            }
            results.Add(new PublishResult(dataset.Name, target.Name, copy, rows, versions.Count, dropped));
        }
        return results;
    }

    /// <summary>Switches readers of every target of the dataset back to <paramref name="copy"/>, or to the copy before the live one.</summary>
    public IReadOnlyList<(string Target, string From, string To)> Rollback(string datasetName, string? copy = null)
    {
        var dataset = ws.Factory[datasetName];
        var switched = new List<(string, string, string)>();
        foreach (var target in dataset.PublishTargets)
        {
            var kept = ws.Ledger.Publications(dataset.Name).Where(p => p.Target == target.Name && p.DroppedAtMs is null).OrderBy(p => p.CreatedAtMs).ToList();
            var live = kept.FirstOrDefault(p => p.Live) ?? throw new NotPublishableException($"{dataset.Name} has no live copy on {target.Name} to roll back from.");
            var to = copy is null
                ? kept.LastOrDefault(p => p.CreatedAtMs < live.CreatedAtMs) ?? throw new NotPublishableException($"{dataset.Name} on {target.Name} keeps no copy older than the live one ({live.Copy}).")
                : kept.FirstOrDefault(p => p.Copy == copy) ?? throw new ArgumentException(
                    $"{dataset.Name} on {target.Name} has no kept copy '{copy}' (kept: {string.Join(", ", kept.Select(p => p.Copy))}).");
            using var exclusive = new PublishLock(ws, dataset.Name, target.Name);
            using var publisher = Publishers.Open(target, ws.Home, ws.DuckDb);
            publisher.SwitchTo(to.Copy);
            ws.Ledger.SetLive(dataset.Name, target.Name, to.Copy, $"rollback from {live.Copy}");
            switched.Add((target.Name, live.Copy, to.Copy));
        }
        return switched;
    }

    private List<(long Box, string VersionId)> PublishableVersions(Dataset dataset, DateOnly? from, DateOnly? to)
    {
        var plan = new BuildService(ws).Plan([dataset.Name], from, to);
        var own = plan.For(dataset.Name);
        var problems = new List<string>();
        if (!own.Planned.IsEmpty) problems.Add($"{own.Planned.Count} box(es) are stale or missing");
        if (!own.Quarantined.IsEmpty) problems.Add($"{own.Quarantined.Count} box(es) are stopped by a check");
        if (own.Blocked.Count > 0) problems.Add($"{own.BlockedBoxes.Count} box(es) are blocked upstream ({own.Blocked[0].Cause})");
        if (own.Waiting.Count > 0) problems.Add($"{own.WaitingBoxes.Count} box(es) wait for missing input ({own.Waiting[0].Cause})");
        if (problems.Count > 0)
            throw new NotPublishableException($"{dataset.Name} is not published: {string.Join("; ", problems)}. A stopped line publishes nothing; build or fix first.");
        var range = own.Required.IsEmpty ? new BoxRange(0, -1) : new BoxRange(own.Required.Min, own.Required.Max);
        var boxes = range.IsEmpty ? [] : ws.Ledger.Boxes(ws.Env, dataset.Name, range);
        if (boxes.Count == 0) throw new NotPublishableException($"{dataset.Name} has no built box to publish.");
        return boxes.Where(b => own.Required.Contains(b.Box)).Select(b => (b.Box, b.CurrentVersion!)).ToList();
    }
}

/// <summary>One publisher per dataset and target at a time, across processes: a lease in the ledger.</summary>
internal sealed class PublishLock : IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    private readonly Workspace _ws;
    private readonly string _key;
    private readonly string _owner = "publish-" + Guid.NewGuid().ToString("N");

    public PublishLock(Workspace ws, string dataset, string target)
    {
        _ws = ws;
        _key = $"publish:{dataset}:{target}";
        var deadline = DateTime.UtcNow + Ttl;
        while (!ws.Ledger.TryAcquireLease(_key, _owner, Ttl))
        {
            if (DateTime.UtcNow > deadline) throw new PublishTargetException($"another publish of {dataset} to {target} has held it for {Ttl.TotalMinutes} minutes.");
            Thread.Sleep(100);
        }
    }

    public void Dispose() => _ws.Ledger.ReleaseLease(_key, _owner);
}
