using System.Globalization;
using Takt.Boxes;
using Takt.Checks;
using Takt.Definitions;
using Takt.Ledger;

namespace Takt.Profiling;

/// <summary>A check proposed from profile history: the check, the C# to paste into the factory, and the evidence behind it.</summary>
/// <param name="Declared">The dataset already declares a check of this name (possibly with other bounds).</param>
public sealed record CheckSuggestion(Check Check, string Code, string Evidence, bool Declared)
{
    public string Name => Check.Name;
    public string Kind => Check.Kind;
}

/// <summary>
/// Proposes checks from the profiles of a dataset's current versions, as data-quality tools such as DataOps TestGen do:
/// <list type="bullet">
/// <item><c>not_null</c> for a column that had no null in any box;</item>
/// <item><c>unique</c> for a text or integer column whose values were all distinct within every box;</item>
/// <item><c>range</c> for a numeric column: 0 as the minimum when no value was negative (else the smallest value rounded down to two
/// significant digits), the largest value rounded up to two significant digits as the maximum;</item>
/// <item><c>accepted_values</c> for a text column that only ever held a few values, each seen several times;</item>
/// <item><c>freshness</c> for a timestamp column whose newest value always fell inside its box: twice the largest lag seen, rounded up;</item>
/// <item><c>row_count(min: 1)</c> when no box was empty, and <c>volume_anomaly</c> with room for twice the largest deviation seen.</item>
/// </list>
/// </summary>
public static class CheckSuggester
{
    /// <summary>An accepted-values list is proposed only for at most this many values.</summary>
    public const int MaxAcceptedValues = Profiler.TopValueCount;

    /// <summary>Each accepted value must have been seen this many times on average, so that the list is not an accident of few rows.</summary>
    public const int MinRowsPerAcceptedValue = 5;

    /// <summary>Earlier boxes a volume anomaly check compares with, per grain.</summary>
    public static int LookbackFor(Grain grain) => grain switch
    {
        Grain.Hourly => 168,
        Grain.Monthly => 12,
        _ => 14,
    };

    public static IReadOnlyList<CheckSuggestion> Suggest(Dataset dataset, IReadOnlyList<VersionProfile> profiles)
    {
        var suggestions = new List<CheckSuggestion>();
        if (profiles.Count == 0) return suggestions;
        var profiled = profiles.OrderBy(p => p.Box).ToList();
        var span = new Span(profiled.Count, profiled[0].BoxKey, profiled[^1].BoxKey);
        var byColumn = profiled.SelectMany(p => p.Columns.Select(c => (Profile: p, Column: c))).ToLookup(x => x.Column.Column, StringComparer.Ordinal);

        foreach (var summary in ProfileSummary.Summarize(profiled))
        {
            if (dataset.Schema.IsDeclared && dataset.Schema.Find(summary.Column) is null) continue;
            if (!Names.IsColumnName(summary.Column)) continue;
            var boxes = byColumn[summary.Column].ToList();
            var unique = false;
            if (summary.Rows > 0 && summary.Nulls == 0)
                suggestions.Add(Make(dataset, Check.NotNull(summary.Column), $"no null in {summary.Rows} row(s) over {Over(summary, span)}"));
            if (IsUniqueCandidate(summary, boxes.Select(b => b.Column)))
            {
                unique = true;
                suggestions.Add(Make(dataset, Check.Unique(summary.Column),
                    $"all {summary.Rows} value(s) distinct within each of {Over(summary, span)}"));
            }
            if (summary.Kind == ValueKind.Numeric && summary.MinNumber is { } low && summary.MaxNumber is { } high)
                suggestions.Add(RangeSuggestion(dataset, summary, low, high, span));
            if (!unique && summary.Kind == ValueKind.Text && AcceptedValues(summary, boxes.Select(b => b.Column)) is { } values)
                suggestions.Add(Make(dataset, Check.AcceptedValues(summary.Column, [.. values.Select(v => v.Value)]),
                    $"only {values.Count} value(s) in {summary.NonNull} non-null row(s) over {Over(summary, span)}: " +
                    string.Join(", ", values.Select(v => $"{v.Value} {Percent((double)v.Count / summary.NonNull)}"))));
            if (summary.Kind == ValueKind.Temporal && dataset.Grain != Grain.Unpartitioned && FreshnessSuggestion(dataset, summary, boxes, span) is { } fresh)
                suggestions.Add(fresh);
        }

        var rows = profiled.Select(p => p.Rows).ToList();
        if (rows.All(r => r > 0))
            suggestions.Add(Make(dataset, Check.RowCount(min: 1), $"no box was empty: {rows.Min()}..{rows.Max()} rows per box over {span}"));
        if (dataset.Grain != Grain.Unpartitioned && VolumeSuggestion(dataset, profiled, span) is { } volume) suggestions.Add(volume);
        return suggestions;
    }

    /// <summary>The profiled boxes, for evidence: <c>60 box(es) 2026-01-01..2026-03-01</c>.</summary>
    private sealed record Span(int Boxes, string First, string Last)
    {
        public override string ToString() => $"{Boxes} box(es) {First}..{Last}";
    }

    private static string Over(ColumnSummary summary, Span span) => summary.Boxes == span.Boxes ? span.ToString() : $"{summary.Boxes} of {span}";

    private static CheckSuggestion Make(Dataset dataset, Check check, string evidence) =>
        new(check, CheckCode.Of(check), evidence, dataset.Checks.Any(c => c.Name == check.Name));

    private static bool IsUniqueCandidate(ColumnSummary summary, IEnumerable<ColumnProfile> boxes) =>
        (summary.Kind == ValueKind.Text || ValueKinds.IsInteger(summary.Type))
        && summary.Nulls == 0
        && boxes.Any(c => c.Rows > 1)
        && boxes.All(c => c.Distinct == c.Rows);

    private static CheckSuggestion RangeSuggestion(Dataset dataset, ColumnSummary summary, double low, double high, Span span)
    {
        var min = low >= 0 ? 0 : Round(low, up: false);
        var max = Round(high, up: true);
        var evidence = $"values {Show(low)}..{Show(high)} over {Over(summary, span)}" +
            (summary.Mean is { } mean ? $", mean {Show(Math.Round(mean, 4))}" : "") +
            (low >= 0 ? "; never negative" : "");
        return Make(dataset, Check.Range(summary.Column, min, max), evidence);
    }

    /// <summary>The complete set of values when every box's top values list all its distinct values and there are few of them.</summary>
    private static IReadOnlyList<TopValue>? AcceptedValues(ColumnSummary summary, IEnumerable<ColumnProfile> boxes)
    {
        var list = boxes.ToList();
        if (summary.NonNull == 0 || list.Any(c => c.Distinct is null || c.Distinct != c.TopValues.Count)) return null;
        var values = list.SelectMany(c => c.TopValues).GroupBy(t => t.Value, StringComparer.Ordinal)
            .Select(g => new TopValue(g.Key, g.Sum(t => t.Count))).OrderBy(t => t.Value, StringComparer.Ordinal).ToList();
        if (values.Count > MaxAcceptedValues || summary.NonNull < (long)MinRowsPerAcceptedValue * values.Count) return null;
        if (values.Any(v => v.Value.Length > 64 || v.Value.Any(char.IsControl))) return null;
        return values;
    }

    private static CheckSuggestion? FreshnessSuggestion(Dataset dataset, ColumnSummary summary, IReadOnlyList<(VersionProfile Profile, ColumnProfile Column)> boxes,
        Span span)
    {
        var lags = new List<(TimeSpan Lag, string BoxKey)>();
        foreach (var (profile, column) in boxes)
        {
            if (!Profiler.TryParseInstant(column.Max, out var newest)) return null;
            var start = GrainMath.Start(dataset.Grain, profile.Box);
            var end = GrainMath.Start(dataset.Grain, profile.Box + 1);
            if (newest < start || newest > end) return null; // the column does not follow the box's clock
            lags.Add((end - newest, profile.BoxKey));
        }
        if (lags.Count == 0) return null;
        var worst = lags.MaxBy(l => l.Lag);
        var median = lags.Select(l => l.Lag).Order().ElementAt(lags.Count / 2);
        var maxLag = RoundUp(worst.Lag * 2);
        return Make(dataset, Check.Freshness(summary.Column, maxLag),
            $"the newest {summary.Column} was at most {CheckEvaluator.Duration(worst.Lag)} before its box's end ({worst.BoxKey}; median " +
            $"{CheckEvaluator.Duration(median)}) over {Over(summary, span)}; allowing twice the worst");
    }

    private static CheckSuggestion? VolumeSuggestion(Dataset dataset, IReadOnlyList<VersionProfile> profiled, Span span)
    {
        var lookback = LookbackFor(dataset.Grain);
        const int minHistory = 3;
        if (profiled.Count < minHistory + 1) return null;
        var judged = new List<(double Deviation, string BoxKey)>();
        for (var i = 0; i < profiled.Count; i++)
        {
            var box = profiled[i].Box;
            var previous = profiled.Take(i).Where(p => p.Box >= box - lookback).Select(p => p.Rows).ToList();
            if (previous.Count < minHistory) continue;
            var median = CheckEvaluator.Median(previous);
            if (median <= 0) continue;
            judged.Add((Math.Abs(profiled[i].Rows - median) / median, profiled[i].BoxKey));
        }
        if (judged.Count == 0) return null;
        var worst = judged.MaxBy(j => j.Deviation);
        var allowed = Math.Max(0.5, Math.Ceiling(Math.Round(worst.Deviation * 2 * 10, 6)) / 10);
        var rows = profiled.Select(p => p.Rows).ToList();
        return Make(dataset, Check.VolumeAnomaly(lookback, allowed),
            $"{rows.Min()}..{rows.Max()} rows per box (median {Show(CheckEvaluator.Median(rows))}) over {span}; the largest deviation from the median of " +
            $"the previous {lookback} boxes was {Percent(worst.Deviation)} ({worst.BoxKey}) in {judged.Count} judged box(es); allowing twice that, at least 50%");
    }

    /// <summary>Rounds outward to two significant digits: 487.3 up is 490, 0.973 up is 0.98, -3.45 down is -3.5.</summary>
    public static double Round(double value, bool up)
    {
        if (value == 0 || !double.IsFinite(value)) return value;
        var magnitude = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        var decimals = 1 - magnitude;
        if (decimals > 0)
        {
            if (decimals > 20) return value;
            var scale = (decimal)Math.Pow(10, decimals);
            var scaled = (decimal)value * scale;
            var rounded = up ? Math.Ceiling(scaled) : Math.Floor(scaled);
            return (double)(rounded / scale);
        }
        var step = Math.Pow(10, -decimals);
        var steps = value / step;
        return (up ? Math.Ceiling(steps - 1e-9) : Math.Floor(steps + 1e-9)) * step;
    }

    /// <summary>Rounds a lag up to whole 5 minutes below an hour, whole hours below a day, whole days above.</summary>
    public static TimeSpan RoundUp(TimeSpan lag)
    {
        if (lag <= TimeSpan.FromMinutes(5)) return TimeSpan.FromMinutes(5);
        if (lag <= TimeSpan.FromHours(1)) return TimeSpan.FromMinutes(Math.Ceiling(lag.TotalMinutes / 5) * 5);
        if (lag <= TimeSpan.FromDays(1)) return TimeSpan.FromHours(Math.Ceiling(lag.TotalHours));
        return TimeSpan.FromDays(Math.Ceiling(lag.TotalDays));
    }

    private static string Show(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
