using Takt.Composition;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Measuring;
using Takt.Running;

namespace Takt.Tests.Measuring;

/// <summary>Each metric computed on a ledger whose events happened at known times, asserted exactly.</summary>
public sealed class MetricsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "takt-metrics-" + Guid.NewGuid().ToString("N"));
    private readonly ManualClock _clock = new(At(2026, 1, 5, 0));
    private readonly Workspace _ws;

    public MetricsTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "sql"));
        File.WriteAllText(Path.Combine(_dir, "sql", "b.sql"), "SELECT id\nFROM raw.a\n-- a comment line\n");
        var factory = new FactoryBuilder("m", _dir)
            .Dataset("raw.a", d => d.Owner("ingest-team").Schema(s => s.Required("id", ColumnType.Int64)).FromLanding("a/{box}.csv", LandingFormat.Csv))
            .Dataset("core.b", d => d.Owner("core-team").Input("raw.a").Sql("sql/b.sql").ReadyWithin(TimeSpan.FromHours(6))
                .Check(Check.Unique("id")).Check(Check.RowCount(min: 1).AsWarning()))
            .Build();
        _ws = WorkspaceBuilder.At(_dir).Clock(_clock).Open(factory);
    }

    public void Dispose()
    {
        _ws.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Every_metric_matches_the_recorded_history()
    {
        var ledger = _ws.Ledger;
        var code = _ws.Factory.CodeHashOf("core.b");

        // Monday 2026-01-05: core.b goes live in prod.
        ledger.RecordDeploy("prod", "core.b", null, code, null);
        ledger.RecordDeploy("prod", "raw.a", null, _ws.Factory.CodeHashOf("raw.a"), null);

        // Box 01-05 is ready 01-06 05:00, before its deadline (01-06 06:00); box 01-06 only at 01-07 08:00: late.
        Commit("core.b", Day(5), At(2026, 1, 6, 5), VersionStatus.Committed);
        Commit("core.b", Day(6), At(2026, 1, 7, 8), VersionStatus.Committed);

        // 01-08 01:00: box 01-07 is stopped by a blocking check and warned by another; 01-08 01:30 a fixed build lands.
        Commit("core.b", Day(7), At(2026, 1, 8, 1), VersionStatus.Quarantined,
            new CheckResult("unique(id)", "unique", "block", false, 2, "2 duplicated key(s)"),
            new CheckResult("row_count", "row_count", "warn", false, 1, "0 rows"));
        _clock.Now = At(2026, 1, 8, 1).AddMinutes(25);
        Task("core.b", Day(7), "input changed: raw.a", BuildStatus.Built, durationMs: 5 * 60_000);

        // Processing: one failed task; time: 3 s of new work, 2 s of recomputation.
        _clock.Now = At(2026, 1, 8, 9);
        Task("core.b", Day(8), "missing", BuildStatus.Failed, durationMs: 700);
        Task("core.b", Day(8), "missing", BuildStatus.Built, durationMs: 3000);
        Task("raw.a", Day(6), "invalidated", BuildStatus.Built, durationMs: 2000);

        // A change of core.b: first built in dev on 01-09 10:00, in prod at 14:00: a 4-hour cycle.
        _clock.Now = At(2026, 1, 9, 10);
        ledger.RecordDeploy("dev-x", "core.b", null, "feedface00000000feedface00000000", null);
        _clock.Now = At(2026, 1, 9, 14);
        ledger.RecordDeploy("prod", "core.b", code, "feedface00000000feedface00000000", null);

        _clock.Now = At(2026, 1, 19, 0);
        var metrics = MetricsCalculator.Compute(_ws, new DateOnly(2026, 1, 5));

        var core = Assert.Single(metrics.Weeks, w => w.Owner == "core-team");
        Assert.Equal("2026-W02", core.Week);
        Assert.Equal(1, core.DataQualityBlocking);
        Assert.Equal(1, core.DataQualityWarnings);
        Assert.Equal(1, core.ProcessingErrors);
        Assert.Equal(1, core.TimelinessErrors);
        Assert.Equal(3000, core.NewBuildMs);
        Assert.Equal(5 * 60_000, core.RecomputeMs);
        Assert.Equal(2, core.Deploys);
        var ingest = Assert.Single(metrics.Weeks, w => w.Owner == "ingest-team");
        Assert.Equal(2000, ingest.RecomputeMs);
        Assert.Equal(1, ingest.Deploys);

        Assert.Equal(30.0, metrics.MeanTimeToRecoverMinutes!.Value, 6); // 01:00 -> 01:25 + 5 min build
        Assert.Equal(1, metrics.Recoveries);
        Assert.Equal(0, metrics.OpenStops);
        Assert.Equal(4.0, metrics.MeanCycleTimeHours!.Value, 6);
        Assert.Equal(1, metrics.CycleTimeSamples);
        Assert.Equal(1.5, metrics.DeploysPerWeek); // 3 prod deploys over two weeks

        var coreLayer = Assert.Single(metrics.Data, l => l.Layer == "core");
        Assert.Equal(3, coreLayer.Versions);
        Assert.Equal(20, coreLayer.Rows); // the two committed boxes hold 10 rows each
        Assert.Equal(1, metrics.Code.Sources);
        Assert.Equal(1, metrics.Code.SqlTransforms);
        Assert.Equal(2, metrics.Code.SqlLines); // comment lines do not count
        Assert.Equal(2, metrics.Code.ChecksPerDataset["core.b"]);
    }

    [Fact]
    public void An_unrecovered_stop_is_open_and_a_backfill_is_never_late()
    {
        _ws.Ledger.RecordDeploy("prod", "core.b", null, _ws.Factory.CodeHashOf("core.b"), null);
        // Days before the dataset went live are a backfill: built long after their deadline, yet not late.
        Commit("core.b", new DateOnly(2025, 12, 1), At(2026, 1, 5, 1), VersionStatus.Committed);
        Commit("core.b", Day(5), At(2026, 1, 5, 2), VersionStatus.Quarantined, new CheckResult("unique(id)", "unique", "block", false, 1, "x"));
        _clock.Now = At(2026, 1, 12, 0);

        var metrics = MetricsCalculator.Compute(_ws, new DateOnly(2025, 11, 1));

        Assert.Equal(0, metrics.Weeks.Sum(w => w.TimelinessErrors));
        Assert.Null(metrics.MeanTimeToRecoverMinutes);
        Assert.Equal(1, metrics.OpenStops);
    }

    [Fact]
    public void Sla_misses_the_scheduler_recorded_count_as_timeliness_errors_once_per_box()
    {
        _ws.Ledger.RecordDeploy("prod", "core.b", null, _ws.Factory.CodeHashOf("core.b"), null);
        // The scheduler saw 01-06 and 01-07 miss their 06:00 deadline; 01-06 was then built late, 01-07 never.
        _clock.Now = At(2026, 1, 7, 6).AddMinutes(1);
        _ws.Ledger.RecordEvent(EventKind.SlaMiss, "prod", "core.b", "2026-01-06", null, "not ready");
        _clock.Now = At(2026, 1, 8, 6).AddMinutes(1);
        _ws.Ledger.RecordEvent(EventKind.SlaMiss, "prod", "core.b", "2026-01-07", null, "not ready");
        _ws.Ledger.RecordEvent(EventKind.SlaMiss, "dev-x", "core.b", "2026-01-07", null, "another environment's miss");
        Commit("core.b", Day(6), At(2026, 1, 8, 9), VersionStatus.Committed);
        _clock.Now = At(2026, 1, 12, 0);

        var metrics = MetricsCalculator.Compute(_ws, new DateOnly(2026, 1, 5));

        Assert.Equal(2, Assert.Single(metrics.Weeks, w => w.Owner == "core-team").TimelinessErrors);
    }

    private void Commit(string dataset, DateOnly day, DateTimeOffset at, VersionStatus status, params CheckResult[] checks)
    {
        _clock.Now = at;
        var version = new VersionRecord(Guid.NewGuid().ToString("N"), dataset, day.DayNumber, day.ToString("yyyy-MM-dd"), _ws.Factory.CodeHashOf(dataset), 0,
            status, 10, 100, "[]", at.ToUnixTimeMilliseconds(), null);
        _ws.Ledger.Commit(new CommitRequest("prod", version, [], checks, null));
    }

    private void Task(string dataset, DateOnly day, string reason, BuildStatus status, long durationMs)
    {
        var id = _ws.Ledger.StartTask("run-1", dataset, day.DayNumber, day.ToString("yyyy-MM-dd"), reason);
        _ws.Ledger.FinishTask(id, status, null, 1, durationMs, 0, 0, null, []);
    }

    private static DateOnly Day(int day) => new(2026, 1, day);

    private static DateTimeOffset At(int year, int month, int day, int hour) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
