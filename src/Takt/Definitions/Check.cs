
namespace Takt.Definitions;

public enum Severity
{
    /// <summary>A failure stops the line: the version is quarantined and its downstream blocked.</summary>
    Block,
    /// <summary>A failure is recorded and reported; the version is used.</summary>
    Warn,
}

/// <summary>A rule on a version of a dataset. Failing rules with <see cref="Severity.Block"/> pull the andon cord.</summary>
public abstract record Check
{
    public Severity Severity { get; init; } = Severity.Block;

    /// <summary>A short stable name, e.g. <c>not_null(order_id)</c>, unique within a dataset.</summary>
    public abstract string Name { get; }

    /// <summary>The kind of rule, e.g. <c>not_null</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Columns the rule reads; validated against the declared schema.</summary>
    public virtual IEnumerable<string> Columns => [];

    public Check AsWarning() => this with { Severity = Severity.Warn };

    public static Check NotNull(string column) => new NotNullCheck(column);
    public static Check Unique(params string[] columns) => new UniqueCheck(columns);
    public static Check AcceptedValues(string column, params string[] values) => new AcceptedValuesCheck(column, values);
    public static Check Range(string column, double? min = null, double? max = null) => new RangeCheck(column, min, max);
    public static Check RowCount(long? min = null, long? max = null) => new RowCountCheck(min, max);

    /// <summary>Every non-null value of <paramref name="column"/> exists in <paramref name="otherColumn"/> of the same box of <paramref name="otherDataset"/>.</summary>
    public static Check Referential(string column, string otherDataset, string otherColumn) =>
        new ReferentialCheck(column, otherDataset, otherColumn);

    /// <summary>
    /// The box's row count is far from the recent boxes: fails when |rows - median| &gt; <paramref name="maxDeviation"/> * median, where the
    /// median is taken over the row counts of the current versions of the <paramref name="lookback"/> boxes before this one. With fewer than
    /// <paramref name="minHistory"/> earlier boxes there is nothing to compare with, and the check passes saying so.
    /// </summary>
    public static Check VolumeAnomaly(int lookback = 14, double maxDeviation = 0.5, int minHistory = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lookback, 1);
        if (!double.IsFinite(maxDeviation) || maxDeviation <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxDeviation), maxDeviation, "maxDeviation must be a positive fraction of the median, e.g. 0.5.");
        if (minHistory < 1 || minHistory > lookback)
            throw new ArgumentOutOfRangeException(nameof(minHistory), minHistory, $"minHistory must be between 1 and lookback ({lookback}).");
        return new VolumeAnomalyCheck(lookback, maxDeviation, minHistory);
    }

    /// <summary>
    /// The newest value of the timestamp <paramref name="column"/> is at most <paramref name="maxLag"/> before the end of the box. Measured
    /// against the box, never the wall clock, so a rebuild of an old box gives the same answer.
    /// </summary>
    public static Check Freshness(string column, TimeSpan maxLag)
    {
        if (maxLag < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxLag), maxLag, "maxLag must not be negative.");
        return new FreshnessCheck(column, maxLag);
    }
}

public sealed record NotNullCheck(string Column) : Check
{
    public override string Name => $"not_null({Column})";
    public override string Kind => "not_null";
    public override IEnumerable<string> Columns => [Column];
}

public sealed record UniqueCheck(IReadOnlyList<string> KeyColumns) : Check
{
    public override string Name => $"unique({string.Join(",", KeyColumns)})";
    public override string Kind => "unique";
    public override IEnumerable<string> Columns => KeyColumns;
}

public sealed record AcceptedValuesCheck(string Column, IReadOnlyList<string> Values) : Check
{
    public override string Name => $"accepted_values({Column})";
    public override string Kind => "accepted_values";
    public override IEnumerable<string> Columns => [Column];
}

public sealed record RangeCheck(string Column, double? Min, double? Max) : Check
{
    public override string Name => $"range({Column})";
    public override string Kind => "range";
    public override IEnumerable<string> Columns => [Column];
}

public sealed record RowCountCheck(long? Min, long? Max) : Check
{
    public override string Name => "row_count";
    public override string Kind => "row_count";
}

public sealed record ReferentialCheck(string Column, string OtherDataset, string OtherColumn) : Check
{
    public override string Name => $"referential({Column}->{OtherDataset}.{OtherColumn})";
    public override string Kind => "referential";
    public override IEnumerable<string> Columns => [Column];
}

/// <summary>Row count far from the median of the previous <see cref="Lookback"/> boxes. See <see cref="Check.VolumeAnomaly"/>.</summary>
public sealed record VolumeAnomalyCheck(int Lookback, double MaxDeviation, int MinHistory) : Check
{
    public override string Name => "volume_anomaly";
    public override string Kind => "volume_anomaly";
}

/// <summary>The newest value of a timestamp column within <see cref="MaxLag"/> of the box's end. See <see cref="Check.Freshness"/>.</summary>
public sealed record FreshnessCheck(string Column, TimeSpan MaxLag) : Check
{
    public override string Name => $"freshness({Column})";
    public override string Kind => "freshness";
    public override IEnumerable<string> Columns => [Column];
}
