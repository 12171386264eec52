using Takt.Composition;
using Takt.Ledger;
using Takt.Running;
using Takt.Server.Scheduling;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Scheduling;

/// <summary>
/// The scheduler goes on when the ledger cannot record its events, and says so: the next tick returns what was not
/// recorded (the loop of <c>serve</c> logs it as an error) and the scheduler's status counts it (<c>/api/schedules</c>).
/// </summary>
/// <remarks>Needs root (chattr), as the machines and CI have; the flag is undone before the ledger closes, even when the test fails.</remarks>
public sealed class SchedulerRecordTests : IDisposable
{
    private readonly E2EDirectory _dir = new();
    private readonly FileSystemFaults _faults = new();
    private Workspace? _ws;

    public void Dispose()
    {
        _faults.Dispose();
        _ws?.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_scheduled_run_the_ledger_cannot_record_is_returned_by_a_tick_once_and_counted_in_the_status()
    {
        var clock = new ManualClock(ManualClock.Utc(2026, 1, 10, 5, 0));
        _ws = WorkspaceBuilder.At(_dir.Path).Landing(E2E.Landing(_dir.Path)).Environment("prod").Clock(clock).Open(E2E.ShopFactoryAt());
        var scheduler = new Scheduler(E2E.ShopFactoryAt(), new Schedules().Cron("nightly", "0 6 * * *", ["serving.*"]), _ws.Ledger, "prod",
            _ws.Landing, new FakeBuilds(), clock);
        Assert.Empty(scheduler.Tick().NotRecorded);
        Assert.Equal(0, scheduler.NotRecordedEvents.Count);
        var wal = Path.Combine(_dir.Path, "ledger.db-wal");
        Assert.True(File.Exists(wal), "the ledger has no write-ahead log to make immutable");
        _faults.Immutable(wal); // every write of the ledger goes there first: now none succeeds

        clock.Set(ManualClock.Utc(2026, 1, 10, 6, 0));
        var due = scheduler.Tick(); // SLA misses of the Shop may fail to be recorded here already
        Assert.Single(due.Decisions, d => d.Action == "started");
        await scheduler.WhenIdle();
        var after = scheduler.Tick();
        var reported = due.NotRecorded.Concat(after.NotRecorded).ToList();

        // The build runs beside the tick that started it: its record fails before or after that tick returns.
        var run = Assert.Single(reported, n => n.Kind == EventKind.ScheduleRun);
        Assert.StartsWith("nightly (cron 0 6 * * *", run.Message);
        Assert.False(string.IsNullOrWhiteSpace(run.Error));
        var (count, last) = scheduler.NotRecordedEvents;
        Assert.Equal(reported.Count, count);
        Assert.Equal(reported[^1], last);
        Assert.DoesNotContain(scheduler.Tick().NotRecorded, n => n.Kind == EventKind.ScheduleRun); // each one is returned by one tick
    }
}
