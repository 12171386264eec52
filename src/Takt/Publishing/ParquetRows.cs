using Takt.Definitions;
using Takt.Engine;

namespace Takt.Publishing;

/// <summary>Reads the rows of a set of Parquet files through DuckDB, with their column names and DuckDB types.</summary>
internal static class ParquetRows
{
    public static IReadOnlyList<(string Name, string Type)> Columns(DuckDbSession db, IReadOnlyList<string> files, Schema schema)
    {
        db.CreateView("__publish", files, schema);
        return db.Describe("__publish");
    }

    public static IEnumerable<object?[]> Read(DuckDbSession db)
    {
        using var cmd = db.Command("SELECT * FROM __publish");
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            yield return values;
        }
    }
}
