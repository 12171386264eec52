using System.Text.Json;

namespace Takt.Tests.Invariants;

/// <summary>What the ledger and the published view held before a build, to tell what the build changed.</summary>
internal sealed record BeforeBuild(
    IReadOnlyDictionary<(string Dataset, long Box), string> ProdPointers,
    IReadOnlySet<string> Versions,
    PublishedSnapshot Published,
    IReadOnlySet<(string Dataset, string Box)>? Planned);

internal sealed partial class InvariantChecks
{
    public BeforeBuild Before(CliRun? plan)
    {
        var ledger = sut.ReadLedger();
        HashSet<(string, string)>? planned = null;
        if (plan is not null)
        {
            if (plan.ExitCode != 0) Fail("plan-runs", $"plan failed before the build:\n{plan}");
            else planned = plan.Json.GetProperty("tasks").EnumerateArray().Select(t => (Str(t, "dataset"), Str(t, "box"))).ToHashSet();
        }
        return new BeforeBuild(ledger.Pointers("prod"), ledger.Versions.Keys.ToHashSet(), Published(), planned);
    }

    /// <summary>
    /// After a build of <paramref name="env"/> with code <paramref name="variant"/> that ran alone (or with another
    /// process, when <paramref name="before"/> has no plan): exit code, plan, second build, status, summary, ledger,
    /// content against the oracle, files, staging and publication.
    /// </summary>
    public void AfterBuild(string env, string variant, CliRun build, BeforeBuild before, bool adoptsDevWork, bool alone = true, bool prodWrittenByOther = false)
    {
        if (build.ExitCode is not (0 or 2))
        {
            Fail("build-exits-0-or-2", $"the build did not finish its work:\n{build}");
            Consistency();
            return;
        }
        var expected = model.Expect(variant);
        var factory = sut.Subject.Factory(variant);
        var json = build.Json;
        var wantExit = expected.LineStopped ? 2 : 0;
        if (build.ExitCode != wantExit)
            Fail("build-exit-matches-the-line", $"exit {build.ExitCode}, but the model says the line is {(expected.LineStopped ? "stopped" : "not stopped")}: {Held(expected, factory)}");

        SummaryAgreesWithLedger(json);
        if (alone && before.Planned is { } planned) PlanShowedWhatBuildRan(json, planned, expected, factory);
        if (adoptsDevWork)
        {
            var created = sut.ReadLedger().Versions.Keys.Where(v => !before.Versions.Contains(v)).ToList();
            if (created.Count > 0)
                Fail("prod-adopts-dev-work", $"a prod build with the same code and data as the dev build before it created {created.Count} new version(s), e.g. {created[0]}");
        }

        var plan = sut.Cli(variant, "plan", "--json", "--env", env);
        PlanIsEmptyAndHeldAsModel(plan, expected, factory);
        if (env == "prod" && plan.ExitCode == 0) NoPublishPending(plan.Json, expected);
        var status = sut.Cli(variant, "status", "--json", "--env", env);
        StatusAgrees(status, expected, factory, env, json);

        var second = sut.Cli(variant, "build", "--json", "--env", env);
        var ran = second.ExitCode is 0 or 2 ? second.Json.GetProperty("tasks").EnumerateArray().ToList() : [];
        if (second.ExitCode != build.ExitCode || ran.Count > 0)
            Fail("second-build-runs-nothing", $"a second build exited {second.ExitCode} (the first {build.ExitCode}) and ran {ran.Count} task(s): " +
                string.Join("; ", ran.Take(5).Select(t => $"{Str(t, "dataset")}@{Str(t, "box")} {Str(t, "status")} ({Str(t, "reason")})")));

        Consistency();
        ContentMatchesOracle(env, variant, expected, factory);
        if (alone) StagingEmpty();
        if (env == "prod")
        {
            var held = expected.Boxes.Any(b => b.Key.Dataset == sut.Subject.PublishedDataset && b.Value is not (Expected.Fresh or Expected.Absent));
            Publication(mustBeCurrent: !held);
        }
        else if (!prodWrittenByOther)
        {
            var after = Published();
            if (after.LiveCopy != before.Published.LiveCopy || after.ViewSql != before.Published.ViewSql || !after.Rows.SequenceEqual(before.Published.Rows))
                Fail("dev-build-leaves-published-alone", $"a build of {env} changed what readers of the prod target see: live copy {before.Published.LiveCopy} -> {after.LiveCopy}, " +
                    $"{before.Published.Rows.Count} -> {after.Rows.Count} rows");
            var prod = sut.ReadLedger().Pointers("prod");
            var moved = prod.Where(p => !before.ProdPointers.TryGetValue(p.Key, out var v) || v != p.Value).Select(p => p.Key)
                .Concat(before.ProdPointers.Keys.Where(k => !prod.ContainsKey(k))).ToList();
            if (moved.Count > 0)
                Fail("dev-build-leaves-prod-alone", $"a build of {env} moved {moved.Count} prod pointer(s), e.g. {moved[0].Dataset}@{moved[0].Box}");
        }
    }

    private void SummaryAgreesWithLedger(JsonElement json)
    {
        var tasks = json.GetProperty("tasks").EnumerateArray().ToList();
        var summary = json.GetProperty("summary");
        // "blocked" is not a task count: it is how many boxes stay held back by a stop (status's count, checked there).
        foreach (var status in new[] { "built", "reused", "quarantined", "failed", "skipped" })
        {
            var counted = tasks.Count(t => Str(t, "status") == status);
            if (summary.GetProperty(status).GetInt32() != counted)
                Fail("summary-matches-ledger", $"the build summary says {summary.GetProperty(status).GetInt32()} {status}, its task list has {counted}");
        }
        var run = Str(json, "run");
        using var connection = sut.OpenLedger();
        var recorded = SutHome.Query(connection, "SELECT dataset, box_key, status FROM tasks WHERE run_id = $r", r => $"{r.GetString(0)}@{r.GetString(1)} {r.GetString(2)}", ("$r", run));
        var reported = tasks.Where(t => Str(t, "status") is not ("blocked" or "skipped")).Select(t => $"{Str(t, "dataset")}@{Str(t, "box")} {Str(t, "status")}").ToList();
        recorded.Sort(StringComparer.Ordinal);
        reported.Sort(StringComparer.Ordinal);
        if (!recorded.Where(r => !r.EndsWith(" blocked") && !r.EndsWith(" skipped")).SequenceEqual(reported))
            Fail("summary-matches-ledger", $"run {run}: the build reported {reported.Count} task(s) that ran, the ledger recorded {recorded.Count}; " +
                $"only reported: {string.Join(", ", reported.Except(recorded).Take(3))}; only recorded: {string.Join(", ", recorded.Except(reported).Take(3))}");
    }

    private void PlanShowedWhatBuildRan(JsonElement json, IReadOnlySet<(string Dataset, string Box)> planned, Expectation expected, Takt.Definitions.Factory factory)
    {
        var tasks = json.GetProperty("tasks").EnumerateArray().Select(t => (Dataset: Str(t, "dataset"), Box: Str(t, "box"), Status: Str(t, "status"))).ToList();
        var unplanned = tasks.Where(t => t.Status is "built" or "reused" or "quarantined" or "failed" && !planned.Contains((t.Dataset, t.Box))).ToList();
        var held = expected.Boxes.Where(b => b.Value is Expected.Stopped or Expected.Blocked).Select(b => (b.Key.Dataset, factory[b.Key.Dataset].BoxKey(b.Key.Box))).ToHashSet();
        var touched = tasks.Select(t => (t.Dataset, t.Box)).ToHashSet();
        var skipped = planned.Where(p => !touched.Contains(p) && !held.Contains(p)).ToList();
        if (unplanned.Count > 0 || skipped.Count > 0)
            Fail("plan-shows-what-build-runs", $"plan listed {planned.Count} task(s), the build ran {tasks.Count}; ran but not planned: {unplanned.Count} " +
                $"(e.g. {string.Join(", ", unplanned.Take(4).Select(t => $"{t.Dataset}@{t.Box} {t.Status}"))}); planned but not run: {skipped.Count} (e.g. {string.Join(", ", skipped.Take(4))})");
    }

    private void PlanIsEmptyAndHeldAsModel(CliRun plan, Expectation expected, Takt.Definitions.Factory factory)
    {
        if (plan.ExitCode != 0) { Fail("plan-empty-after-build", $"plan failed:\n{plan}"); return; }
        var tasks = plan.Json.GetProperty("tasks").EnumerateArray().ToList();
        if (tasks.Count > 0)
            Fail("plan-empty-after-build", $"plan lists {tasks.Count} task(s) after a build: " +
                string.Join("; ", tasks.GroupBy(t => (Str(t, "dataset"), Str(t, "reason"))).Take(6).Select(g => $"{g.Key.Item1} {g.Count()} ({g.Key.Item2})")));
        foreach (var d in plan.Json.GetProperty("datasets").EnumerateArray())
        {
            // The plan lists held boxes per cause (a box held for two causes is in both); status has the union, and its counts are checked exactly.
            var name = Str(d, "dataset");
            var stopped = d.GetProperty("quarantined").GetInt32();
            var blocked = d.GetProperty("blocked").EnumerateArray().Select(b => b.GetProperty("boxes").GetInt32()).ToList();
            var waiting = d.GetProperty("waiting").EnumerateArray().Select(b => b.GetProperty("boxes").GetInt32()).ToList();
            var (wantStopped, wantBlocked, wantWaiting) = (expected.Count(name, Expected.Stopped), expected.Count(name, Expected.Blocked), expected.Count(name, Expected.Waiting));
            if (stopped != wantStopped || !Covers(blocked, wantBlocked) || !Covers(waiting, wantWaiting))
                Fail("plan-holds-what-the-model-holds", $"{name}: plan has {stopped} stopped, blocked [{string.Join(", ", blocked)}], waiting [{string.Join(", ", waiting)}] per cause; " +
                    $"the model {wantStopped} stopped, {wantBlocked} blocked, {wantWaiting} waiting ({Held(expected, factory, name)}; " +
                    $"plan causes: {string.Join("; ", d.GetProperty("blocked").EnumerateArray().Concat(d.GetProperty("waiting").EnumerateArray()).Select(c => Str(c, "cause")))})");
        }
    }

    /// <summary>After a build, a publish is pending only while the published dataset is held; one held by a rollback says so.</summary>
    private void NoPublishPending(JsonElement plan, Expectation expected)
    {
        if (!plan.TryGetProperty("pendingPublishes", out var pending)) return; // a Takt without pending publishes reports none
        var held = expected.Boxes.Any(b => b.Key.Dataset == sut.Subject.PublishedDataset && b.Value is not (Expected.Fresh or Expected.Absent));
        foreach (var p in pending.EnumerateArray())
        {
            var isHeld = p.TryGetProperty("held", out var h) && h.GetBoolean();
            if (isHeld ? model.RollbackHold is null : !held)
                Fail("publish-done-after-build", $"after a build, plan says: {Str(p, "dataset")} to {Str(p, "target")}: {(isHeld ? "publish held" : "publish pending")}: {Str(p, "reason")}");
        }
    }

    /// <summary>Per-cause counts that can add up to <paramref name="boxes"/> held boxes: none when none, each at most all, together at least all.</summary>
    private static bool Covers(IReadOnlyList<int> perCause, int boxes) =>
        boxes == 0 ? perCause.Count == 0 : perCause.Count > 0 && perCause.All(c => c <= boxes) && perCause.Sum() >= boxes;

    private void StatusAgrees(CliRun status, Expectation expected, Takt.Definitions.Factory factory, string env, JsonElement build)
    {
        if (status.ExitCode is not (0 or 2)) { Fail("status-matches-model", $"status failed:\n{status}"); return; }
        var ledger = sut.ReadLedger();
        var totalBlocked = 0;
        foreach (var d in status.Json.GetProperty("datasets").EnumerateArray())
        {
            var name = Str(d, "dataset");
            var quarantined = d.GetProperty("quarantined").EnumerateArray().Select(q => q.GetString()!).Order(StringComparer.Ordinal).ToArray();
            totalBlocked += d.GetProperty("blocked").GetInt32();
            var got = (Fresh: d.GetProperty("fresh").GetInt64(), Stale: d.GetProperty("stale").GetInt32(), Blocked: d.GetProperty("blocked").GetInt32(), Waiting: d.GetProperty("waiting").GetInt32());
            var want = (Fresh: (long)expected.Count(name, Expected.Fresh), Stale: 0, Blocked: expected.Count(name, Expected.Blocked), Waiting: expected.Count(name, Expected.Waiting));
            var wantQuarantined = expected.BoxesOf(name, Expected.Stopped).Select(factory[name].BoxKey).Order(StringComparer.Ordinal).ToArray();
            if (got != want || !quarantined.SequenceEqual(wantQuarantined))
                Fail("status-matches-model", $"{name}: status says fresh/stale/blocked/waiting {got} and stopped [{string.Join(", ", quarantined)}]; " +
                    $"the model {want} and [{string.Join(", ", wantQuarantined)}]");
            var inLedger = ledger.Boxes.Where(b => b.Env == env && b.Dataset == name && b.HeadStatus == "quarantined").Select(b => factory[name].BoxKey(b.Box)).Order(StringComparer.Ordinal).ToArray();
            // A box held by a stop upstream may keep an older quarantined head; status counts it as blocked, the model checks that.
            if (quarantined.Except(inLedger).Any())
                Fail("status-matches-ledger", $"{name}: status says stopped [{string.Join(", ", quarantined)}], the ledger's quarantined heads are [{string.Join(", ", inLedger)}]");
        }
        var summaryBlocked = build.GetProperty("summary").GetProperty("blocked").GetInt32();
        if (summaryBlocked != totalBlocked)
            Fail("summary-blocked-matches-status", $"the build summary says {summaryBlocked} blocked, status says {totalBlocked}");
    }

    private void ContentMatchesOracle(string env, string variant, Expectation expected, Takt.Definitions.Factory factory)
    {
        OracleResult truth;
        try { truth = oracle.For(model, sut.Landing, variant, expected.ActiveOverrides); }
        catch (OracleException e) { Fail("oracle-builds", e.Message); return; }
        var ledger = sut.ReadLedger();
        var boxes = ledger.Boxes.Where(b => b.Env == env).ToDictionary(b => (b.Dataset, b.Box));
        var mismatches = new List<string>();
        foreach (var ((dataset, box), state) in expected.Boxes)
        {
            var key = $"{dataset}@{factory[dataset].BoxKey(box)}";
            truth.Boxes.TryGetValue((dataset, box), out var want);
            boxes.TryGetValue((dataset, box), out var got);
            if (state == Expected.Fresh)
            {
                if (want?.CurrentHash is null) mismatches.Add($"{key}: the model says fresh, a from-scratch build has no current version");
                else if (got?.Current is null) mismatches.Add($"{key}: no current version, a from-scratch build has {want.CurrentHash}");
                else if (hasher.Incomplete(sut.Home, ledger.Versions[got.Current]) is not null) continue; // reported by Consistency
                else if (hasher.Hash(sut.Home, ledger.Versions[got.Current]) is var hash && hash != want.CurrentHash)
                    mismatches.Add($"{key}: current version {got.Current} holds {hash}, a from-scratch build {want.CurrentHash}");
            }
            else if (state == Expected.Stopped && got is { HeadStatus: "quarantined" } && want?.QuarantinedHash is { } stoppedHash
                && hasher.Incomplete(sut.Home, ledger.Versions[got.Head]) is null
                && hasher.Hash(sut.Home, ledger.Versions[got.Head]) is var head && head != stoppedHash)
                mismatches.Add($"{key}: the stopped version {got.Head} holds {head}, a from-scratch build stops at {stoppedHash}");
        }
        if (mismatches.Count > 0)
            Fail("content-matches-oracle", $"{mismatches.Count} box(es) of {env} differ from a from-scratch build: {string.Join("; ", mismatches.Take(6))}");
    }

    private static string Held(Expectation expected, Takt.Definitions.Factory factory, string? only = null) =>
        string.Join(", ", expected.Boxes.Where(b => b.Value is not (Expected.Fresh or Expected.Absent) && (only is null || b.Key.Dataset == only))
            .GroupBy(b => (b.Key.Dataset, b.Value)).Select(g => $"{g.Key.Dataset} {g.Key.Value.ToString().ToLowerInvariant()} " +
                string.Join("/", g.Select(b => factory[b.Key.Dataset].BoxKey(b.Key.Box)).Take(4)) + (g.Count() > 4 ? $" (+{g.Count() - 4})" : ""))) is { Length: > 0 } s ? s : "nothing held";

    private static string Str(JsonElement e, string property) =>
        e.TryGetProperty(property, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : e.TryGetProperty(property, out p) ? p.ToString() : "";
}
