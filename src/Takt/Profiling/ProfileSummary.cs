using Takt.Ledger;

namespace Takt.Profiling;

/// <summary>
/// One column over many boxes: the boxes and rows seen, nulls, the range of per-box distinct counts, the overall min and max, the mean
/// (weighted by non-null values) and the most frequent values summed over the per-box top values.
/// </summary>
public sealed record ColumnSummary(
    string Column,
    string Type,
    ValueKind Kind,
    int Boxes,
    long Rows,
    long Nulls,
    long? MinDistinct,
    long? MaxDistinct,
    string? Min,
    string? Max,
    double? MinNumber,
    double? MaxNumber,
    double? Mean,
    IReadOnlyList<TopValue> TopValues)
{
    public double NullRate => Rows == 0 ? 0 : (double)Nulls / Rows;
    public long NonNull => Rows - Nulls;
}

public static class ProfileSummary
{
    /// <summary>Per column, in the order of the newest profile (columns only older boxes had come last).</summary>
    public static IReadOnlyList<ColumnSummary> Summarize(IReadOnlyList<VersionProfile> profiles, int topValues = 5)
    {
        var order = profiles.Reverse().SelectMany(p => p.Columns.Select(c => c.Column)).Distinct(StringComparer.Ordinal).ToList();
        return order.Select(name => Summarize(name, profiles.SelectMany(p => p.Columns.Where(c => c.Column == name)).ToList(), topValues)).ToList();
    }

    private static ColumnSummary Summarize(string name, IReadOnlyList<ColumnProfile> boxes, int topValues)
    {
        var type = boxes[^1].Type;
        var kind = ValueKinds.Of(type);
        var rows = boxes.Sum(c => c.Rows);
        var nulls = boxes.Sum(c => c.Nulls);
        var distinct = boxes.Where(c => c.Distinct is not null).Select(c => c.Distinct!.Value).ToList();
        var withNumbers = boxes.Where(c => c.MinNumber is not null && c.MaxNumber is not null).ToList();
        var weighted = boxes.Where(c => c.Mean is not null && c.Rows - c.Nulls > 0).ToList();
        var weight = weighted.Sum(c => (double)(c.Rows - c.Nulls));
        double? mean = weight > 0 ? weighted.Sum(c => c.Mean!.Value * (c.Rows - c.Nulls)) / weight : null;
        var (min, max) = MinMax(kind, boxes);
        var top = boxes.SelectMany(c => c.TopValues).GroupBy(t => t.Value, StringComparer.Ordinal)
            .Select(g => new TopValue(g.Key, g.Sum(t => t.Count))).OrderByDescending(t => t.Count).ThenBy(t => t.Value, StringComparer.Ordinal)
            .Take(topValues).ToArray();
        return new ColumnSummary(name, type, kind, boxes.Count, rows, nulls, distinct.Count > 0 ? distinct.Min() : null, distinct.Count > 0 ? distinct.Max() : null,
            min, max, withNumbers.Count > 0 ? withNumbers.Min(c => c.MinNumber) : null, withNumbers.Count > 0 ? withNumbers.Max(c => c.MaxNumber) : null, mean, top);
    }

    private static (string? Min, string? Max) MinMax(ValueKind kind, IReadOnlyList<ColumnProfile> boxes)
    {
        switch (kind)
        {
            case ValueKind.Numeric:
                var numbers = boxes.Where(c => c.MinNumber is not null && c.MaxNumber is not null).ToList();
                return numbers.Count == 0 ? (null, null) : (numbers.MinBy(c => c.MinNumber)!.Min, numbers.MaxBy(c => c.MaxNumber)!.Max);
            case ValueKind.Temporal:
                var mins = boxes.Select(c => c.Min).Where(t => Profiler.TryParseInstant(t, out _)).ToList();
                var maxes = boxes.Select(c => c.Max).Where(t => Profiler.TryParseInstant(t, out _)).ToList();
                return (mins.MinBy(Instant), maxes.MaxBy(Instant));
            default:
                var texts = boxes.Where(c => c.Min is not null && c.Max is not null).ToList();
                return texts.Count == 0 ? (null, null)
                    : (texts.Select(c => c.Min!).Min(StringComparer.Ordinal), texts.Select(c => c.Max!).Max(StringComparer.Ordinal));
        }
    }

    private static DateTime Instant(string? text) => Profiler.TryParseInstant(text, out var utc) ? utc : DateTime.MinValue;
}
