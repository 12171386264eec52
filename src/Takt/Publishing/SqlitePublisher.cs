using System.Globalization;
using Microsoft.Data.Sqlite;
using Takt.Definitions;
using Takt.Engine;

namespace Takt.Publishing;

/// <summary>
/// Publishes into a SQLite database: each copy is a table <c>TABLE__cN</c>, and readers query the view <c>TABLE</c>,
/// which is replaced in one transaction. Decimals are stored as text so that no cent is lost to floating point.
/// </summary>
internal sealed class SqlitePublisher : IPublisher
{
    private readonly string _table;
    private readonly DuckDbPool _duckDb;
    private readonly SqliteConnection _connection;

    public SqlitePublisher(SqlitePublishTarget target, string home, DuckDbPool duckDb)
    {
        _table = Publishers.ValidTable(target.Table);
        _duckDb = duckDb;
        var path = Path.IsPathRooted(target.DatabasePath) ? target.DatabasePath : Path.Combine(home, target.DatabasePath);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 60 }.ToString());
            _connection.Open();
            Execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 60000;");
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new PublishTargetException($"cannot open the SQLite database {path}: {e.Message}", e);
        }
    }

    public long WriteCopy(string copy, IReadOnlyList<string> parquetFiles, Schema schema)
    {
        var name = CopyTable(copy);
        using var lease = _duckDb.Rent();
        var columns = ParquetRows.Columns(lease.Session, parquetFiles, schema);
        using var tx = _connection.BeginTransaction(deferred: false);
        Execute($"DROP TABLE IF EXISTS {name}", tx);
        Execute($"CREATE TABLE {name} ({string.Join(", ", columns.Select(c => $"{SqlText.Identifier(c.Name)} {SqliteType(c.Type)}"))})", tx);
        using var insert = _connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = $"INSERT INTO {name} VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
        var parameters = columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter { ParameterName = $"$p{i}", Value = DBNull.Value })).ToArray();
        insert.Prepare();
        long rows = 0;
        foreach (var values in ParquetRows.Read(lease.Session))
        {
            for (var i = 0; i < values.Length; i++) parameters[i].Value = ToSqlite(values[i]);
            insert.ExecuteNonQuery();
            rows++;
        }
        tx.Commit();
        return rows;
    }

    public void SwitchTo(string copy)
    {
        var name = CopyTable(copy);
        using var tx = _connection.BeginTransaction(deferred: false);
        if (Scalar($"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name", tx, ("$name", _table + "__" + copy)) == 0)
            throw new PublishTargetException($"copy {copy} of {_table} does not exist in the SQLite database.");
        Execute($"DROP VIEW IF EXISTS {SqlText.Identifier(_table)}", tx);
        Execute($"CREATE VIEW {SqlText.Identifier(_table)} AS SELECT * FROM {name}", tx);
        tx.Commit();
    }

    public void DropCopy(string copy) => Execute($"DROP TABLE IF EXISTS {CopyTable(copy)}");

    public IReadOnlyList<string> Copies()
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        using var reader = cmd.ExecuteReader();
        var copies = new List<string>();
        while (reader.Read())
            if (Publishers.IsCopyOf(_table, reader.GetString(0))) copies.Add(reader.GetString(0)[(_table.Length + 2)..]);
        return copies;
    }

    public void Dispose() => _connection.Dispose();

    private string CopyTable(string copy) => SqlText.Identifier(_table + "__" + Publishers.ValidCopy(copy));

    private static string SqliteType(string duckType) => duckType.ToUpperInvariant() switch
    {
        "BIGINT" or "INTEGER" or "SMALLINT" or "TINYINT" or "BOOLEAN" or "UBIGINT" or "UINTEGER" => "INTEGER",
        "DOUBLE" or "FLOAT" or "REAL" => "REAL",
        _ => "TEXT",
    };

    private static object ToSqlite(object? value) => value switch
    {
        null => DBNull.Value,
        bool b => b ? 1L : 0L,
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f when value is not (long or int or double or float or short or byte) => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value,
    };

    private void Execute(string sql, SqliteTransaction? tx = null)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    private long Scalar(string sql, SqliteTransaction tx, params (string Name, object Value)[] parameters)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
