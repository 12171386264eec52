using System.Globalization;
using System.Text;

namespace Shop.Generator;

internal static class Formats
{
    public static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string UtcTimestamp(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}

/// <summary>Every random stream is keyed by day and kind only, so a day's files never depend on the range asked for.</summary>
internal static class Seeds
{
    public const int Orders = 1;
    public const int Users = 2;
    public const int InitialUsers = 20251231;

    public static Random For(DateOnly day, int kind) => new(day.DayNumber * 31 + kind);

    public static Random ForDefect(DateOnly day, Defect defect) => For(day, 10 + (int)defect);
}
