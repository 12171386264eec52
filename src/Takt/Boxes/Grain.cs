using System.Globalization;

namespace Takt.Boxes;

/// <summary>How a dataset is cut into boxes.</summary>
public enum Grain
{
    Daily,
    Hourly,
    Monthly,
    Unpartitioned,
}

/// <summary>
/// Boxes are numbered by an ordinal per grain (days since 0001-01-01, hours since then, months since year 0),
/// so that ranges of boxes are plain integer intervals and never need to be enumerated.
/// </summary>
public static class GrainMath
{
    public const long UnpartitionedBox = 0;

    public static string Format(Grain grain, long box) => grain switch
    {
        Grain.Daily => DateOnly.FromDayNumber(checked((int)box)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Grain.Hourly => DateOnly.FromDayNumber(checked((int)(box / 24))).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                        + "T" + (box % 24).ToString("00", CultureInfo.InvariantCulture),
        Grain.Monthly => $"{box / 12:0000}-{box % 12 + 1:00}",
        Grain.Unpartitioned => "all",
        _ => throw new ArgumentOutOfRangeException(nameof(grain)),
    };

    public static bool TryParse(Grain grain, string text, out long box)
    {
        box = 0;
        switch (grain)
        {
            case Grain.Daily:
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return false;
                box = day.DayNumber;
                return true;
            case Grain.Hourly:
                if (!DateTime.TryParseExact(text, "yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture, DateTimeStyles.None, out var hour)) return false;
                box = (long)DateOnly.FromDateTime(hour).DayNumber * 24 + hour.Hour;
                return true;
            case Grain.Monthly:
                if (!DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month)) return false;
                box = month.Year * 12L + month.Month - 1;
                return true;
            case Grain.Unpartitioned:
                return text == "all";
            default:
                return false;
        }
    }

    public static long Parse(Grain grain, string text) =>
        TryParse(grain, text, out var box)
            ? box
            : throw new FormatException($"'{text}' is not a {Describe(grain)} box (expected {Example(grain)}).");

    public static string Example(Grain grain) => grain switch
    {
        Grain.Daily => "YYYY-MM-DD",
        Grain.Hourly => "YYYY-MM-DDTHH",
        Grain.Monthly => "YYYY-MM",
        _ => "all",
    };

    public static string Describe(Grain grain) => grain.ToString().ToLowerInvariant();

    /// <summary>Start of the box in UTC, as ticks.</summary>
    public static DateTime Start(Grain grain, long box) => grain switch
    {
        Grain.Daily => DateOnly.FromDayNumber(checked((int)box)).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        Grain.Hourly => DateOnly.FromDayNumber(checked((int)(box / 24))).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddHours(box % 24),
        Grain.Monthly => new DateTime(checked((int)(box / 12)), (int)(box % 12) + 1, 1, 0, 0, 0, DateTimeKind.Utc),
        Grain.Unpartitioned => DateTime.MinValue,
        _ => throw new ArgumentOutOfRangeException(nameof(grain)),
    };

    /// <summary>
    /// End of the box in UTC (exclusive: the start of the next box); none for the unpartitioned box and for the last box
    /// of the calendar, which end after the last instant a <see cref="DateTime"/> holds.
    /// </summary>
    public static DateTime? End(Grain grain, long box)
    {
        if (grain == Grain.Unpartitioned) return null;
        var start = Start(grain, box);
        var lastDay = start.Year == 9999 && start.Month == 12 && start.Day == 31;
        return grain switch
        {
            Grain.Daily when !lastDay => start.AddDays(1),
            Grain.Hourly when !(lastDay && start.Hour == 23) => start.AddHours(1),
            Grain.Monthly when !(start.Year == 9999 && start.Month == 12) => start.AddMonths(1),
            _ => null,
        };
    }

    /// <summary>The box of <paramref name="grain"/> that contains the instant.</summary>
    public static long BoxOf(Grain grain, DateTime utc) => grain switch
    {
        Grain.Daily => DateOnly.FromDateTime(utc).DayNumber,
        Grain.Hourly => (long)DateOnly.FromDateTime(utc).DayNumber * 24 + utc.Hour,
        Grain.Monthly => utc.Year * 12L + utc.Month - 1,
        Grain.Unpartitioned => UnpartitionedBox,
        _ => throw new ArgumentOutOfRangeException(nameof(grain)),
    };

    /// <summary>The boxes of <paramref name="to"/> that overlap the boxes <paramref name="range"/> of <paramref name="from"/>.</summary>
    public static BoxRange Convert(Grain from, BoxRange range, Grain to)
    {
        if (range.IsEmpty || from == to) return range;
        if (to == Grain.Unpartitioned) return BoxRange.Single(UnpartitionedBox);
        if (from == Grain.Unpartitioned) return BoxRange.Everything;
        // Ranges reaching the ends of the calendar (open-ended ranges) map to the ends of the calendar.
        var first = range.Start <= FirstOrdinal(from) ? FirstOrdinal(to) : BoxOf(to, Start(from, range.Start));
        var last = range.End >= LastOrdinal(from) ? LastOrdinal(to) : BoxOf(to, Start(from, range.End + 1).AddTicks(-1));
        return new BoxRange(first, last);
    }

    private static long FirstOrdinal(Grain grain) => grain == Grain.Monthly ? 12 : 0;

    private static long LastOrdinal(Grain grain) => grain switch
    {
        Grain.Daily => DateOnly.MaxValue.DayNumber,
        Grain.Hourly => DateOnly.MaxValue.DayNumber * 24L + 23,
        Grain.Monthly => 9999 * 12L + 11,
        _ => 0,
    };

    /// <summary>A box range from an inclusive date range, in the given grain.</summary>
    public static BoxRange FromDates(Grain grain, DateOnly from, DateOnly to) =>
        Convert(Grain.Daily, new BoxRange(from.DayNumber, to.DayNumber), grain);
}
