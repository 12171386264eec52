namespace Takt.Definitions;

/// <summary>A column's physical type, spelled the way DuckDB and Parquet know it.</summary>
public sealed record ColumnType
{
    private ColumnType(string sqlName) => SqlName = sqlName;

    /// <summary>The DuckDB type name, e.g. <c>DECIMAL(12,2)</c>.</summary>
    public string SqlName { get; }

    public static ColumnType String { get; } = new("VARCHAR");
    public static ColumnType Boolean { get; } = new("BOOLEAN");
    public static ColumnType Int32 { get; } = new("INTEGER");
    public static ColumnType Int64 { get; } = new("BIGINT");
    public static ColumnType Double { get; } = new("DOUBLE");
    public static ColumnType Date { get; } = new("DATE");
    /// <summary>An instant, always stored in UTC.</summary>
    public static ColumnType Timestamp { get; } = new("TIMESTAMP");

    public static ColumnType Decimal(int precision, int scale)
    {
        if (precision is < 1 or > 38) throw new ArgumentOutOfRangeException(nameof(precision), precision, "Decimal precision is 1 to 38.");
        if (scale < 0 || scale > precision) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Decimal scale is 0 to the precision.");
        return new ColumnType($"DECIMAL({precision},{scale})");
    }

    /// <summary>Maps a type name DuckDB reports back to a declared type, or null when Takt has no such type.</summary>
    public static ColumnType? FromSql(string sqlName)
    {
        var name = sqlName.Trim().ToUpperInvariant();
        return name switch
        {
            "VARCHAR" or "TEXT" or "STRING" => String,
            "BOOLEAN" or "BOOL" => Boolean,
            "INTEGER" or "INT" or "INT4" => Int32,
            "BIGINT" or "INT8" or "LONG" => Int64,
            "DOUBLE" or "FLOAT8" => Double,
            "DATE" => Date,
            "TIMESTAMP" or "TIMESTAMP WITH TIME ZONE" or "TIMESTAMPTZ" => Timestamp,
            _ when name.StartsWith("DECIMAL(", StringComparison.Ordinal) => new ColumnType(name.Replace(" ", "")),
            _ => null,
        };
    }

    public bool IsNumeric => this == Int32 || this == Int64 || this == Double || SqlName.StartsWith("DECIMAL", StringComparison.Ordinal);

    public override string ToString() => SqlName;
}
