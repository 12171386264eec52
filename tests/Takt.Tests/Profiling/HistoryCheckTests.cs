using Takt.Checks;
using Takt.Definitions;
using Takt.Engine;
using Takt.Ledger;

namespace Takt.Tests.Profiling;

/// <summary>volume_anomaly and freshness evaluated on literal data with a given history and box.</summary>
public sealed class HistoryCheckTests : IDisposable
{
    private readonly DuckDbPool _pool = new();
    private readonly DuckDbPool.Lease _lease;

    public HistoryCheckTests() => _lease = _pool.Rent();

    private DuckDbSession Db => _lease.Session;

    public void Dispose()
    {
        _lease.Dispose();
        _pool.Dispose();
    }

    private static readonly long Jan5 = new DateOnly(2026, 1, 5).DayNumber;

    private void Rows(long count) => Db.Execute($"CREATE OR REPLACE VIEW {CheckEvaluator.DataView} AS SELECT range AS id FROM range({count})");

    private void Times(params string?[] values) => Db.Execute(
        $"CREATE OR REPLACE VIEW {CheckEvaluator.DataView} AS SELECT * FROM (VALUES {string.Join(", ", values.Select(v => v is null ? "(NULL)" : $"('{v}')"))}) t(\"at\")");

    private CheckResult Run(Check check, long? box = null, IReadOnlyList<long>? history = null, Boxes.Grain grain = Boxes.Grain.Daily)
    {
        var dataset = new Dataset { Name = "core.t", Owner = "tests", Grain = grain, Checks = [check] };
        return Assert.Single(CheckEvaluator.Evaluate(Db, dataset, box ?? Jan5, _ => null, new FixedCheckHistory(history ?? [])));
    }

    // ------------------------------------------------------------------ volume anomaly

    [Fact]
    public void A_volume_drop_beyond_the_allowed_deviation_fails()
    {
        Rows(40);
        var result = Run(Check.VolumeAnomaly(lookback: 14, maxDeviation: 0.5), history: [100, 104, 96, 100]);
        Assert.False(result.Passed);
        Assert.Equal("volume_anomaly", result.Name);
        Assert.Equal("volume_anomaly", result.Kind);
        Assert.Equal("block", result.Severity);
        Assert.Equal(1, result.FailingRows);
        Assert.Equal("40 rows, 60% below the median 100 of the 4 previous box(es) (at most 50% allowed)", result.Message);
    }

    [Fact]
    public void A_deviation_of_exactly_the_limit_passes_and_one_more_row_fails()
    {
        Rows(150);
        var ok = Run(Check.VolumeAnomaly(lookback: 14, maxDeviation: 0.5), history: [100, 100, 100]);
        Assert.True(ok.Passed, ok.Message);
        Assert.Equal("150 rows; median of the 3 previous box(es) 100 (deviation 50%, at most 50%)", ok.Message);

        Rows(151);
        var high = Run(Check.VolumeAnomaly(lookback: 14, maxDeviation: 0.5), history: [100, 100, 100]);
        Assert.False(high.Passed);
        Assert.Contains("above the median 100", high.Message);
    }

    [Fact]
    public void Too_little_history_passes_saying_it_was_not_judged()
    {
        Rows(1);
        var result = Run(Check.VolumeAnomaly(lookback: 14, maxDeviation: 0.5), history: [100, 100]);
        Assert.True(result.Passed);
        Assert.Equal("1 rows; only 2 of the 14 previous box(es) have a version (needs 3): not judged", result.Message);
    }

    [Fact]
    public void Only_the_lookback_window_counts_and_an_even_history_takes_the_middle_pair()
    {
        Rows(30);
        // The old boxes of 1000 rows are outside a lookback of 4: the median of 10, 20, 40, 50 is 30.
        var result = Run(Check.VolumeAnomaly(lookback: 4, maxDeviation: 0.1), history: [1000, 1000, 1000, 10, 20, 40, 50]);
        Assert.True(result.Passed, result.Message);
        Assert.Contains("median of the 4 previous box(es) 30", result.Message);
    }

    [Fact]
    public void A_history_of_empty_boxes_accepts_only_an_empty_box()
    {
        Rows(0);
        Assert.True(Run(Check.VolumeAnomaly(), history: [0, 0, 0]).Passed);
        Rows(5);
        var result = Run(Check.VolumeAnomaly(), history: [0, 0, 0]);
        Assert.False(result.Passed);
        Assert.Equal("5 rows; the median of the 3 previous box(es) is 0, so any row is an anomaly", result.Message);
    }

    [Fact]
    public void An_unpartitioned_dataset_has_no_history_to_compare_with()
    {
        Rows(5);
        var result = Run(Check.VolumeAnomaly(), box: 0, history: [100, 100, 100], grain: Boxes.Grain.Unpartitioned);
        Assert.True(result.Passed);
        Assert.Contains("unpartitioned", result.Message);
    }

    [Fact]
    public void The_old_signature_knows_no_history()
    {
        Rows(5);
        var dataset = new Dataset { Name = "core.t", Owner = "tests", Checks = [Check.VolumeAnomaly()] };
        var result = Assert.Single(CheckEvaluator.Evaluate(Db, dataset, _ => null));
        Assert.True(result.Passed);
        Assert.Contains("not judged", result.Message);
    }

    [Fact]
    public void A_warning_volume_anomaly_does_not_stop_the_line()
    {
        Rows(1);
        var result = Run(Check.VolumeAnomaly().AsWarning(), history: [100, 100, 100]);
        Assert.False(result.Passed);
        Assert.Equal("warn", result.Severity);
        Assert.False(CheckEvaluator.StopsTheLine([result]));
    }

    [Fact]
    public void Volume_anomaly_arguments_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Check.VolumeAnomaly(lookback: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Check.VolumeAnomaly(maxDeviation: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Check.VolumeAnomaly(maxDeviation: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Check.VolumeAnomaly(lookback: 2, minHistory: 3));
        Assert.Equal(new VolumeAnomalyCheck(14, 0.5, 3), Check.VolumeAnomaly());
    }

    // ------------------------------------------------------------------ freshness

    [Fact]
    public void Freshness_passes_when_the_newest_value_is_within_the_lag_of_the_box_end()
    {
        Times("2026-01-05 08:00:00", "2026-01-05 22:30:00", null);
        var result = Run(Check.Freshness("at", TimeSpan.FromHours(2)));
        Assert.True(result.Passed, result.Message);
        Assert.Equal("freshness(at)", result.Name);
        Assert.Equal("freshness", result.Kind);
        Assert.Equal("newest at 2026-01-05T22:30:00Z, 1 h 30 min before the box's end (at most 2 h)", result.Message);
    }

    [Fact]
    public void Freshness_fails_when_the_newest_value_is_older_than_the_lag()
    {
        Times("2026-01-05 08:00:00", "2026-01-05 21:00:00");
        var result = Run(Check.Freshness("at", TimeSpan.FromHours(2)));
        Assert.False(result.Passed);
        Assert.Equal(1, result.FailingRows);
        Assert.Equal("newest at 2026-01-05T21:00:00Z is 3 h before the box's end 2026-01-06T00:00:00Z (at most 2 h)", result.Message);
    }

    [Fact]
    public void Freshness_reads_offsets_and_measures_against_the_box_not_the_clock()
    {
        // 23:30 at +01:00 is 22:30 UTC; the box is an old one, and the answer does not depend on today.
        Times("2026-01-05T23:30:00+01:00");
        var result = Run(Check.Freshness("at", TimeSpan.FromMinutes(90)));
        Assert.True(result.Passed, result.Message);
        Assert.Contains("2026-01-05T22:30:00Z", result.Message);

        var hourly = Run(Check.Freshness("at", TimeSpan.FromMinutes(10)), box: new DateOnly(2026, 1, 5).DayNumber * 24L + 22, grain: Boxes.Grain.Hourly);
        Assert.False(hourly.Passed);
        Assert.Contains("30 min before the box's end 2026-01-05T23:00:00Z", hourly.Message);
    }

    [Fact]
    public void Freshness_fails_without_values_without_a_box_and_on_an_unpartitioned_dataset()
    {
        Db.Execute($"CREATE OR REPLACE VIEW {CheckEvaluator.DataView} AS SELECT CAST(NULL AS TIMESTAMP) AS \"at\" FROM range(2)");
        var empty = Run(Check.Freshness("at", TimeSpan.FromHours(2)));
        Assert.False(empty.Passed);
        Assert.Contains("no timestamp values", empty.Message);

        Times("2026-01-05 23:00:00");
        var dataset = new Dataset { Name = "core.t", Owner = "tests", Checks = [Check.Freshness("at", TimeSpan.FromHours(2))] };
        Assert.False(Assert.Single(CheckEvaluator.Evaluate(Db, dataset, _ => null)).Passed);
        var unpartitioned = Run(Check.Freshness("at", TimeSpan.FromHours(2)), box: 0, grain: Boxes.Grain.Unpartitioned);
        Assert.False(unpartitioned.Passed);
        Assert.Contains("unpartitioned", unpartitioned.Message);
    }

    [Fact]
    public void Freshness_on_a_column_that_holds_no_timestamps_fails_naming_its_type()
    {
        Rows(3);
        var result = Run(Check.Freshness("id", TimeSpan.FromHours(1)));
        Assert.False(result.Passed);
        Assert.Equal("column 'id' is BIGINT, not a timestamp, date or text holding timestamps", result.Message);
        var missing = Run(Check.Freshness("nope", TimeSpan.FromHours(1)));
        Assert.Equal("column 'nope' is missing", missing.Message);
    }

    [Fact]
    public void A_value_after_the_box_end_counts_as_fresh()
    {
        Times("2026-01-06 00:10:00");
        var result = Run(Check.Freshness("at", TimeSpan.FromHours(1)));
        Assert.True(result.Passed);
        Assert.Contains("10 min after the box's end", result.Message);
    }

    [Fact]
    public void Freshness_arguments_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Check.Freshness("at", TimeSpan.FromHours(-1)));
        Assert.Equal(["at"], Check.Freshness("at", TimeSpan.Zero).Columns);
    }

    [Fact]
    public void A_freshness_check_on_an_undeclared_column_is_rejected_by_the_factory()
    {
        var error = Assert.Throws<FactoryValidationException>(() => new FactoryBuilder("f", Path.GetTempPath())
            .Dataset("raw.a", d => d.Owner("o").Schema(s => s.Required("id", ColumnType.Int64)).FromLanding("a/{box}.csv", LandingFormat.Csv)
                .Check(Check.Freshness("at", TimeSpan.FromHours(1))))
            .Build());
        Assert.Contains("freshness(at) reads column 'at'", error.Message);
    }
}
