using System.Data.Common;

namespace Takt.Engine;

internal static class DataReaderRows
{
    /// <summary>Every remaining row of a reader, as values with database nulls as null.</summary>
    public static List<object?[]> ReadAll(this DbDataReader reader)
    {
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(values);
        }
        return rows;
    }
}
