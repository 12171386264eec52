using Microsoft.Data.Sqlite;

namespace Takt.Tests.EndToEnd;

/// <summary>Every row of every table of a home's ledger, read as text: two reads compare equal when nothing was written.</summary>
internal static class LedgerContents
{
    public static SortedDictionary<string, string[]> Read(string home)
    {
        using var connection = Open(home);
        var result = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var table in Tables(connection))
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{table}\"";
            using var r = cmd.ExecuteReader();
            var rows = new List<string>();
            while (r.Read()) rows.Add(string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "null" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            rows.Sort(StringComparer.Ordinal);
            result[table] = rows.ToArray();
        }
        return result;
    }

    /// <summary>Rows per table.</summary>
    public static SortedDictionary<string, long> RowCounts(string home) =>
        new(Read(home).ToDictionary(t => t.Key, t => (long)t.Value.Length), StringComparer.Ordinal);

    /// <summary>The tables whose rows differ between two reads, with how many rows each side has that the other does not.</summary>
    public static string Differences(SortedDictionary<string, string[]> before, SortedDictionary<string, string[]> after) =>
        string.Join("; ", before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Select(t => (Table: t, Gone: before.GetValueOrDefault(t, []).Except(after.GetValueOrDefault(t, [])).Count(), New: after.GetValueOrDefault(t, []).Except(before.GetValueOrDefault(t, [])).Count()))
            .Where(d => d.Gone + d.New > 0)
            .Select(d => $"{d.Table}: -{d.Gone} +{d.New}"));

    private static SqliteConnection Open(string home)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = LedgerSnapshot.PathOf(home), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static List<string> Tables(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        using var r = cmd.ExecuteReader();
        var tables = new List<string>();
        while (r.Read()) tables.Add(r.GetString(0));
        return tables;
    }
}
