using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>
/// What every <see cref="IRunLog"/> must do: runs and tasks recorded and read back, task ids unique and growing across
/// ledgers, deferred writes seen at once here, soon elsewhere, and never lost at close; events newest first.
/// </summary>
public abstract class RunLogContract<TStore> : LedgerContract<TStore> where TStore : ILedgerStore, new()
{
    [Fact]
    public void A_finished_task_and_a_released_lease_are_read_at_once_by_the_same_ledger()
    {
        Ledger.StartRun("run-1", Env, "build");
        var task = Ledger.StartTask("run-1", "raw.a", 1, "2026-01-01", "missing");
        Assert.True(Ledger.TryAcquireLease("version-1", "run-1", TimeSpan.FromMinutes(1)));

        Ledger.FinishTask(task, BuildStatus.Built, "version-1", 1, 12, 3, 4, null, ["computed 4 rows"]);
        Ledger.ReleaseLease("version-1", "run-1");

        var record = Assert.Single(Ledger.Tasks("run-1"));
        Assert.Equal((BuildStatus.Built, "version-1", 1, 4L), (record.Status, record.VersionId, record.Attempts, record.RowsOut));
        Assert.Equal(["computed 4 rows"], Ledger.TaskLog(task));
        Assert.Null(Ledger.LeaseHolder("version-1"));
    }

    [Fact]
    public void Another_ledger_sees_a_finished_task_soon_without_any_further_write()
    {
        var other = OpenAnother();
        Ledger.StartRun("run-1", Env, "build");
        var task = Ledger.StartTask("run-1", "raw.a", 1, "2026-01-01", "missing");
        Ledger.FinishTask(task, BuildStatus.Built, "version-1", 1, 12, 3, 4, null, []);

        var seen = Eventually(() => other.Tasks("run-1").SingleOrDefault()?.Status, status => status == BuildStatus.Built);

        Assert.Equal(BuildStatus.Built, seen);
    }

    [Fact]
    public void Writes_still_waiting_when_the_ledger_closes_are_written()
    {
        Ledger.StartRun("run-1", Env, "build");
        var task = Ledger.StartTask("run-1", "raw.a", 1, "2026-01-01", "missing");
        Ledger.FinishTask(task, BuildStatus.Failed, null, 3, 12, 0, 0, "boom", ["attempt 1 failed: boom"]);

        var reopened = Reopen();

        Assert.Equal((BuildStatus.Failed, "boom"), (reopened.Tasks("run-1").Single().Status, reopened.Tasks("run-1").Single().Error));
        Assert.Equal(["attempt 1 failed: boom"], reopened.TaskLog(task));
    }

    [Fact]
    public void Two_ledgers_on_one_store_hand_out_task_ids_that_never_repeat_and_grow()
    {
        var other = OpenAnother();
        Ledger.StartRun("run-1", Env, "build");
        other.StartRun("run-2", Env, "build");
        var first = new List<long>();
        var second = new List<long>();
        for (var i = 0; i < 40; i++) // past the first blocks of ids either reserves
        {
            first.Add(Ledger.StartTask("run-1", "raw.a", i, $"box-{i}", "missing"));
            second.Add(other.StartTask("run-2", "raw.a", i, $"box-{i}", "missing"));
        }

        Assert.Equal(80, first.Concat(second).Distinct().Count());
        Assert.Equal(first.Order(), first);
        Assert.Equal(second.Order(), second);
        Assert.Equal(40, Eventually(() => Ledger.Tasks("run-2").Count, n => n == 40));
    }

    [Fact]
    public void Tasks_started_from_many_threads_at_once_get_an_id_and_a_row_each()
    {
        Ledger.StartRun("run-1", Env, "build");
        var ids = new System.Collections.Concurrent.ConcurrentBag<long>();
        Parallel.For(0, 4, worker =>
        {
            for (var i = 0; i < 500; i++)
            {
                ids.Add(Ledger.StartTask("run-1", "raw.a", i, $"box-{worker}-{i}", "missing"));
                if (i % 10 == 0) Ledger.TryAcquireLease($"version-{worker}-{i}", "run-1", TimeSpan.FromMinutes(1)); // writes in between
            }
        });

        Assert.Equal(2000, ids.Distinct().Count());
        Assert.Equal(2000, Ledger.Tasks("run-1").Count);
    }

    [Fact]
    public void A_run_is_recorded_running_in_this_process_and_then_with_how_it_ended()
    {
        Ledger.StartRun("run-1", Env, "build");
        var running = Ledger.FindRun("run-1")!;
        Assert.Equal((RunStatus.Running, "build", Env, (long?)null), (running.Status, running.Command, running.Env, running.FinishedAtMs));
        Assert.Equal(RunProcess.Current, Ledger.ProcessOf("run-1"));

        Advance(TimeSpan.FromSeconds(30));
        Ledger.RecordRunSeen("run-1");
        Assert.Equal(NowMs, Ledger.FindRun("run-1")!.LastSeenAtMs);
        Ledger.FinishRun("run-1", RunStatus.Ok, "{\"tasks\":0}");
        Advance(TimeSpan.FromSeconds(30));
        Ledger.RecordRunSeen("run-1"); // finished: no longer seen

        var finished = OpenAnother().FindRun("run-1")!;
        Assert.Equal((RunStatus.Ok, "{\"tasks\":0}"), (finished.Status, finished.SummaryJson));
        Assert.NotNull(finished.FinishedAtMs);
        Assert.Equal(NowMs - 30_000, finished.LastSeenAtMs);
        Assert.Null(Ledger.FindRun("run-2"));
        Assert.Null(Ledger.ProcessOf("run-2"));
    }

    [Fact]
    public void Runs_and_events_are_listed_newest_first()
    {
        Ledger.StartRun("run-1", Env, "build");
        Advance(TimeSpan.FromSeconds(1));
        Ledger.StartRun("run-2", Env, "gc");
        Ledger.RecordEvent(EventKind.Deploy, Env, "raw.a", null, null, "first");
        Ledger.RecordEvent(EventKind.Andon, Env, "raw.b", "box-1", "v1", "second");
        Ledger.RecordEvent(EventKind.SlaMiss, Env, "raw.a", "box-1", null, "third");

        Assert.Equal(["run-2", "run-1"], Ledger.Runs(10).Select(r => r.Id));
        Assert.Equal(["third", "second", "first"], Ledger.Events(null, 10).Select(e => e.Message));
        Assert.Equal(["third", "first"], Ledger.Events("raw.a", 10).Select(e => e.Message));
        Assert.Equal(["third"], Ledger.Events(null, 1).Select(e => e.Message));
        Assert.Equal(["third", "second"], Ledger.EventsOfKinds([EventKind.Andon, EventKind.SlaMiss], null, 10).Select(e => e.Message));
        Assert.Equal(["third"], Ledger.EventsOfKinds([EventKind.Andon, EventKind.SlaMiss], "raw.a", 10).Select(e => e.Message));
        Assert.Empty(Ledger.EventsOfKinds([], null, 10));
        var events = Ledger.Events(null, 10);
        Assert.True(events[0].Id > events[1].Id && events[1].Id > events[2].Id);
    }
}
