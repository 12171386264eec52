using Microsoft.Data.Sqlite;
using Takt.Ledger.Sqlite;

namespace Takt.Tests.Unit;

/// <summary>
/// A ledger file as an older Takt left it: the shipped migrations up to <c>schemaVersion</c> and no later one, for
/// tests that write rows in that old shape and then open the file with today's ledger, which migrates it.
/// </summary>
internal sealed class OldSchemaLedger : IDisposable
{
    private readonly SqliteConnection _connection;

    public OldSchemaLedger(string path, int schemaVersion)
    {
        _connection = new SqliteConnection($"Data Source={path};Pooling=false");
        _connection.Open();
        LineageCodec.Register(_connection); // migration 13 uses it
        Run("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)");
        foreach (var (version, sql) in SqliteMigrations.All.Where(m => m.Version <= schemaVersion))
        {
            Run(sql);
            Run($"INSERT INTO schema_migrations VALUES ({version}, 0)");
        }
    }

    public void Run(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary><c>SELECT count(*) FROM</c> the given table (and condition) of the ledger file at <paramref name="path"/>, read only.</summary>
    public static long CountRows(string path, string tableAndWhere)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {tableAndWhere}";
        return (long)cmd.ExecuteScalar()!;
    }

    public void Dispose() => _connection.Dispose();
}
