using Takt.Definitions;

namespace Takt.Ingest;

/// <summary>
/// How a landing value becomes a value of its declared type, as SQL that yields NULL when it does not: the same rules
/// for every format. A value converts only if nothing is lost or invented: integers take integer literals (1.5 is
/// not rounded to 2), numbers must be finite (1e400 is not infinity), timestamps are instants on the calendar
/// (read with their offset, stored in UTC). Decimals are rounded to their declared scale, as SQL casts do.
/// </summary>
internal static class ValueConversion
{
    /// <summary>
    /// SQL that converts the text <paramref name="text"/> (CSV fields, JSON values) to <paramref name="type"/>: the value
    /// <see cref="Strict"/> gives. An integer or timestamp whose text is exactly how DuckDB writes the value a plain cast
    /// gives (<c>42</c>, <c>2026-01-01 09:33:53</c>, as most files write them) is that value, which is what the strict
    /// rules give too; only other texts take the strict rules' regular expression and time zone conversion, which cost
    /// more than the read of the file.
    /// </summary>
    public static string FromText(ColumnType type, string text)
    {
        if (type == ColumnType.Int32 || type == ColumnType.Int64 || type == ColumnType.Timestamp)
        {
            var plain = $"TRY_CAST({text} AS {type.SqlName})";
            var exact = type == ColumnType.Timestamp ? $"isfinite({plain}) AND CAST({plain} AS VARCHAR) = {text}" : $"CAST({plain} AS VARCHAR) = {text}";
            return $"CASE WHEN {exact} THEN {plain} ELSE {Strict(type, text)} END";
        }
        return Strict(type, text);
    }

    /// <summary>SQL that converts <paramref name="text"/> to <paramref name="type"/> by the rules of this class, whatever the text.</summary>
    internal static string Strict(ColumnType type, string text)
    {
        if (type == ColumnType.String) return text;
        if (type == ColumnType.Int32 || type == ColumnType.Int64)
            return $"CASE WHEN regexp_full_match({text}, '\\s*[+-]?[0-9]+\\s*') THEN TRY_CAST({text} AS {type.SqlName}) END";
        if (type == ColumnType.Timestamp)
        {
            // A text without an offset is a time in UTC, which the plain cast reads (it reads 'Z' and 'UTC' too, but
            // drops a numeric offset: a sign after the time sends the text to the time zone cast). Only texts with an
            // offset or a zone name take the time zone cast: it keeps a zone named by one value for the values read
            // after it, which are all explicit then.
            var plain = $"TRY_CAST({text} AS TIMESTAMP)";
            return Finite($"CASE WHEN {plain} IS NOT NULL AND NOT regexp_matches({text}, ':[0-9]{{2}}(\\.[0-9]*)?\\s*[+-]') " +
                          $"THEN {plain} ELSE make_timestamp(epoch_us(TRY_CAST({text} AS TIMESTAMPTZ))) END");
        }
        if (type == ColumnType.Double || type == ColumnType.Date) return Finite($"TRY_CAST({text} AS {type.SqlName})");
        return $"TRY_CAST({text} AS {type.SqlName})";
    }

    /// <summary>SQL that converts <paramref name="value"/>, of the DuckDB type <paramref name="fileType"/> (a Parquet column), to <paramref name="type"/>.</summary>
    public static string FromTyped(ColumnType type, string value, string fileType)
    {
        var from = fileType.ToUpperInvariant();
        if (from == "VARCHAR") return FromText(type, value);
        if (type == ColumnType.String) return $"CAST({value} AS VARCHAR)";
        if (type == ColumnType.Timestamp) return Finite($"TRY_CAST({value} AS TIMESTAMP)");
        if (type == ColumnType.Double || type == ColumnType.Date) return Finite($"TRY_CAST({value} AS {type.SqlName})");
        if ((type == ColumnType.Int32 || type == ColumnType.Int64) && (from is "DOUBLE" or "FLOAT" || from.StartsWith("DECIMAL", StringComparison.Ordinal)))
            return $"CASE WHEN {value} = trunc({value}) THEN TRY_CAST({value} AS {type.SqlName}) END";
        return $"TRY_CAST({value} AS {type.SqlName})";
    }

    private static string Finite(string value) => $"CASE WHEN isfinite({value}) THEN {value} END";
}
