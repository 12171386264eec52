
namespace Takt.Definitions;

public enum LandingFormat
{
    Csv,
    JsonLines,
    Parquet,
}

/// <summary>
/// Files in the landing zone that a source dataset is made of. The pattern is relative to the landing
/// directory, uses <c>/</c>, may contain <c>*</c>, and either holds <c>{box}</c> (one set of files per box)
/// or, with <see cref="SplitBy"/>, names files that span many boxes and are cut by a timestamp column.
/// </summary>
public sealed record LandingSource(string Pattern, LandingFormat Format, string? SplitBy = null)
{
    public const string BoxPlaceholder = "{box}";

    /// <summary>How a detected schema drift is treated; blocking by default.</summary>
    public Severity SchemaDriftSeverity { get; init; } = Severity.Block;

    /// <summary>
    /// The column that says when a row happened: every row of a box's files must fall in the box (a blocking
    /// <c>in_box</c> check), for per-box files that declare it; split files are cut by it (<see cref="SplitBy"/>).
    /// </summary>
    public string? TimeColumn { get; init; }

    public bool IsSplit => SplitBy is not null;
}
