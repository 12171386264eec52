using System.Globalization;
using System.Text;
using Takt.Definitions;

namespace Takt.Profiling;

/// <summary>The C# that declares a check in a factory, e.g. <c>.Check(Check.Range("amount", min: 0, max: 500))</c>.</summary>
public static class CheckCode
{
    public static string Of(Check check)
    {
        var call = check switch
        {
            NotNullCheck n => $"Check.NotNull({Literal(n.Column)})",
            UniqueCheck u => $"Check.Unique({string.Join(", ", u.KeyColumns.Select(Literal))})",
            AcceptedValuesCheck a => $"Check.AcceptedValues({string.Join(", ", new[] { a.Column }.Concat(a.Values).Select(Literal))})",
            RangeCheck r => $"Check.Range({Literal(r.Column)}{Named("min", r.Min)}{Named("max", r.Max)})",
            RowCountCheck rc => $"Check.RowCount({string.Join(", ", new[] { rc.Min is { } min ? $"min: {Integer(min)}" : null, rc.Max is { } max ? $"max: {Integer(max)}" : null }.OfType<string>())})",
            ReferentialCheck rf => $"Check.Referential({Literal(rf.Column)}, {Literal(rf.OtherDataset)}, {Literal(rf.OtherColumn)})",
            VolumeAnomalyCheck v => $"Check.VolumeAnomaly(lookback: {Integer(v.Lookback)}, maxDeviation: {Number(v.MaxDeviation)}" +
                                    (v.MinHistory == 3 ? ")" : $", minHistory: {Integer(v.MinHistory)})"),
            FreshnessCheck f => $"Check.Freshness({Literal(f.Column)}, maxLag: {TimeSpanCode(f.MaxLag)})",
            _ => throw new NotSupportedException($"Check kind {check.Kind} has no C# form."),
        };
        return $".Check({call}{(check.Severity == Severity.Warn ? ".AsWarning()" : "")})";
    }

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Named(string name, double? value) => value is { } v ? $", {name}: {Number(v)}" : "";

    /// <summary>A double as a C# literal that reads back to the same value.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string TimeSpanCode(TimeSpan span)
    {
        if (span.Ticks % TimeSpan.TicksPerDay == 0) return $"TimeSpan.FromDays({Integer(span.Ticks / TimeSpan.TicksPerDay)})";
        if (span.Ticks % TimeSpan.TicksPerHour == 0) return $"TimeSpan.FromHours({Integer(span.Ticks / TimeSpan.TicksPerHour)})";
        if (span.Ticks % TimeSpan.TicksPerMinute == 0) return $"TimeSpan.FromMinutes({Integer(span.Ticks / TimeSpan.TicksPerMinute)})";
        if (span.Ticks % TimeSpan.TicksPerSecond == 0) return $"TimeSpan.FromSeconds({Integer(span.Ticks / TimeSpan.TicksPerSecond)})";
        return $"TimeSpan.FromTicks({Integer(span.Ticks)})";
    }

    /// <summary>A C# string literal.</summary>
    public static string Literal(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }
}
