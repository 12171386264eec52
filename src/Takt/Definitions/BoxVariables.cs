using System.Text.RegularExpressions;

namespace Takt.Definitions;

/// <summary>
/// The box a SQL transform computes, as DuckDB variables its query reads with <c>getvariable</c>:
/// <c>box_start</c> and <c>box_end</c> (TIMESTAMP, UTC; the end is exclusive; <c>-infinity</c> and <c>infinity</c> for an
/// unpartitioned box), <c>box_key</c> (VARCHAR, as the CLI writes the box: <c>2026-01-05</c>, <c>2026-01-05T03</c>,
/// <c>2026-01</c>, <c>all</c>) and <c>box_grain</c> (VARCHAR: <c>daily</c>, <c>hourly</c>, <c>monthly</c>,
/// <c>unpartitioned</c>).
/// </summary>
public static partial class BoxVariables
{
    public const string Start = "box_start";
    public const string End = "box_end";
    public const string Key = "box_key";
    public const string Grain = "box_grain";

    public static IReadOnlyList<string> All { get; } = [Start, End, Key, Grain];

    /// <summary>
    /// Names a query passes to <c>getvariable</c> as a literal that are not box variables. DuckDB answers NULL for a
    /// variable nobody set, so <c>getvariable('box_stat')</c> would silently make every comparison with it false.
    /// </summary>
    public static IEnumerable<string> Unknown(string sql) =>
        GetVariable().Matches(sql).Select(m => m.Groups[1].Value.Replace("''", "'")).Where(name => !All.Contains(name)).Distinct();

    [GeneratedRegex(@"getvariable\s*\(\s*'((?:[^']|'')*)'", RegexOptions.IgnoreCase)]
    private static partial Regex GetVariable();
}
