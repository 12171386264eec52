using System.Text.RegularExpressions;

namespace Takt.Definitions;

/// <summary>The one place that says what a valid dataset, column or environment name is.</summary>
public static partial class Names
{
    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}\\.[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex DatasetPattern();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex ColumnPattern();

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    private static partial Regex EnvironmentPattern();

    public static bool IsDatasetName(string name) => DatasetPattern().IsMatch(name);
    public static bool IsColumnName(string name) => ColumnPattern().IsMatch(name);
    public static bool IsEnvironmentName(string name) => EnvironmentPattern().IsMatch(name);

    public const string DatasetRule = "lower snake case 'layer.name', e.g. core.orders";
    public const string ColumnRule = "lower snake case, e.g. ordered_at";
    public const string EnvironmentRule = "lower case letters, digits, '-' and '_', e.g. dev-alice";
}
