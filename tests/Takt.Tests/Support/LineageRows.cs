using Microsoft.Data.Sqlite;
using Takt.Ledger.Sqlite;

namespace Takt.Tests.Support;

/// <summary>Every lineage edge of a ledger file as (version id, input version id), read from its tables as a second reader would.</summary>
internal static class LineageRows
{
    public static List<(string Version, string Input)> Read(SqliteConnection connection)
    {
        var strings = Rows(connection, "SELECT id, text FROM strings").ToDictionary(r => (long)r[0], r => (string)r[1]);
        var ids = Rows(connection, "SELECT vid, id FROM version_rows").ToDictionary(r => (long)r[0], r => (string)r[1]);
        return Rows(connection, "SELECT version_id, inputs FROM version_lineage")
            .SelectMany(r => LineageCodec.Decode((byte[])r[1], d => strings[d], v => ids[v]).Select(e => ((string)r[0], e.VersionId)))
            .ToList();
    }

    private static List<object[]> Rows(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<object[]>();
        while (r.Read())
        {
            var row = new object[r.FieldCount];
            r.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }
}
