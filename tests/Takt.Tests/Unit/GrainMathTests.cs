using Takt.Boxes;

namespace Takt.Tests.Unit;

public class GrainMathTests
{
    private static readonly DateOnly Jan15 = new(2024, 1, 15);
    private static long Day(int year, int month, int day) => new DateOnly(year, month, day).DayNumber;

    [Fact]
    public void Daily_format_and_parse_round_trip()
    {
        long box = Jan15.DayNumber;

        Assert.Equal("2024-01-15", GrainMath.Format(Grain.Daily, box));
        Assert.Equal(box, GrainMath.Parse(Grain.Daily, "2024-01-15"));
        Assert.Equal(box + 1, GrainMath.Parse(Grain.Daily, "2024-01-16"));
        Assert.Equal(Day(2024, 3, 1) - 1, GrainMath.Parse(Grain.Daily, "2024-02-29"));
    }

    [Fact]
    public void Hourly_format_and_parse_round_trip()
    {
        var box = Jan15.DayNumber * 24L + 5;

        Assert.Equal("2024-01-15T05", GrainMath.Format(Grain.Hourly, box));
        Assert.Equal(box, GrainMath.Parse(Grain.Hourly, "2024-01-15T05"));
        Assert.Equal(Jan15.DayNumber * 24L + 23, GrainMath.Parse(Grain.Hourly, "2024-01-15T23"));
        Assert.Equal(Jan15.DayNumber * 24L + 24, GrainMath.Parse(Grain.Hourly, "2024-01-16T00"));
        Assert.Equal("2024-01-16T00", GrainMath.Format(Grain.Hourly, Jan15.DayNumber * 24L + 24));
    }

    [Fact]
    public void Monthly_format_and_parse_round_trip()
    {
        Assert.Equal(2024 * 12L, GrainMath.Parse(Grain.Monthly, "2024-01"));
        Assert.Equal(2024 * 12L + 11, GrainMath.Parse(Grain.Monthly, "2024-12"));
        Assert.Equal("2024-01", GrainMath.Format(Grain.Monthly, 2024 * 12L));
        Assert.Equal("2024-12", GrainMath.Format(Grain.Monthly, 2024 * 12L + 11));
        Assert.Equal("2025-01", GrainMath.Format(Grain.Monthly, 2024 * 12L + 12));
        Assert.Equal(1, GrainMath.Parse(Grain.Monthly, "2025-01") - GrainMath.Parse(Grain.Monthly, "2024-12"));
    }

    [Fact]
    public void Unpartitioned_has_the_single_box_all()
    {
        Assert.Equal("all", GrainMath.Format(Grain.Unpartitioned, GrainMath.UnpartitionedBox));
        Assert.Equal(GrainMath.UnpartitionedBox, GrainMath.Parse(Grain.Unpartitioned, "all"));
        Assert.False(GrainMath.TryParse(Grain.Unpartitioned, "2024-01-15", out _));
    }

    [Theory]
    [InlineData(Grain.Daily, "2024-13-01")]
    [InlineData(Grain.Daily, "2024-02-30")]
    [InlineData(Grain.Daily, "2024-01-15T05")]
    [InlineData(Grain.Daily, "15.01.2024")]
    [InlineData(Grain.Daily, "")]
    [InlineData(Grain.Hourly, "2024-01-15")]
    [InlineData(Grain.Hourly, "2024-01-15T24")]
    [InlineData(Grain.Monthly, "2024-13")]
    [InlineData(Grain.Monthly, "2024-01-15")]
    [InlineData(Grain.Unpartitioned, "ALL")]
    public void Parse_rejects_bad_text_with_the_expected_form(Grain grain, string text)
    {
        Assert.False(GrainMath.TryParse(grain, text, out _));
        var error = Assert.Throws<FormatException>(() => GrainMath.Parse(grain, text));
        Assert.Contains($"'{text}'", error.Message);
        Assert.Contains(GrainMath.Example(grain), error.Message);
    }

    [Fact]
    public void Start_and_BoxOf_agree()
    {
        var hour = Jan15.DayNumber * 24L + 5;
        Assert.Equal(new DateTime(2024, 1, 15, 5, 0, 0, DateTimeKind.Utc), GrainMath.Start(Grain.Hourly, hour));
        Assert.Equal(new DateTime(2024, 1, 15, 0, 0, 0, DateTimeKind.Utc), GrainMath.Start(Grain.Daily, Jan15.DayNumber));
        Assert.Equal(new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc), GrainMath.Start(Grain.Monthly, 2024 * 12L + 2));

        var instant = new DateTime(2024, 3, 31, 23, 59, 59, DateTimeKind.Utc);
        Assert.Equal(2024 * 12L + 2, GrainMath.BoxOf(Grain.Monthly, instant));
        Assert.Equal(Day(2024, 3, 31), GrainMath.BoxOf(Grain.Daily, instant));
        Assert.Equal(Day(2024, 3, 31) * 24 + 23, GrainMath.BoxOf(Grain.Hourly, instant));
        Assert.Equal(GrainMath.UnpartitionedBox, GrainMath.BoxOf(Grain.Unpartitioned, instant));
    }

    [Fact]
    public void Convert_daily_to_hourly_covers_every_hour_of_the_days()
    {
        long d = Jan15.DayNumber;
        var hours = GrainMath.Convert(Grain.Daily, new BoxRange(d, d + 1), Grain.Hourly);
        Assert.Equal(new BoxRange(d * 24, d * 24 + 47), hours);
        Assert.Equal(48, hours.Count);
    }

    [Fact]
    public void Convert_hourly_to_daily_gives_the_days_the_hours_touch()
    {
        long d = Jan15.DayNumber;
        Assert.Equal(new BoxRange(d, d), GrainMath.Convert(Grain.Hourly, new BoxRange(d * 24, d * 24 + 23), Grain.Daily));
        Assert.Equal(new BoxRange(d, d + 1), GrainMath.Convert(Grain.Hourly, new BoxRange(d * 24 + 23, d * 24 + 24), Grain.Daily));
        Assert.Equal(new BoxRange(d, d), GrainMath.Convert(Grain.Hourly, BoxRange.Single(d * 24 + 7), Grain.Daily));
    }

    [Fact]
    public void Convert_between_daily_and_monthly()
    {
        Assert.Equal(new BoxRange(2024 * 12L, 2024 * 12L + 1),
            GrainMath.Convert(Grain.Daily, new BoxRange(Day(2024, 1, 31), Day(2024, 2, 1)), Grain.Monthly));

        var february = GrainMath.Convert(Grain.Monthly, BoxRange.Single(2024 * 12L + 1), Grain.Daily);
        Assert.Equal(new BoxRange(Day(2024, 2, 1), Day(2024, 2, 29)), february);
        Assert.Equal(29, february.Count);

        var december = GrainMath.Convert(Grain.Monthly, BoxRange.Single(2023 * 12L + 11), Grain.Daily);
        Assert.Equal(new BoxRange(Day(2023, 12, 1), Day(2023, 12, 31)), december);
    }

    [Fact]
    public void Convert_monthly_to_hourly()
    {
        var january = GrainMath.Convert(Grain.Monthly, BoxRange.Single(2024 * 12L), Grain.Hourly);
        Assert.Equal(new BoxRange(Day(2024, 1, 1) * 24, Day(2024, 1, 31) * 24 + 23), january);
        Assert.Equal(31 * 24, january.Count);
    }

    [Fact]
    public void Convert_same_grain_is_identity_and_unpartitioned_is_all_or_everything()
    {
        var range = new BoxRange(5, 9);
        Assert.Equal(range, GrainMath.Convert(Grain.Daily, range, Grain.Daily));
        Assert.Equal(range, GrainMath.Convert(Grain.Hourly, range, Grain.Hourly));
        Assert.Equal(BoxRange.Single(GrainMath.UnpartitionedBox), GrainMath.Convert(Grain.Daily, new BoxRange(Jan15.DayNumber, Jan15.DayNumber + 3), Grain.Unpartitioned));
        Assert.Equal(BoxRange.Everything, GrainMath.Convert(Grain.Unpartitioned, BoxRange.Single(0), Grain.Daily));
    }

    [Fact]
    public void FromDates_in_every_grain()
    {
        var from = Jan15;
        var to = new DateOnly(2024, 3, 1);

        Assert.Equal(new BoxRange(from.DayNumber, to.DayNumber), GrainMath.FromDates(Grain.Daily, from, to));
        Assert.Equal(new BoxRange(from.DayNumber * 24L, to.DayNumber * 24L + 23), GrainMath.FromDates(Grain.Hourly, from, to));
        Assert.Equal(new BoxRange(2024 * 12L, 2024 * 12L + 2), GrainMath.FromDates(Grain.Monthly, from, to));
        Assert.Equal(BoxRange.Single(GrainMath.UnpartitionedBox), GrainMath.FromDates(Grain.Unpartitioned, from, to));
        Assert.Equal(BoxRange.Single(from.DayNumber), GrainMath.FromDates(Grain.Daily, from, from));
    }

    [Fact]
    public void FromDates_open_ended_up_to_the_last_date_works_in_every_grain()
    {
        // The planner turns "--from X" without "--to" into FromDates(grain, X, DateOnly.MaxValue).
        var max = DateOnly.MaxValue;

        Assert.Equal(new BoxRange(Jan15.DayNumber, max.DayNumber), GrainMath.FromDates(Grain.Daily, Jan15, max));
        Assert.Equal(new BoxRange(Jan15.DayNumber * 24L, max.DayNumber * 24L + 23), GrainMath.FromDates(Grain.Hourly, Jan15, max));
        Assert.Equal(new BoxRange(2024 * 12L, 9999 * 12L + 11), GrainMath.FromDates(Grain.Monthly, Jan15, max));
    }

    [Fact]
    public void FromDates_open_ended_from_the_first_date_works_in_every_grain()
    {
        // "--to X" without "--from" becomes FromDates(grain, DateOnly.MinValue, X).
        var min = DateOnly.MinValue;

        Assert.Equal(new BoxRange(min.DayNumber, Jan15.DayNumber), GrainMath.FromDates(Grain.Daily, min, Jan15));
        Assert.Equal(new BoxRange(0, Jan15.DayNumber * 24L + 23), GrainMath.FromDates(Grain.Hourly, min, Jan15));
        Assert.Equal(new BoxRange(1 * 12L, 2024 * 12L), GrainMath.FromDates(Grain.Monthly, min, Jan15));
    }
}
