using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>
/// What every ledger must keep of the statuses it records: each run status, task status and event kind is read back
/// as it was written, by another instance and after a reopen (so a second ledger cannot lose one by mapping it).
/// </summary>
public abstract class StatusContract<TStore> : LedgerContract<TStore> where TStore : ILedgerStore, new()
{
    public static TheoryData<RunStatus> RecordedRunStatuses => new(Enum.GetValues<RunStatus>().Where(s => s != RunStatus.Died));
    public static TheoryData<BuildStatus> TaskStatuses => new(Enum.GetValues<BuildStatus>());
    public static TheoryData<EventKind> EventKinds => new(Enum.GetValues<EventKind>());

    [Theory, MemberData(nameof(RecordedRunStatuses))]
    public void Every_run_status_is_read_back_as_it_was_recorded(RunStatus status)
    {
        Ledger.StartRun("run-1", Env, "build");
        if (status != RunStatus.Running) Ledger.FinishRun("run-1", status, "{}");

        Assert.Equal(status, OpenAnother().FindRun("run-1")!.Status);
        Assert.Equal(status, Assert.Single(Reopen().Runs(10)).Status);
    }

    [Fact]
    public void A_run_is_never_recorded_as_died_that_is_only_read_from_a_running_run_whose_process_is_gone()
    {
        Ledger.StartRun("run-1", Env, "build");

        Assert.Throws<ArgumentException>(() => Ledger.FinishRun("run-1", RunStatus.Died, "{}"));
        Assert.Equal(RunStatus.Running, Ledger.FindRun("run-1")!.Status);
    }

    [Theory, MemberData(nameof(TaskStatuses))]
    public void Every_task_status_is_read_back_as_it_was_recorded(BuildStatus status)
    {
        Ledger.StartRun("run-1", Env, "build");
        var task = Ledger.StartTask("run-1", "raw.a", 1, "box-1", "missing");
        if (status != BuildStatus.Running) Ledger.FinishTask(task, status, null, 1, 5, 0, 0, null, []);

        var reopened = Reopen();
        Assert.Equal(status, Assert.Single(reopened.Tasks("run-1")).Status);
        Assert.Equal(status, Assert.Single(reopened.TasksSince(0)).Status);
    }

    [Theory, MemberData(nameof(EventKinds))]
    public void Every_event_kind_is_read_back_as_it_was_recorded_and_found_by_kind(EventKind kind)
    {
        Ledger.RecordEvent(kind, Env, "raw.a", "box-1", null, "what happened");
        var other = kind == EventKind.Andon ? EventKind.Override : EventKind.Andon;
        Ledger.RecordEvent(other, Env, "raw.a", "box-1", null, "something else");

        var reopened = Reopen();
        Assert.Equal([other, kind], reopened.Events(null, 10).Select(e => e.Kind));
        Assert.Equal(["what happened"], reopened.EventsOfKinds([kind], null, 10).Select(e => e.Message));
        Assert.Equal(["what happened"], reopened.EventsSince(0, kind).Select(e => e.Message));
    }
}
