using Takt.Boxes;
using Takt.Definitions;
using Takt.Lake;
using Takt.Ledger;
using Takt.Planning;
using Takt.Running;

namespace Takt.Publishing;

/// <param name="Unchanged">The live copy already holds exactly these versions; no copy was written.</param>
/// <param name="Note">What was squared between the target and the ledger first, e.g. a copy readers saw that the ledger had not recorded as live.</param>
public sealed record PublishResult(string Dataset, string Target, string Copy, long Rows, int Versions, IReadOnlyList<string> DroppedCopies,
    bool Unchanged = false, string? Note = null);

/// <summary>What publishing a dataset did: the targets it published (or found current), and the targets that failed, one line each.</summary>
public sealed record PublishOutcome(IReadOnlyList<PublishResult> Published, IReadOnlyList<string> Failed);

/// <summary>A dataset cannot be published: some box is stale, missing or stopped by a check.</summary>
public sealed class NotPublishableException(string message) : Exception(message);

/// <summary>
/// Publishes the environment's current versions of all of a dataset's boxes as a new copy in each target of that
/// environment, switches readers to it atomically, keeps the last N copies, and rolls back by switching to an older copy.
/// </summary>
/// <param name="runId">The run that publishes (a build's); null for publish and rollback by hand, which record a run of their own.</param>
public sealed class PublishService(Workspace ws, string? runId = null)
{
    /// <summary>The dataset's targets that the workspace's environment publishes to.</summary>
    public static IReadOnlyList<PublishTarget> TargetsIn(Dataset dataset, string env) => dataset.PublishTargets.Where(t => t.Environment == env).ToArray();

    /// <summary>Why a build in <paramref name="env"/> does not publish a dataset that has targets.</summary>
    public static string NotPublishedIn(Dataset dataset, string env) =>
        $"not published: environment {env} does not publish {dataset.Name} (only {string.Join(", ", dataset.PublishTargets.Select(t => t.Environment).Distinct())})";

    /// <param name="releaseHolds">
    /// False for a build: a target held by a rollback stays on its copy while the current versions are those it rolled
    /// back from. True for <c>publish</c> by hand, which ends the hold.
    /// </param>
    public PublishOutcome Publish(string datasetName, bool releaseHolds = true)
    {
        var dataset = ws.Factory[datasetName];
        var targets = Targets(dataset);
        var versions = PublishableVersions(dataset);
        var files = ws.Files.Paths(versions.Select(v => new VersionLocation(dataset.Name, dataset.BoxKey(v.Box), v.VersionId)).ToArray()).ToArray();
        var results = new List<PublishResult>();
        var failed = new List<string>();
        using var run = runId is null ? PublishRun.Start(ws, "publish") : null;
        foreach (var target in targets)
        {
            try
            {
                if (PublishTo(dataset, target, versions, files, releaseHolds, runId ?? run!.Id) is { } result) results.Add(result);
            }
            catch (PublishTargetException e) { failed.Add($"{dataset.Name} not published to {target.Name}: {e.Message}"); }
        }
        run?.Finished(failed.Count == 0, new { published = results.Count(r => !r.Unchanged), unchanged = results.Count(r => r.Unchanged), failed = failed.Count });
        return new PublishOutcome(results, failed);
    }

    /// <summary>Writes a copy, records it, switches readers to it and records that; null when a rollback holds the target.</summary>
    private PublishResult? PublishTo(Dataset dataset, PublishTarget target, List<(long Box, string VersionId)> versions, string[] files, bool releaseHold, string owner)
    {
        using var exclusive = new PublishLock(ws.Ledger, ws.Ledger, dataset.Name, target.Name, owner);
        var ids = versions.Select(v => v.VersionId).ToHashSet(StringComparer.Ordinal);
        var history = ws.Ledger.Publications(dataset.Name).Where(p => p.Target == target.Name).ToList();
        if (history.FirstOrDefault(p => p.Live) is { } recorded && ids.SetEquals(recorded.Versions))
            return new PublishResult(dataset.Name, target.Name, recorded.Copy, recorded.Rows, versions.Count, [], Unchanged: true);
        if (!releaseHold && ws.Ledger.PublishHold(dataset.Name, target.Name) is { } hold && ids.SetEquals(hold.Versions)) return null;

        using var publisher = Publishers.Open(target, ws.Home, ws.DuckDb, ws.Variable);
        var (live, note) = Reconcile(publisher, dataset, target, history);
        if (live is not null && ids.SetEquals(live.Versions))
            return new PublishResult(dataset.Name, target.Name, live.Copy, live.Rows, versions.Count, [], Unchanged: true, note);
        // Above every copy the ledger or the target knows: never over a copy someone else wrote.
        var copy = "c" + (history.Select(p => p.Copy).Concat(publisher.Copies()).Select(c => int.Parse(c[1..], System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0).Max() + 1);
        var rows = publisher.WriteCopy(copy, files, dataset.Schema);
        // Recorded before readers see it, so that after a crash at any point the ledger knows every copy it wrote.
        ws.Ledger.RecordCopy(new PublicationRecord(dataset.Name, target.Name, copy, ws.Env, ws.Clock.GetUtcNow().ToUnixTimeMilliseconds(), rows,
            versions.Select(v => v.VersionId).ToArray(), false, null));
        FaultInjection.Hit("publish-before-switch");
        publisher.SwitchTo(copy);
        FaultInjection.Hit("publish-after-switch");
        ws.Ledger.SetLive(dataset.Name, target.Name, copy, ws.Env, $"{dataset.Name} published to {target.Name} as copy {copy} ({rows} rows from {versions.Count} versions)");
        var dropped = new List<string>();
        var notes = note is null ? new List<string>() : [note];
        foreach (var old in history.Where(p => p.DroppedAtMs is null).OrderByDescending(p => p.CreatedAtMs).Skip(target.Keep - 1))
        {
            // Readers already see the new copy: an old one that cannot go now is kept, said, and dropped by a later publish.
            try { publisher.DropCopy(old.Copy); }
            catch (PublishTargetException e)
            {
                notes.Add($"old copy {old.Copy} is kept for now: {e.Message}");
                continue;
            }
            ws.Ledger.MarkDropped(dataset.Name, target.Name, old.Copy);
            dropped.Add(old.Copy);
        }
        return new PublishResult(dataset.Name, target.Name, copy, rows, versions.Count, dropped, Note: notes.Count == 0 ? null : string.Join("; ", notes));
    }

    /// <summary>
    /// Squares the ledger with what the target's readers see. A copy this ledger wrote is adopted as live (a crash
    /// between switching readers and recording it); anything else is refused, naming both sides and the way out.
    /// </summary>
    private (PublicationRecord? Live, string? Note) Reconcile(IPublisher publisher, Dataset dataset, PublishTarget target, List<PublicationRecord> history)
    {
        var recorded = history.FirstOrDefault(p => p.Live);
        var seen = publisher.LiveCopy();
        if (seen == recorded?.Copy) return (recorded, null);
        var ledgerSide = recorded is null ? "it has no live copy there" : $"its live copy is {recorded.Copy}";
        if (seen is null) return (null, $"readers saw no copy ({publisher.Readers} was missing; {ledgerSide}), so a new one was published");
        if (history.FirstOrDefault(p => p.Copy == seen && p.DroppedAtMs is null) is not { } ours)
            throw new PublishTargetException($"{publisher.Readers} shows {(Publishers.IsCopy(seen) ? "copy " + seen : seen)}, which this ledger did not write ({ledgerSide}): "
                + $"another Takt home, or a ledger older than the target, publishes there. Give each home a target of its own, or {publisher.HandOver} to let this home take the target over.");
        var note = $"readers see copy {seen}, which this ledger wrote; it is recorded as live now (the ledger had {recorded?.Copy ?? "no live copy"})";
        ws.Ledger.SetLive(dataset.Name, target.Name, seen, ws.Env, $"{dataset.Name} on {target.Name}: {note}");
        return (ours with { Live = true }, note);
    }

    /// <summary>
    /// Switches readers of every target of the dataset back to <paramref name="copy"/>, or to the copy before the live
    /// one, and holds them there: builds do not publish the current versions again until they change.
    /// </summary>
    public IReadOnlyList<(string Target, string From, string To)> Rollback(string datasetName, string? copy = null)
    {
        var dataset = ws.Factory[datasetName];
        var switched = new List<(string, string, string)>();
        var targets = Targets(dataset);
        using var run = runId is null ? PublishRun.Start(ws, "rollback") : null;
        foreach (var target in targets)
        {
            using var exclusive = new PublishLock(ws.Ledger, ws.Ledger, dataset.Name, target.Name, runId ?? run!.Id);
            using var publisher = Publishers.Open(target, ws.Home, ws.DuckDb, ws.Variable);
            var history = ws.Ledger.Publications(dataset.Name).Where(p => p.Target == target.Name).ToList();
            var live = Reconcile(publisher, dataset, target, history).Live
                ?? throw new NotPublishableException($"{dataset.Name} has no live copy on {target.Name} to roll back from.");
            var kept = history.Where(p => p.DroppedAtMs is null).OrderBy(p => p.CreatedAtMs).ToList();
            var to = copy is null
                ? kept.LastOrDefault(p => p.CreatedAtMs < live.CreatedAtMs) ?? throw new NotPublishableException($"{dataset.Name} on {target.Name} keeps no copy older than the live one ({live.Copy}).")
                : kept.FirstOrDefault(p => p.Copy == copy) ?? throw new ArgumentException(
                    $"{dataset.Name} on {target.Name} has no kept copy '{copy}' (kept: {string.Join(", ", kept.Select(p => p.Copy))}).");
            publisher.SwitchTo(to.Copy);
            var current = CurrentVersions(ws, dataset).Select(v => v.VersionId).ToArray();
            ws.Ledger.RollBack(new PublishHold(dataset.Name, target.Name, to.Copy, ws.Env, current, ws.Clock.GetUtcNow().ToUnixTimeMilliseconds()), live.Copy);
            switched.Add((target.Name, live.Copy, to.Copy));
        }
        run?.Finished(true, new { rolledBack = switched.Count });
        return switched;
    }

    /// <summary>The targets this environment publishes the dataset to; a dataset without any is a mistake of the caller.</summary>
    private IReadOnlyList<PublishTarget> Targets(Dataset dataset)
    {
        if (dataset.PublishTargets.Count == 0)
            throw new ArgumentException($"{dataset.Name} declares no publish target (.PublishTo(...) in its definition); there is nothing to publish or roll back.");
        var targets = TargetsIn(dataset, ws.Env);
        if (targets.Count == 0)
            throw new ArgumentException($"environment {ws.Env} does not publish {dataset.Name} (only {string.Join(", ", dataset.PublishTargets.Select(t => $"{t.Environment} to {t.Name}"))}); " +
                $"run this in that environment, or give {ws.Env} a target of its own: .PublishTo(PublishTarget.Sqlite(...) with {{ Environment = \"{ws.Env}\" }}).");
        return targets;
    }

    /// <summary>The environment's current version of every box of the dataset, when all of them are fresh and none is held by a check.</summary>
    private List<(long Box, string VersionId)> PublishableVersions(Dataset dataset)
    {
        var own = new Planner(ws.Factory, ws.Ledger).Create(ws.Env, [dataset.Name]).For(dataset.Name);
        var problems = new List<string>();
        if (!own.Planned.IsEmpty) problems.Add($"{own.Planned.Count} box(es) are stale or missing");
        if (!own.Quarantined.IsEmpty) problems.Add($"{own.Quarantined.Count} box(es) are stopped by a check");
        if (own.Blocked.Count > 0) problems.Add($"{own.BlockedBoxes.Count} box(es) are blocked upstream ({own.Blocked[0].Cause})");
        if (own.Waiting.Count > 0) problems.Add($"{own.WaitingBoxes.Count} box(es) wait for missing input ({own.Waiting[0].Cause})");
        if (problems.Count > 0)
            throw new NotPublishableException($"{dataset.Name} is not published: {string.Join("; ", problems)}. A stopped line publishes nothing; build or fix first.");
        var versions = CurrentVersions(ws, dataset);
        if (versions.Count == 0) throw new NotPublishableException($"{dataset.Name} has no built box to publish.");
        return versions;
    }

    /// <summary>The environment's current version of each box of the dataset: what a copy of it holds.</summary>
    internal static List<(long Box, string VersionId)> CurrentVersions(Workspace ws, Dataset dataset) =>
        ws.Ledger.Boxes(ws.Env, dataset.Name, BoxRange.Everything).Where(b => b.CurrentVersion is not null).Select(b => (b.Box, b.CurrentVersion!)).ToList();
}
