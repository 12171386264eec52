using System.Globalization;
using Takt.Definitions;
using Takt.Engine;
using Takt.Ledger;

namespace Takt.Profiling;

/// <summary>What statistics make sense for a column, from its DuckDB type.</summary>
public enum ValueKind
{
    Numeric,
    Temporal,
    Text,
    Boolean,
    /// <summary>Scalars with an order but no arithmetic (time of day, interval, UUID, blob).</summary>
    Other,
    /// <summary>Lists, structs, maps and unions: only nulls are counted.</summary>
    Nested,
}

public static class ValueKinds
{
    public static ValueKind Of(string duckDbType)
    {
        var type = duckDbType.Trim().ToUpperInvariant();
        if (type.EndsWith(']') || type.StartsWith("STRUCT", StringComparison.Ordinal) || type.StartsWith("MAP", StringComparison.Ordinal)
            || type.StartsWith("UNION", StringComparison.Ordinal))
            return ValueKind.Nested;
        if (type.StartsWith("DECIMAL", StringComparison.Ordinal)) return ValueKind.Numeric;
        return type switch
        {
            "TINYINT" or "SMALLINT" or "INTEGER" or "BIGINT" or "HUGEINT" or "UTINYINT" or "USMALLINT" or "UINTEGER" or "UBIGINT" or "UHUGEINT"
                or "FLOAT" or "DOUBLE" or "REAL" => ValueKind.Numeric,
            "DATE" or "TIMESTAMP" or "TIMESTAMP WITH TIME ZONE" or "TIMESTAMPTZ" or "TIMESTAMP_S" or "TIMESTAMP_MS" or "TIMESTAMP_NS" => ValueKind.Temporal,
            "VARCHAR" => ValueKind.Text,
            "BOOLEAN" => ValueKind.Boolean,
            _ => ValueKind.Other,
        };
    }

    /// <summary>Whole numbers: candidates for unique keys (floating point values are not).</summary>
    public static bool IsInteger(string duckDbType) =>
        Of(duckDbType) == ValueKind.Numeric && !duckDbType.StartsWith("DECIMAL", StringComparison.OrdinalIgnoreCase)
        && duckDbType.ToUpperInvariant() is not ("FLOAT" or "DOUBLE" or "REAL");
}

/// <summary>Computes a version's profile in DuckDB over its Parquet files: one pass for the aggregates, one for the top values.</summary>
public static class Profiler
{
    /// <summary>How many of the most frequent values are kept per column.</summary>
    public const int TopValueCount = 10;

    /// <summary>Longer values are cut to this many characters in min, max and top values.</summary>
    public const int MaxValueLength = 200;

    private const string View = "__profile";

    public static VersionProfile Profile(DuckDbSession db, IReadOnlyList<string> files, Schema schema, string versionId, string dataset, long box,
        string boxKey, long profiledAtMs)
    {
        db.CreateView(View, files, schema);
        var columns = db.Describe(View);
        var select = new List<string> { "count(*)" };
        foreach (var (name, type) in columns) select.AddRange(Aggregates(SqlText.Identifier(name), ValueKinds.Of(type)));
        var row = db.Rows($"SELECT {string.Join(", ", select)} FROM {View}")[0];
        var rows = Convert.ToInt64(row[0], CultureInfo.InvariantCulture);
        var top = TopValues(db, columns);

        var profiles = new List<ColumnProfile>(columns.Count);
        for (var i = 0; i < columns.Count; i++)
        {
            var (name, type) = columns[i];
            var at = 1 + i * AggregateCount;
            var kind = ValueKinds.Of(type);
            var (min, max) = kind switch
            {
                ValueKind.Numeric => (Number(row[at + 5]), Number(row[at + 6])),
                ValueKind.Temporal => (Instant(row[at + 2]), Instant(row[at + 3])),
                _ => (Text(row[at + 2]), Text(row[at + 3])),
            };
            profiles.Add(new ColumnProfile(name, type, rows, rows - Convert.ToInt64(row[at], CultureInfo.InvariantCulture),
                row[at + 1] is null ? null : Convert.ToInt64(row[at + 1], CultureInfo.InvariantCulture), min, max,
                Double(row[at + 5]), Double(row[at + 6]), Double(row[at + 4]), top.GetValueOrDefault(i) ?? []));
        }
        return new VersionProfile(versionId, dataset, box, boxKey, rows, profiledAtMs, profiles);
    }

    private const int AggregateCount = 7;

    /// <summary>Per column, in order: non-null count, distinct count, min, max (text or timestamp), mean, min and max as numbers.</summary>
    private static IEnumerable<string> Aggregates(string c, ValueKind kind) => kind switch
    {
        ValueKind.Numeric =>
        [
            $"count({c})", $"count(DISTINCT {c})", "NULL", "NULL", $"avg(CAST({c} AS DOUBLE))", $"CAST(min({c}) AS DOUBLE)", $"CAST(max({c}) AS DOUBLE)",
        ],
        ValueKind.Temporal =>
        [
            $"count({c})", $"count(DISTINCT {c})", $"epoch_us(min(CAST({c} AS TIMESTAMPTZ)))", $"epoch_us(max(CAST({c} AS TIMESTAMPTZ)))", "NULL", "NULL", "NULL",
        ],
        ValueKind.Nested => [$"count({c})", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"],
        _ =>
        [
            $"count({c})", $"count(DISTINCT {c})", $"CAST(min({c}) AS VARCHAR)", $"CAST(max({c}) AS VARCHAR)", "NULL", "NULL", "NULL",
        ],
    };

    private static Dictionary<int, TopValue[]> TopValues(DuckDbSession db, IReadOnlyList<(string Name, string Type)> columns)
    {
        var parts = columns.Select((c, i) => (c, i)).Where(x => ValueKinds.Of(x.c.Type) != ValueKind.Nested)
            .Select(x => $"SELECT {x.i} AS c, CAST({SqlText.Identifier(x.c.Name)} AS VARCHAR) AS v, count(*) AS n FROM {View} WHERE {SqlText.Identifier(x.c.Name)} IS NOT NULL GROUP BY 2")
            .ToList();
        if (parts.Count == 0) return [];
        var rows = db.Rows($"""
            SELECT c, v, n FROM ({string.Join(" UNION ALL ", parts)})
            QUALIFY row_number() OVER (PARTITION BY c ORDER BY n DESC, v) <= {TopValueCount}
            ORDER BY c, n DESC, v
            """);
        return rows.GroupBy(r => Convert.ToInt32(r[0], CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.Select(r => new TopValue(Cut((string)r[1]!), Convert.ToInt64(r[2], CultureInfo.InvariantCulture))).ToArray());
    }

    private static double? Double(object? value) => value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture);

    private static string? Number(object? value) => Double(value)?.ToString("R", CultureInfo.InvariantCulture);

    private static string? Text(object? value) => value is null ? null : Cut(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");

    private static string? Instant(object? epochMicroseconds) => epochMicroseconds is null
        ? null
        : FormatInstant(DateTime.UnixEpoch.AddTicks(Convert.ToInt64(epochMicroseconds, CultureInfo.InvariantCulture) * 10));

    /// <summary>ISO-8601 UTC with as many fractional digits as needed: <c>2026-01-05T23:59:12Z</c>.</summary>
    public static string FormatInstant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads what <see cref="FormatInstant"/> wrote.</summary>
    public static bool TryParseInstant(string? text, out DateTime utc) =>
        DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out utc);

    private static string Cut(string value) => value.Length <= MaxValueLength ? value : value[..MaxValueLength] + "…";
}
