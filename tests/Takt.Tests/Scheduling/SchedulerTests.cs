using Takt.Composition;
using Takt.Building;
using Takt.Boxes;
using Takt.Ledger;
using Takt.Running;
using Takt.Server.Scheduling;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Scheduling;

/// <summary>The scheduler of <c>serve</c>, driven tick by tick with a clock that only the test moves.</summary>
public sealed class SchedulerTests : IDisposable
{
    private readonly E2EDirectory _dir = new();
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var d in Enumerable.Reverse(_owned)) d.Dispose();
        _dir.Dispose();
    }

    private string Home => _dir.Path;
    private string Landing => E2E.Landing(Home);

    /// <summary>The workspace the composition root opens at the test's home: the scheduler reads its ledger and landing zone.</summary>
    private Workspace Open(TimeProvider clock)
    {
        var ws = WorkspaceBuilder.At(Home).Landing(Landing).Environment("prod").Clock(clock).Open(E2E.ShopFactoryAt());
        _owned.Add(ws);
        return ws;
    }

    private static IReadOnlyList<EventRecord> Events(ILedger ledger, EventKind kind) => ledger.EventsOfKinds([kind], null, 1000);

    [Fact]
    public async Task A_cron_target_runs_exactly_once_per_due_tick()
    {
        var clock = new ManualClock(ManualClock.Utc(2026, 1, 10, 5, 0));
        var opened = Open(clock);
        var ledger = opened.Ledger;
        var builds = new FakeBuilds();
        var scheduler = new Scheduler(E2E.ShopFactoryAt(), new Schedules().Cron("nightly", "0 6 * * *", ["serving.*"]), ledger, "prod", opened.Landing, builds, clock);

        async Task<int> TickAt(DateTimeOffset at)
        {
            clock.Set(at);
            var started = scheduler.Tick().Decisions.Count(d => d.Action == "started");
            await scheduler.WhenIdle();
            return started;
        }

        Assert.Equal(0, await TickAt(ManualClock.Utc(2026, 1, 10, 5, 0)));
        Assert.Equal(0, await TickAt(ManualClock.Utc(2026, 1, 10, 5, 59, 59)));
        Assert.Equal(1, await TickAt(ManualClock.Utc(2026, 1, 10, 6, 0)));
        Assert.Equal(0, await TickAt(ManualClock.Utc(2026, 1, 10, 6, 0)));      // the same tick again
        Assert.Equal(0, await TickAt(ManualClock.Utc(2026, 1, 10, 6, 0, 30)));
        Assert.Equal(0, await TickAt(ManualClock.Utc(2026, 1, 10, 23, 0)));
        Assert.Equal(1, await TickAt(ManualClock.Utc(2026, 1, 11, 6, 0, 5)));
        Assert.Equal(1, await TickAt(ManualClock.Utc(2026, 1, 14, 7, 0)));      // three missed occurrences: one run, not three
        Assert.Equal(0, await TickAt(ManualClock.Utc(2026, 1, 14, 7, 1)));

        Assert.Equal(3, builds.Requests.Count);
        Assert.All(builds.Requests, r => Assert.Equal(["serving.fraud_scores"], r.Targets));
        Assert.Equal(3, Events(ledger, EventKind.ScheduleRun).Count);
        var state = Assert.Single(scheduler.Status());
        Assert.Equal(ManualClock.Utc(2026, 1, 15, 6, 0), state.NextDue);
        Assert.Equal(3, state.Runs);
        Assert.Equal(RunStatus.Ok, state.LastStatus);
    }

    [Fact]
    public async Task A_run_of_a_target_that_is_still_building_is_skipped_and_recorded()
    {
        var clock = new ManualClock(ManualClock.Utc(2026, 1, 10, 0, 1));
        var opened = Open(clock);
        var ledger = opened.Ledger;
        var builds = new FakeBuilds();
        var schedules = new Schedules()
            .Cron("every-ten", "*/10 * * * *", ["serving.*"])
            .OnLanding("orders-arrive", "raw.orders");
        var scheduler = new Scheduler(E2E.ShopFactoryAt(), schedules, ledger, "prod", opened.Landing, builds, clock);
        builds.Hold();

        clock.Set(ManualClock.Utc(2026, 1, 10, 0, 10));
        Assert.Equal("started", Assert.Single(scheduler.Tick().Decisions).Action);
        builds.WaitForRequests(1);

        // Ten minutes later the first run still builds serving.fraud_scores: the cron run is skipped...
        clock.Set(ManualClock.Utc(2026, 1, 10, 0, 20));
        var skipped = Assert.Single(scheduler.Tick().Decisions);
        Assert.Equal(("every-ten", "skipped"), (skipped.Schedule, skipped.Action));
        // ...and so is a sensor whose downstream includes it, until the running build is done.
        E2E.Generate(Home, E2E.Day(1), E2E.Day(1));
        clock.Set(ManualClock.Utc(2026, 1, 10, 0, 21));
        var sensor = Assert.Single(scheduler.Tick().Decisions);
        Assert.Equal(("orders-arrive", "skipped"), (sensor.Schedule, sensor.Action));
        Assert.Single(builds.Requests);

        builds.Release();
        await scheduler.WhenIdle();
        clock.Set(ManualClock.Utc(2026, 1, 10, 0, 22));
        var retried = Assert.Single(scheduler.Tick().Decisions);
        Assert.Equal(("orders-arrive", "started"), (retried.Schedule, retried.Action));
        await scheduler.WhenIdle();
        clock.Set(ManualClock.Utc(2026, 1, 10, 0, 30));
        Assert.Equal([("every-ten", "started")], scheduler.Tick().Decisions.Select(d => (d.Schedule, d.Action)));
        await scheduler.WhenIdle();

        Assert.Equal(3, builds.Requests.Count);
        var skips = Events(ledger, EventKind.ScheduleSkipped);
        Assert.Equal(2, skips.Count);
        Assert.Contains(skips, e => e.Message.StartsWith("every-ten: skipped", StringComparison.Ordinal) && e.Message.Contains("serving.fraud_scores"));
        Assert.Contains(skips, e => e.Message.StartsWith("orders-arrive: skipped", StringComparison.Ordinal));
        var status = scheduler.Status().ToDictionary(s => s.Name);
        Assert.Equal((2, 1), (status["every-ten"].Runs, status["every-ten"].Skipped));
        Assert.Equal((1, 1), (status["orders-arrive"].Runs, status["orders-arrive"].Skipped));
    }

    [Fact]
    public async Task A_sensor_builds_what_depends_on_a_source_when_its_files_arrive()
    {
        var clock = new ManualClock(ManualClock.Utc(2026, 1, 3, 1, 0));
        var factory = E2E.ShopFactoryAt();
        var opened = Open(clock);
        var ledger = opened.Ledger;
        var builds = new WorkspaceBuilds(() => WorkspaceBuilder.At(Home).Landing(Landing).Environment("prod").Clock(clock).Open(factory), new RunOptions { Parallelism = 2 });
        var scheduler = new Scheduler(factory, new Schedules().OnLanding("orders-arrive", "raw.orders"), ledger, "prod", opened.Landing, builds, clock);

        Assert.Empty(scheduler.Tick().Decisions); // nothing has landed

        E2E.Generate(Home, E2E.Day(1), E2E.Day(2));
        var first = Assert.Single(scheduler.Tick().Decisions);
        Assert.Equal("started", first.Action);
        Assert.Equal(["raw.orders", "core.orders", "mart.daily_revenue", "mart.user_features", "serving.fraud_scores"], first.Targets);
        await scheduler.WhenIdle();
        Assert.Equal(RunStatus.Ok, scheduler.Status().Single().LastStatus);
        Assert.Equal([E2E.Day(1).DayNumber, E2E.Day(2).DayNumber], CurrentBoxes(ledger, "serving.fraud_scores"));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(scheduler.Tick().Decisions); // everything landed is ingested

        E2E.Generate(Home, E2E.Day(3), E2E.Day(3));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("started", Assert.Single(scheduler.Tick().Decisions).Action);
        await scheduler.WhenIdle();
        Assert.Equal([E2E.Day(1).DayNumber, E2E.Day(2).DayNumber, E2E.Day(3).DayNumber], CurrentBoxes(ledger, "core.orders"));
        Assert.Equal([E2E.Day(1).DayNumber, E2E.Day(2).DayNumber, E2E.Day(3).DayNumber], CurrentBoxes(ledger, "serving.fraud_scores"));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(scheduler.Tick().Decisions);
        var runs = Events(ledger, EventKind.ScheduleRun);
        Assert.Equal(2, runs.Count);
        Assert.All(runs, e => Assert.StartsWith("orders-arrive (", e.Message));
        Assert.Contains(runs, e => e.Message.Contains("2 landing files of raw.orders are new or changed (first orders/2026-01-01.jsonl)"));
        Assert.Contains(runs, e => e.Message.Contains("landing file orders/2026-01-03.jsonl of raw.orders is new or changed"));
    }

    [Fact]
    public async Task A_cron_run_skipped_while_an_overlapping_build_runs_stays_pending_and_runs_when_that_build_ends()
    {
        var clock = new ManualClock(ManualClock.Utc(2026, 1, 10, 0, 5));
        var opened = Open(clock);
        var ledger = opened.Ledger;
        var builds = new FakeBuilds();
        var schedules = new Schedules().Cron("hourly", "0 * * * *", ["serving.*"]).OnLanding("orders-arrive", "raw.orders");
        var scheduler = new Scheduler(E2E.ShopFactoryAt(), schedules, ledger, "prod", opened.Landing, builds, clock);
        builds.Hold();
        E2E.Generate(Home, E2E.Day(1), E2E.Day(1));
        Assert.Equal([("orders-arrive", "started")], scheduler.Tick().Decisions.Select(d => (d.Schedule, d.Action)));
        builds.WaitForRequests(1);

        clock.Set(ManualClock.Utc(2026, 1, 10, 1, 0));
        Assert.Equal([("hourly", "skipped")], scheduler.Tick().Decisions.Select(d => (d.Schedule, d.Action)));
        clock.Set(ManualClock.Utc(2026, 1, 10, 1, 0, 30));
        Assert.Empty(scheduler.Tick().Decisions); // still pending behind the running build, said once
        Assert.Equal("cron 0 * * * * due at 2026-01-10T01:00:00Z", scheduler.Status().Single(s => s.Name == "hourly").Pending);

        builds.Release();
        await scheduler.WhenIdle();
        clock.Set(ManualClock.Utc(2026, 1, 10, 1, 1));
        var retried = Assert.Single(scheduler.Tick().Decisions);
        Assert.Equal(("hourly", "started"), (retried.Schedule, retried.Action));
        Assert.Equal("cron 0 * * * * due at 2026-01-10T01:00:00Z (skipped at 2026-01-10T01:00:00Z while 'orders-arrive' built serving.fraud_scores)", retried.Trigger);
        await scheduler.WhenIdle();
        clock.Set(ManualClock.Utc(2026, 1, 10, 1, 2));
        Assert.Empty(scheduler.Tick().Decisions);

        Assert.Equal(2, builds.Requests.Count);
        Assert.Null(scheduler.Status().Single(s => s.Name == "hourly").Pending);
        Assert.Single(Events(ledger, EventKind.ScheduleSkipped));
    }

    [Fact]
    public async Task Two_landing_sensors_firing_together_both_leave_their_targets_built()
    {
        var clock = new ManualClock(ManualClock.Utc(2026, 1, 4, 1, 0));
        var factory = E2E.ShopFactoryAt();
        var opened = Open(clock);
        var ledger = opened.Ledger;
        var builds = new WorkspaceBuilds(() => WorkspaceBuilder.At(Home).Landing(Landing).Environment("prod").Clock(clock).Open(factory), new RunOptions { Parallelism = 2 });
        var schedules = new Schedules().OnLanding("orders-arrive", "raw.orders").OnLanding("users-arrive", "raw.users");
        var scheduler = new Scheduler(factory, schedules, ledger, "prod", opened.Landing, builds, clock);

        E2E.Generate(Home, E2E.Day(1), E2E.Day(3));
        // Both fire; they share mart.user_features and serving.fraud_scores, so one waits. The build that runs ingests
        // the users' files as well (mart.user_features reads core.users), so they are no longer new when the other's turn comes.
        Assert.Equal([("orders-arrive", "started"), ("users-arrive", "skipped")], scheduler.Tick().Decisions.Select(d => (d.Schedule, d.Action)));
        await scheduler.WhenIdle();

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([("users-arrive", "started")], scheduler.Tick().Decisions.Select(d => (d.Schedule, d.Action)));
        await scheduler.WhenIdle();

        Assert.Equal([E2E.Day(1).DayNumber, E2E.Day(2).DayNumber, E2E.Day(3).DayNumber], CurrentBoxes(ledger, "mart.signups_by_country"));
        using (var ws = WorkspaceBuilder.At(Home).Landing(Landing).Environment("prod").Clock(clock).Open(factory))
            Assert.Empty(new BuildService(ws).Plan([]).Tasks);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(scheduler.Tick().Decisions);
    }

    [Fact]
    public async Task A_sensor_builds_its_targets_when_another_build_ingested_its_files()
    {
        var clock = new ManualClock(ManualClock.Utc(2026, 1, 3, 1, 0));
        var factory = E2E.ShopFactoryAt();
        var opened = Open(clock);
        var ledger = opened.Ledger;
        var builds = new WorkspaceBuilds(() => WorkspaceBuilder.At(Home).Landing(Landing).Environment("prod").Clock(clock).Open(factory));
        var scheduler = new Scheduler(factory, new Schedules().OnLanding("users-arrive", "raw.users"), ledger, "prod", opened.Landing, builds, clock);

        // A build by hand of the fraud scores ingests the users' files too, but builds nothing that only users-arrive targets.
        E2E.Generate(Home, E2E.Day(1), E2E.Day(2));
        using (var ws = WorkspaceBuilder.At(Home).Landing(Landing).Environment("prod").Clock(clock).Open(factory))
            Assert.False(new BuildService(ws).Build(["serving.fraud_scores"]).ProcessingFailed);
        Assert.Empty(CurrentBoxes(ledger, "mart.signups_by_country"));

        var decision = Assert.Single(scheduler.Tick().Decisions);
        Assert.Equal(("users-arrive", "started"), (decision.Schedule, decision.Action));
        Assert.Equal("2 boxes of its targets are missing or stale (first mart.signups_by_country@2026-01-01: missing)", decision.Trigger);
        await scheduler.WhenIdle();
        Assert.Equal([E2E.Day(1).DayNumber, E2E.Day(2).DayNumber], CurrentBoxes(ledger, "mart.signups_by_country"));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(scheduler.Tick().Decisions);
    }

    [Fact]
    public void A_box_not_ready_by_its_deadline_is_recorded_as_an_sla_miss_once()
    {
        var clock = new ManualClock(ManualClock.Utc(2026, 1, 9, 5, 0));
        var factory = E2E.ShopFactoryAt();
        var opened = Open(clock);
        var ledger = opened.Ledger;
        // core.orders declares "ready within 6 h" itself; mart.daily_revenue gets 2 h here.
        var schedules = new Schedules().Sla("mart.daily_revenue", TimeSpan.FromHours(2)).WithSlaLookback(TimeSpan.FromHours(12));
        Scheduler NewScheduler() => new(factory, schedules, ledger, "prod", opened.Landing, new FakeBuilds(), clock);
        var scheduler = NewScheduler();
        Assert.Equal([("core.orders", TimeSpan.FromHours(6)), ("mart.daily_revenue", TimeSpan.FromHours(2))],
            scheduler.Slas.Select(s => (s.Dataset, s.ReadyWithin)));

        // 05:00: daily revenue of the 8th was due at 02:00; the orders of the 8th are not due before 06:00.
        Assert.Equal([("mart.daily_revenue", "2026-01-08")], Misses(scheduler.Tick()));

        // The orders of the 8th are committed at 05:30, in time; at 06:00:01 nothing is late, and nothing is recorded twice.
        clock.Set(ManualClock.Utc(2026, 1, 9, 5, 30));
        Commit(ledger, "core.orders", E2E.Day(8), clock);
        clock.Set(ManualClock.Utc(2026, 1, 9, 6, 0, 1));
        Assert.Empty(Misses(scheduler.Tick()));

        // A day later neither the orders nor the revenue of the 9th came.
        clock.Set(ManualClock.Utc(2026, 1, 10, 6, 0, 1));
        Assert.Equal([("core.orders", "2026-01-09"), ("mart.daily_revenue", "2026-01-09")], Misses(scheduler.Tick()));

        // Committed late: the miss stands, and neither this scheduler nor a restarted one records it again.
        clock.Set(ManualClock.Utc(2026, 1, 10, 7, 0));
        Commit(ledger, "core.orders", E2E.Day(9), clock);
        Assert.Empty(Misses(scheduler.Tick()));
        Assert.Empty(Misses(NewScheduler().Tick()));

        var recorded = Events(ledger, EventKind.SlaMiss).OrderBy(e => e.Id).Select(e => (e.Dataset, e.BoxKey)).ToArray();
        Assert.Equal([("mart.daily_revenue", "2026-01-08"), ("core.orders", "2026-01-09"), ("mart.daily_revenue", "2026-01-09")], recorded);
        var message = Events(ledger, EventKind.SlaMiss).Single(e => e.Dataset == "core.orders").Message;
        Assert.Equal("core.orders@2026-01-09 was not ready by 2026-01-10T06:00:00Z (ready within 6 h of the box's end; owner data-platform@shop.example)", message);
    }

    [Fact]
    public void Schedules_are_checked_when_declared_and_against_the_factory()
    {
        Assert.Throws<ArgumentException>(() => new Schedules().Cron("Nightly!", "0 6 * * *"));
        Assert.Throws<ArgumentException>(() => new Schedules().Cron("nightly", "61 6 * * *"));
        Assert.Throws<ArgumentException>(() => new Schedules().Cron("nightly", "0 6 * * *", ["Serving"]));
        Assert.Throws<ArgumentException>(() => new Schedules().OnLanding("orders", "orders"));
        var problems = new Schedules()
            .Cron("nightly", "0 6 * * *", ["serving.nothing", "gold.*"])
            .OnLanding("orders", "core.orders")
            .OnLanding("nightly", "raw.nothing")
            .Sla("mart.nothing", TimeSpan.FromHours(1))
            .Problems(E2E.ShopFactoryAt());
        Assert.Equal(
        [
            "schedule name 'nightly' is used 2 times",
            "schedule 'nightly': target serving.nothing names no dataset",
            "schedule 'nightly': target gold.* names no dataset",
            "sensor 'orders': core.orders is a transform, not a source with landing files",
            "sensor 'nightly': no dataset is named raw.nothing",
            "SLA: no dataset is named mart.nothing",
        ], problems);
    }

    private static (string, string)[] Misses(TickResult tick) => tick.SlaMisses.Select(m => (m.Dataset, m.BoxKey)).ToArray();

    private static long[] CurrentBoxes(ILedger ledger, string dataset) =>
        ledger.Boxes("prod", dataset, BoxRange.Everything).Where(b => b.CurrentVersion is not null).Select(b => b.Box).ToArray();

    private static void Commit(ILedger ledger, string dataset, DateOnly day, TimeProvider clock)
    {
        var key = E2E.Key(day);
        var version = new VersionRecord($"v-{dataset}-{key}", dataset, day.DayNumber, key, "code", 0, VersionStatus.Committed, 10, 100, "{}",
            clock.GetUtcNow().ToUnixTimeMilliseconds(), null);
        Assert.Equal(CommitOutcome.Committed, ledger.Commit(new CommitRequest("prod", version, [], [], null)));
    }
}
