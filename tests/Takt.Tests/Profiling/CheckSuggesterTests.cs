using Takt.Checks;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Profiling;

namespace Takt.Tests.Profiling;

/// <summary>The rules that turn profiles into checks, on hand-made profiles, and the C# the checks are printed as.</summary>
public sealed class CheckSuggesterTests
{
    private static readonly long Jan1 = new DateOnly(2026, 1, 1).DayNumber;

    private static VersionProfile Box(int day, long rows, params ColumnProfile[] columns) =>
        new($"v{day}", "core.t", Jan1 + day - 1, new DateOnly(2026, 1, day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), rows, 0, columns);

    private static ColumnProfile Number(string name, long rows, long nulls, double min, double max, long? distinct = null) =>
        new(name, "DOUBLE", rows, nulls, distinct ?? rows, min.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            max.ToString("R", System.Globalization.CultureInfo.InvariantCulture), min, max, (min + max) / 2, []);

    private static ColumnProfile Text(string name, long rows, long nulls, params (string Value, long Count)[] top) =>
        new(name, "VARCHAR", rows, nulls, top.Length, top.Min(t => t.Value), top.Max(t => t.Value), null, null, null, top.Select(t => new TopValue(t.Value, t.Count)).ToArray());

    private static Dataset Dataset(params Check[] checks) => new() { Name = "core.t", Owner = "tests", Checks = checks };

    private static string[] Codes(IEnumerable<CheckSuggestion> suggestions) => suggestions.Select(s => s.Code).ToArray();

    [Theory]
    [InlineData(475.7, true, 480)]
    [InlineData(500, true, 500)]
    [InlineData(501, true, 510)]
    [InlineData(0.973, true, 0.98)]
    [InlineData(0.97, true, 0.97)]
    [InlineData(1, true, 1)]
    [InlineData(-3.45, false, -3.5)]
    [InlineData(-3.45, true, -3.4)]
    [InlineData(123456, true, 130000)]
    [InlineData(0, true, 0)]
    public void Bounds_round_outward_to_two_significant_digits(double value, bool up, double expected) =>
        Assert.Equal(expected, CheckSuggester.Round(value, up));

    [Theory]
    [InlineData(0, 5)]
    [InlineData(6, 10)]
    [InlineData(46, 50)]
    [InlineData(61, 120)]
    [InlineData(108, 120)]
    [InlineData(25 * 60, 2 * 24 * 60)]
    public void Lags_round_up_to_five_minutes_hours_or_days(int minutes, int expected) =>
        Assert.Equal(TimeSpan.FromMinutes(expected), CheckSuggester.RoundUp(TimeSpan.FromMinutes(minutes)));

    [Fact]
    public void Every_check_kind_prints_as_the_csharp_that_declares_it()
    {
        Assert.Equal(""".Check(Check.NotNull("a"))""", CheckCode.Of(Check.NotNull("a")));
        Assert.Equal(""".Check(Check.Unique("a", "b"))""", CheckCode.Of(Check.Unique("a", "b")));
        Assert.Equal(""".Check(Check.AcceptedValues("c", "x\"y", "back\\slash"))""", CheckCode.Of(Check.AcceptedValues("c", "x\"y", "back\\slash")));
        Assert.Equal(""".Check(Check.Range("amount", min: 0, max: 500))""", CheckCode.Of(Check.Range("amount", min: 0, max: 500)));
        Assert.Equal(""".Check(Check.Range("score", max: 0.98))""", CheckCode.Of(Check.Range("score", max: 0.98)));
        Assert.Equal(""".Check(Check.RowCount(min: 1))""", CheckCode.Of(Check.RowCount(min: 1)));
        Assert.Equal(""".Check(Check.Referential("user_id", "core.users", "user_id"))""", CheckCode.Of(Check.Referential("user_id", "core.users", "user_id")));
        Assert.Equal(""".Check(Check.VolumeAnomaly(lookback: 14, maxDeviation: 0.5))""", CheckCode.Of(Check.VolumeAnomaly(lookback: 14, maxDeviation: 0.5)));
        Assert.Equal(""".Check(Check.VolumeAnomaly(lookback: 7, maxDeviation: 0.25, minHistory: 5).AsWarning())""",
            CheckCode.Of(Check.VolumeAnomaly(lookback: 7, maxDeviation: 0.25, minHistory: 5).AsWarning()));
        Assert.Equal(""".Check(Check.Freshness("at", maxLag: TimeSpan.FromHours(2)))""", CheckCode.Of(Check.Freshness("at", TimeSpan.FromHours(2))));
        Assert.Equal(""".Check(Check.Freshness("at", maxLag: TimeSpan.FromMinutes(90)))""", CheckCode.Of(Check.Freshness("at", TimeSpan.FromMinutes(90))));
    }

    [Fact]
    public void A_column_with_nulls_gets_no_not_null_and_a_negative_column_keeps_its_minimum()
    {
        var profiles = new[]
        {
            Box(1, 10, Number("delta", 10, 2, -12.5, 40)),
            Box(2, 10, Number("delta", 10, 0, -3, 51.2)),
        };
        var suggestions = CheckSuggester.Suggest(Dataset(), profiles);
        Assert.DoesNotContain(suggestions, s => s.Kind == "not_null");
        var range = Assert.Single(suggestions, s => s.Kind == "range");
        Assert.Equal(""".Check(Check.Range("delta", min: -13, max: 52))""", range.Code);
        Assert.Equal("values -12.5..51.2 over 2 box(es) 2026-01-01..2026-01-02, mean 19.5", range.Evidence);
    }

    [Fact]
    public void Accepted_values_need_complete_top_lists_and_enough_rows_per_value()
    {
        // Box 2 has more distinct values than its top list holds: the set of values is not known.
        var incomplete = new[]
        {
            Box(1, 30, Text("kind", 30, 0, ("a", 20), ("b", 10))),
            Box(2, 30, Text("kind", 30, 0, ("a", 20), ("b", 10)) with { Distinct = 11 }),
        };
        Assert.DoesNotContain(CheckSuggester.Suggest(Dataset(), incomplete), s => s.Kind == "accepted_values");

        // Three values in eight rows could be an accident of few rows.
        var few = new[] { Box(1, 8, Text("kind", 8, 0, ("a", 4), ("b", 2), ("c", 2))) };
        Assert.DoesNotContain(CheckSuggester.Suggest(Dataset(), few), s => s.Kind == "accepted_values");

        var enough = new[]
        {
            Box(1, 30, Text("kind", 30, 3, ("b", 17), ("a", 10))),
            Box(2, 30, Text("kind", 30, 0, ("a", 20), ("c", 10))),
        };
        var accepted = Assert.Single(CheckSuggester.Suggest(Dataset(), enough), s => s.Kind == "accepted_values");
        Assert.Equal(""".Check(Check.AcceptedValues("kind", "a", "b", "c"))""", accepted.Code);
        Assert.Equal("only 3 value(s) in 57 non-null row(s) over 2 box(es) 2026-01-01..2026-01-02: a 52.6%, b 29.8%, c 17.5%", accepted.Evidence);
    }

    [Fact]
    public void Declared_checks_are_marked_and_a_volume_check_needs_four_boxes()
    {
        var profiles = Enumerable.Range(1, 3).Select(d => Box(d, 100, Number("x", 100, 0, 1, 2))).ToArray();
        var suggestions = CheckSuggester.Suggest(Dataset(Check.NotNull("x"), Check.Range("x", min: 1)), profiles);
        Assert.True(suggestions.Single(s => s.Kind == "not_null").Declared);
        Assert.True(suggestions.Single(s => s.Kind == "range").Declared); // same name, other bounds: still the one range check per column
        Assert.False(suggestions.Single(s => s.Kind == "row_count").Declared);
        Assert.DoesNotContain(suggestions, s => s.Kind == "volume_anomaly");

        var longer = Enumerable.Range(1, 6).Select(d => Box(d, d == 5 ? 160 : 100, Number("x", 100, 0, 1, 2))).ToArray();
        var volume = Assert.Single(CheckSuggester.Suggest(Dataset(), longer), s => s.Kind == "volume_anomaly");
        // Box 5 was 60% above the median of the four before it: twice that is 1.2.
        Assert.Equal(""".Check(Check.VolumeAnomaly(lookback: 14, maxDeviation: 1.2))""", volume.Code);
        Assert.Contains("was 60% (2026-01-05)", volume.Evidence);
    }

    [Fact]
    public void No_profiles_no_suggestions() => Assert.Empty(CheckSuggester.Suggest(Dataset(), []));
}
