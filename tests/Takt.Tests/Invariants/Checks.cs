using Microsoft.Data.Sqlite;

namespace Takt.Tests.Invariants;

/// <summary>An invariant that did not hold after a step.</summary>
internal sealed record Violation(string Invariant, string Detail);

/// <summary>What readers of the published view saw, with the ledger's live copy.</summary>
internal sealed record PublishedSnapshot(string? ViewSql, IReadOnlyList<string> Rows, string? LiveCopy);

/// <summary>
/// The invariants the design promises, checked from the outside: against the model (which boxes are fresh, stopped,
/// blocked or waiting), the oracle (what the data must be), and the ledger, the lake and the published view.
/// </summary>
internal sealed partial class InvariantChecks(SutHome sut, Model model, ContentHasher hasher, Oracle oracle)
{
    public List<Violation> Found { get; } = [];

    /// <summary>
    /// TAKT_INVARIANT_IGNORE: invariants not to report, to shrink a history down to another violation while a known
    /// defect is open. Never set in CI.
    /// </summary>
    private static readonly HashSet<string> Ignored =
        (Environment.GetEnvironmentVariable("TAKT_INVARIANT_IGNORE") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();

    public void Fail(string invariant, string detail)
    {
        if (!Ignored.Contains(invariant)) Found.Add(new Violation(invariant, detail));
    }

    /// <summary>The ledger passes its integrity check; every pointer names a version whose files are all there.</summary>
    public void Consistency()
    {
        if (!sut.HasLedger()) return;
        using (var connection = sut.OpenLedger())
        {
            var integrity = SutHome.Query(connection, "PRAGMA integrity_check", r => r.GetString(0));
            if (integrity is not ["ok"]) Fail("ledger-integrity", $"PRAGMA integrity_check: {string.Join("; ", integrity)}");
        }
        var ledger = sut.ReadLedger();
        foreach (var box in ledger.Boxes)
        {
            var where = $"{box.Env} {box.Dataset}@{box.Box}";
            if (!ledger.Versions.TryGetValue(box.Head, out var head)) Fail("ledger-integrity", $"{where}: head version {box.Head} is not in the versions table");
            else if (head.Dataset != box.Dataset || head.Box != box.Box) Fail("ledger-integrity", $"{where}: head version {head.Id} is of {head.Dataset}@{head.BoxKey}");
            if (box.Current is null)
            {
                if (box.HeadStatus != "quarantined") Fail("ledger-integrity", $"{where}: no current version, and its head is '{box.HeadStatus}'");
                continue;
            }
            if (!ledger.Versions.TryGetValue(box.Current, out var current))
            {
                Fail("ledger-integrity", $"{where}: points at {box.Current}, which is not in the versions table");
                continue;
            }
            if (current.Dataset != box.Dataset || current.Box != box.Box) Fail("ledger-integrity", $"{where}: points at {current.Id} of {current.Dataset}@{current.BoxKey}");
            if (current.Status is not ("committed" or "overridden")) Fail("ledger-integrity", $"{where}: points at {current.Id}, which is {current.Status}");
            if (!current.Intact)
                Fail("pointer-files-complete", $"{where}: points at {current.Id}, which is {(current.Collected ? "collected by gc" : current.Collecting ? "being collected by gc" : "lost")}");
        }
        foreach (var (version, input) in ledger.Lineage)
            if (!ledger.Versions.ContainsKey(version) || !ledger.Versions.ContainsKey(input))
                Fail("ledger-integrity", $"lineage {version} <- {input} names a version that is not in the versions table");
        foreach (var group in ledger.Publications.GroupBy(p => (p.Dataset, p.Target)))
        {
            var live = group.Where(p => p.Live).ToList();
            if (live.Count > 1) Fail("ledger-integrity", $"{group.Key}: {live.Count} live copies ({string.Join(", ", live.Select(p => p.Copy))})");
            if (live.Any(p => p.Dropped)) Fail("ledger-integrity", $"{group.Key}: the live copy was dropped");
        }
        var pointed = ledger.Boxes.SelectMany(b => new[] { b.Current, b.HeadStatus == "quarantined" ? b.Head : null }).OfType<string>().ToHashSet();
        foreach (var version in ledger.Versions.Values.Where(v => v.Intact))
        {
            if (hasher.Incomplete(sut.Home, version) is { } problem)
                Fail(pointed.Contains(version.Id) ? "pointer-files-complete" : "version-files-complete", problem);
        }
        // Nothing in a history damages files: Takt's own verify must find every version in use intact.
        var verify = sut.Cli(model.EnvVariant["prod"], "verify", "--json");
        if (verify.ExitCode != 0) Fail("verify-finds-nothing-lost", verify.ToString());
    }

    /// <summary>A build in progress or killed leaves staging files; the next build that runs alone must clear them.</summary>
    public void StagingEmpty()
    {
        if (!Directory.Exists(sut.Staging)) return;
        var left = Directory.GetFiles(sut.Staging, "*", SearchOption.AllDirectories);
        if (left.Length > 0)
            Fail("staging-empty-after-build", $"{left.Length} file(s) left in staging, e.g. {string.Join(", ", left.Take(3).Select(f => Path.GetRelativePath(sut.Staging, f)))}");
    }

    public PublishedSnapshot Published()
    {
        var (_, rows, viewSql) = ContentHasher.ReadPublished(sut.PublishedPath, sut.Subject.PublishedTable);
        return new PublishedSnapshot(viewSql, rows, sut.ReadLedger().Live(sut.Subject.PublishedDataset)?.Copy);
    }

    /// <summary>
    /// The view readers query is the ledger's live copy, made of usable versions only, none of them built from a
    /// stopped box; when <paramref name="mustBeCurrent"/>, it is exactly prod's current versions of the dataset.
    /// </summary>
    public void Publication(bool mustBeCurrent)
    {
        if (model.RollbackHold is { } hold)
        {
            var now = sut.ReadLedger();
            var current = now.Pointers("prod").Where(p => p.Key.Dataset == sut.Subject.PublishedDataset).Select(p => p.Value).ToHashSet(StringComparer.Ordinal);
            if (current.SetEquals(hold.Current))
            {
                mustBeCurrent = false;
                var holding = now.Live(sut.Subject.PublishedDataset)?.Copy;
                if (holding != hold.Copy) Fail("rollback-holds-readers", $"readers were rolled back to copy {hold.Copy} and prod's current versions did not change since, but the live copy is {holding}");
            }
        }
        var dataset = sut.Subject.PublishedDataset;
        var ledger = sut.ReadLedger();
        var live = ledger.Live(dataset);
        var (columns, rows, viewSql) = ContentHasher.ReadPublished(sut.PublishedPath, sut.Subject.PublishedTable);
        if (live is null)
        {
            if (viewSql is not null) Fail("published-view-is-ledger-live", $"readers see a view ({viewSql}) but the ledger has no live copy of {dataset}");
            if (mustBeCurrent && ledger.Pointers("prod").Keys.Any(k => k.Dataset == dataset))
                Fail("published-is-prod-current", $"{dataset} has current versions in prod but no live published copy");
            return;
        }
        var table = $"{sut.Subject.PublishedTable}__{live.Copy}";
        if (viewSql is null || !viewSql.TrimEnd().EndsWith($"FROM \"{table}\"", StringComparison.Ordinal) && !viewSql.TrimEnd().EndsWith($"FROM {table}", StringComparison.Ordinal))
            Fail("published-view-is-ledger-live", $"the ledger's live copy is {live.Copy}, readers see: {viewSql ?? "no view"}");

        foreach (var id in live.Versions)
        {
            if (!ledger.Versions.TryGetValue(id, out var v)) { Fail("published-nothing-quarantined", $"live copy {live.Copy} names unknown version {id}"); continue; }
            if (v.Status is not ("committed" or "overridden")) Fail("published-nothing-quarantined", $"live copy {live.Copy} holds {v.Dataset}@{v.BoxKey} version {id}, which is {v.Status}");
            if (QuarantinedAncestor(ledger, id) is { } bad)
                Fail("published-nothing-quarantined", $"live copy {live.Copy} holds {v.Dataset}@{v.BoxKey} version {id}, built from quarantined {bad.Dataset}@{bad.BoxKey} ({bad.Id})");
        }

        if (mustBeCurrent)
        {
            var current = ledger.Pointers("prod").Where(p => p.Key.Dataset == dataset).Select(p => p.Value).Order().ToArray();
            var published = live.Versions.Order().ToArray();
            if (!current.SequenceEqual(published))
                Fail("published-is-prod-current", $"live copy {live.Copy} holds {published.Length} version(s), prod has {current.Length} current; " +
                    $"only live: {string.Join(", ", published.Except(current).Take(3))}; only current: {string.Join(", ", current.Except(published).Take(3))}");
        }

        var files = live.Versions.Where(ledger.Versions.ContainsKey).Select(id => ledger.Versions[id])
            .Where(v => v.Intact).SelectMany(v => ContentHasher.Files(sut.Home, v)).ToArray();
        if (live.Versions.All(id => ledger.Versions.TryGetValue(id, out var v) && v.Intact) && columns.Count > 0)
        {
            var expected = hasher.CanonicalRows(files, columns);
            if (!expected.SequenceEqual(rows))
                Fail("published-rows-match-versions", $"readers see {rows.Count} row(s) in {sut.Subject.PublishedTable}; the live copy's {live.Versions.Count} version(s) hold {expected.Count}; " +
                    $"e.g. only seen: {rows.Except(expected).FirstOrDefault()}; only in versions: {expected.Except(rows).FirstOrDefault()}");
        }
    }

    private static VersionRow? QuarantinedAncestor(LedgerState ledger, string id)
    {
        var inputs = ledger.Lineage.ToLookup(l => l.Version, l => l.Input);
        var seen = new HashSet<string>();
        var queue = new Queue<string>(inputs[id]);
        while (queue.Count > 0)
        {
            var next = queue.Dequeue();
            if (!seen.Add(next) || !ledger.Versions.TryGetValue(next, out var v)) continue;
            if (v.Status == "quarantined") return v;
            foreach (var i in inputs[next]) queue.Enqueue(i);
        }
        return null;
    }
}
