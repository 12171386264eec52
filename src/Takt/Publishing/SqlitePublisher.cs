using System.Globalization;
using Microsoft.Data.Sqlite;
using Takt.Definitions;
using Takt.Engine;

namespace Takt.Publishing;

/// <summary>
/// Publishes into a SQLite database (WAL mode, so readers never wait on the writer): each copy is a table
/// <c>TABLE__cN</c>, and readers query the view <c>TABLE</c>, which is replaced in one transaction.
/// </summary>
/// <remarks>
/// Types: VARCHAR → TEXT; BIGINT, INTEGER → INTEGER; DOUBLE → REAL; BOOLEAN → INTEGER 0/1; DATE → TEXT
/// <c>YYYY-MM-DD</c>; TIMESTAMP (UTC) → TEXT <c>YYYY-MM-DD HH:MM:SS.ffffff</c>, fixed width so that text order is time
/// order, and SQLite's own date format so that it compares with <c>datetime('now')</c>. DECIMAL(p,s) → TEXT with exactly
/// s decimals (<c>'12.30'</c>): SQLite has no decimal type and REAL is a binary double, which cannot hold 0.1 exactly and
/// loses digits past 15 — a published amount must read back as it was computed. <c>sum()</c> and <c>CAST(x AS REAL)</c>
/// work on such text; compare with numbers after a cast.
/// </remarks>
internal sealed class SqlitePublisher : IPublisher
{
    private readonly string _table;
    private readonly string _path;
    private readonly DuckDbPool _duckDb;
    private readonly SqliteConnection _connection;

    public SqlitePublisher(SqlitePublishTarget target, string home, DuckDbPool duckDb)
    {
        _table = Publishers.ValidTable(target.Table);
        _duckDb = duckDb;
        _path = Path.GetFullPath(Path.IsPathRooted(target.DatabasePath) ? target.DatabasePath : Path.Combine(home, target.DatabasePath));
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false, DefaultTimeout = 600 }.ToString());
            _connection.Open();
            Execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 60000;");
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new PublishTargetException($"cannot open the SQLite database {_path}: {Publishers.OneLine(e.Message)}", e);
        }
    }

    public long WriteCopy(string copy, IReadOnlyList<string> parquetFiles, Schema schema)
    {
        var name = CopyTable(copy);
        using var lease = _duckDb.Rent();
        var columns = CopySource.Columns(lease.Session, parquetFiles, schema);
        var mapped = columns.Select(Map).ToArray();
        return Guard(() =>
        {
            // IMMEDIATE: take the write lock now. The table is created inside the transaction, so a failure leaves nothing.
            using var tx = _connection.BeginTransaction(deferred: false);
            if (IsLive(copy, tx)) throw new PublishTargetException($"copy {copy} of {_table} is live; write a new copy instead.");
            Execute($"DROP TABLE IF EXISTS {name}", tx);
            Execute($"CREATE TABLE {name} ({string.Join(", ", columns.Select((c, i) => $"{SqlText.Identifier(c.Name)} {mapped[i].Type}"))})", tx);
            using var insert = _connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = $"INSERT INTO {name} VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
            var parameters = columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter { ParameterName = $"$p{i}", Value = DBNull.Value })).ToArray();
            insert.Prepare();
            long rows = 0;
            foreach (var values in CopySource.Rows(lease.Session, mapped.Select(m => m.Expression).ToArray()))
            {
                for (var i = 0; i < values.Length; i++) parameters[i].Value = values[i] ?? DBNull.Value;
                insert.ExecuteNonQuery();
                rows++;
            }
            tx.Commit();
            return rows;
        });
    }

    public void SwitchTo(string copy)
    {
        var name = CopyTable(copy);
        Guard(() =>
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            if (Scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name", tx, ("$name", _table)) > 0)
                throw new PublishTargetException($"{_path} already has a table named {_table}; Takt publishes {_table} as a view over its copies, so rename or drop that table.");
            if (Scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name", tx, ("$name", _table + "__" + copy)) == 0)
                throw new PublishTargetException($"copy {copy} of {_table} does not exist in {_path}.");
            Execute($"DROP VIEW IF EXISTS {SqlText.Identifier(_table)}", tx);
            Execute($"CREATE VIEW {SqlText.Identifier(_table)} AS SELECT * FROM {name}", tx);
            tx.Commit();
            return 0;
        });
    }

    public void DropCopy(string copy)
    {
        var name = CopyTable(copy);
        Guard(() =>
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            // SQLite would drop a table under a view and leave readers with "no such table"; refuse instead.
            if (IsLive(copy, tx)) throw new PublishTargetException($"copy {copy} of {_table} is live; switch readers to another copy before dropping it.");
            Execute($"DROP TABLE IF EXISTS {name}", tx);
            tx.Commit();
            return 0;
        });
    }

    public IReadOnlyList<string> Copies() => Guard(() =>
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        using var reader = cmd.ExecuteReader();
        var copies = new List<string>();
        while (reader.Read())
            if (Publishers.IsCopyOf(_table, reader.GetString(0))) copies.Add(reader.GetString(0)[(_table.Length + 2)..]);
        return (IReadOnlyList<string>)copies;
    });

    public string? LiveCopy() => Guard(() =>
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = "SELECT type, sql FROM sqlite_master WHERE name = $name AND type IN ('view', 'table')";
        cmd.Parameters.AddWithValue("$name", _table);
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        if (r.GetString(0) == "table") return $"a table {_table}";
        // Takt's views are exactly "CREATE VIEW "t" AS SELECT * FROM "t__cN"" (see SwitchTo).
        var sql = r.GetString(1);
        var from = sql.LastIndexOf(" FROM ", StringComparison.Ordinal);
        return (from >= 0 ? Publishers.CopyOf(_table, sql[(from + 6)..].Trim('"')) : null) ?? "a view of its own";
    });

    public string Readers => $"the view {_table} in {_path}";

    public string HandOver => $"drop the view {_table} there";

    public void Dispose() => _connection.Dispose();

    private string CopyTable(string copy) => SqlText.Identifier(_table + "__" + Publishers.ValidCopy(copy));

    /// <summary>Whether the view readers query selects from this copy.</summary>
    private bool IsLive(string copy, SqliteTransaction tx)
    {
        using var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = $name";
        cmd.Parameters.AddWithValue("$name", _table);
        return cmd.ExecuteScalar() is string sql && sql.EndsWith(" FROM " + CopyTable(copy), StringComparison.Ordinal);
    }

    /// <summary>The SQLite column type of a copy column and the DuckDB expression that reads its value as SQLite stores it.</summary>
    private static (string Type, string Expression) Map(CopyColumn column)
    {
        var type = column.Normalized;
        var value = column.Expression;
        if (type.StartsWith("DECIMAL", StringComparison.Ordinal) || type.StartsWith("NUMERIC", StringComparison.Ordinal))
            return ("TEXT", $"CAST({value} AS VARCHAR)");
        return type switch
        {
            "VARCHAR" => ("TEXT", value),
            "BIGINT" or "INTEGER" or "SMALLINT" or "TINYINT" or "UTINYINT" or "USMALLINT" or "UINTEGER" or "BOOLEAN" => ("INTEGER", $"CAST({value} AS BIGINT)"),
            "DOUBLE" or "FLOAT" or "REAL" => ("REAL", $"CAST({value} AS DOUBLE)"),
            "DATE" => ("TEXT", $"strftime({value}, '%Y-%m-%d')"),
            "TIMESTAMP" or "TIMESTAMPWITHTIMEZONE" or "TIMESTAMPTZ" => ("TEXT", $"strftime({value}, '%Y-%m-%d %H:%M:%S.%f')"),
            "BLOB" => ("BLOB", value),
            // UBIGINT and HUGEINT may not fit SQLite's 64-bit integers; lists, structs and the rest are published as their text.
            _ => ("TEXT", $"CAST({value} AS VARCHAR)"),
        };
    }

    /// <summary>A database that cannot be written (disk full, read-only, locked too long) is a target problem.</summary>
    private T Guard<T>(Func<T> action)
    {
        try { return action(); }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6 or 8 or 10 or 13 or 14 or 26)
        {
            throw new PublishTargetException($"cannot write the SQLite database {_path}: {Publishers.OneLine(e.Message)}", e);
        }
    }

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
