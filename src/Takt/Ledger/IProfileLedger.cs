using Takt.Boxes;

namespace Takt.Ledger;

/// <summary>One of the most frequent values of a column in a version, as text.</summary>
public sealed record TopValue(string Value, long Count);

/// <summary>
/// Statistics of one column of one version. <see cref="Min"/> and <see cref="Max"/> are text for every type (timestamps as ISO-8601 UTC);
/// <see cref="MinNumber"/>, <see cref="MaxNumber"/> and <see cref="Mean"/> are set for numeric columns only. <see cref="Distinct"/> is null
/// for nested types. <see cref="TopValues"/> holds the most frequent non-null values, most frequent first (ties by value).
/// </summary>
public sealed record ColumnProfile(
    string Column,
    string Type,
    long Rows,
    long Nulls,
    long? Distinct,
    string? Min,
    string? Max,
    double? MinNumber,
    double? MaxNumber,
    double? Mean,
    IReadOnlyList<TopValue> TopValues)
{
    public double NullRate => Rows == 0 ? 0 : (double)Nulls / Rows;
}

/// <summary>The profile of one version: its row count and per-column statistics. Versions are immutable, so a profile never goes stale.</summary>
public sealed record VersionProfile(string VersionId, string Dataset, long Box, string BoxKey, long Rows, long ProfiledAtMs, IReadOnlyList<ColumnProfile> Columns);

/// <summary>Profiles of versions: the history that generated checks and anomaly checks learn from.</summary>
public interface IProfileLedger
{
    /// <summary>Keeps the profile of a version, replacing an earlier profile of the same version.</summary>
    void SaveProfile(VersionProfile profile);

    /// <summary>The ids of the dataset's versions that have a profile.</summary>
    IReadOnlySet<string> ProfiledVersions(string dataset);

    /// <summary>Profiles of the current versions of the dataset's boxes in <paramref name="range"/> in the environment, by box.</summary>
    IReadOnlyList<VersionProfile> CurrentProfiles(string env, string dataset, BoxRange range);

    /// <summary>Row counts of the current versions of the dataset's boxes in <paramref name="range"/> in the environment, by box.</summary>
    IReadOnlyList<(long Box, long Rows)> CurrentRowCounts(string env, string dataset, BoxRange range);
}
