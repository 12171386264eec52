using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>What every <see cref="ILedgerQueries"/> must answer: the facts since a time (inclusive), oldest first, and the inventory.</summary>
public abstract class LedgerQueriesContract<TStore> : LedgerContract<TStore> where TStore : ILedgerStore, new()
{
    [Fact]
    public void The_facts_since_a_time_are_those_recorded_at_or_after_it_oldest_first()
    {
        var failed = new CheckResult("rows > 0", "expect", "block", false, 1, "no rows");
        var passed = new CheckResult("not_null(id)", "not_null", "block", true, 0, "ok");
        Commit(Ledger, Version("v1", createdAtMs: NowMs), [passed]);
        Ledger.RecordDeploy(Env, "raw.a", null, "code-1aaaaaaaa", null);
        Ledger.StartRun("run-1", Env, "build");
        Ledger.StartTask("run-1", "raw.a", 1, "box-1", "missing");
        Ledger.RecordEvent(EventKind.SlaMiss, Env, "raw.a", "box-1", null, "late");
        Advance(TimeSpan.FromMinutes(1));
        var since = NowMs;
        Commit(Ledger, Version("v2", status: VersionStatus.Quarantined, code: "code-2", createdAtMs: NowMs), [passed, failed]);
        Ledger.RecordDeploy(Env, "raw.a", "code-1aaaaaaaa", "code-2bbbbbbbb", null);
        var task = Ledger.StartTask("run-1", "raw.a", 1, "box-1", "code changed");
        Ledger.FinishTask(task, BuildStatus.Quarantined, "v2", 1, 5, 1, 1, "no rows", []);
        Ledger.RecordEvent(EventKind.SlaMiss, Env, "raw.a", "box-2", null, "late again");

        var other = OpenAnother();
        Assert.Equal(["v2"], other.VersionsSince(since).Select(v => v.Id));
        Assert.Equal([("v2", "rows > 0")], other.CheckFailuresSince(since).Select(f => (f.VersionId, f.Check)));
        Assert.Equal([(task, BuildStatus.Quarantined)], Ledger.TasksSince(since).Select(t => (t.Id, t.Status)));
        Assert.Equal([("code-2bbbbbbbb", (string?)"code-1aaaaaaaa")], other.DeploysSince(since).Select(d => (d.CodeHash, d.PreviousHash)));
        Assert.Equal(["late again"], other.EventsSince(since, EventKind.SlaMiss).Select(e => e.Message));
        Assert.Equal(["late", "late again"], other.EventsSince(0, EventKind.SlaMiss).Select(e => e.Message));
        Assert.Equal(2, Ledger.TasksSince(0).Count); // tasks are deferred writes: read through the ledger that wrote them
    }

    [Fact]
    public void Check_stats_count_runs_and_failures_per_dataset_and_check()
    {
        var failed = new CheckResult("rows > 0", "expect", "block", false, 1, "no rows");
        var passed = failed with { Passed = true, FailingRows = 0, Message = "ok" };
        Commit(Ledger, Version("v1"), [passed]);
        Commit(Ledger, Version("v2", code: "code-2", status: VersionStatus.Quarantined), [failed]);
        Commit(Ledger, Version("b1", "raw.b"), [passed]);

        Assert.Equal([new CheckResultStat("raw.a", "rows > 0", 2, 1), new CheckResultStat("raw.b", "rows > 0", 1, 0)],
            Ledger.CheckStats().OrderBy(s => s.Dataset, StringComparer.Ordinal));
    }

    [Fact]
    public void Check_stats_come_by_dataset_then_check_name_whatever_order_they_were_recorded_in()
    {
        CheckResult Passed(string name) => new(name, "expect", "block", true, 0, "ok");
        Commit(Ledger, Version("z1", "raw.z"), [Passed("b_check"), Passed("a_check")]);
        Commit(Ledger, Version("a1", "raw.a"), [Passed("z_check"), Passed("B_check"), Passed("a_check")]);
        Commit(Ledger, Version("m1", "raw.m"), [Passed("only")]);

        Assert.Equal([("raw.a", "B_check"), ("raw.a", "a_check"), ("raw.a", "z_check"), ("raw.m", "only"), ("raw.z", "a_check"), ("raw.z", "b_check")],
            OpenAnother().CheckStats().Select(s => (s.Dataset, s.Check)));
    }

    [Fact]
    public void The_inventory_counts_versions_bytes_not_collected_and_the_rows_an_environment_points_at()
    {
        Commit(Version("old") with { Rows = 5, Bytes = 50, CreatedAtMs = 1 });
        Commit(Version("current", code: "code-2") with { Rows = 7, Bytes = 70, CreatedAtMs = 2 });
        Commit(Version("b1", "raw.b") with { Bytes = 30, CreatedAtMs = 3 });
        Ledger.BeginCollecting(["old"], "gc-run", TimeSpan.FromMinutes(1));
        Ledger.FinishCollecting(["old"], "gc-run");

        Assert.Equal([new VersionInventory("raw.a", 2, 70, 7, 2), new VersionInventory("raw.b", 1, 30, 10, 3)], Ledger.Inventory(Env));
        Assert.Equal([0L, 0L], Ledger.Inventory("dev").Select(i => i.CurrentRows));
    }
}
