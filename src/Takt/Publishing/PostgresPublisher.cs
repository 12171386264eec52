using System.Net.Sockets;
using Npgsql;
using NpgsqlTypes;
using Takt.Definitions;
using Takt.Engine;

namespace Takt.Publishing;

/// <summary>
/// Publishes into PostgreSQL: each copy is a table <c>TABLE__cN</c> created and loaded with binary COPY in one
/// transaction, and readers query the view <c>TABLE</c>, replaced in one transaction. The connection string comes from an
/// environment variable so that no secret sits in the factory's code.
/// </summary>
/// <remarks>
/// Types: VARCHAR → text, BIGINT → bigint, INTEGER → integer, DOUBLE → double precision, DECIMAL(p,s) → numeric(p,s),
/// BOOLEAN → boolean, DATE → date, TIMESTAMP (UTC) → timestamp. Decimals travel as .NET decimals, so values beyond
/// 28 significant digits cannot be published here.
/// </remarks>
internal sealed class PostgresPublisher : IPublisher
{
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(5);
    private readonly string _table;
    private readonly DuckDbPool _duckDb;
    private readonly NpgsqlConnection _connection;
    private readonly string _where;
    private readonly string _user;

    public PostgresPublisher(PostgresPublishTarget target, DuckDbPool duckDb, Func<string, string?> variable)
    {
        _table = Publishers.ValidTable(target.Table);
        _duckDb = duckDb;
        var connectionString = variable(target.ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new PublishTargetException($"the PostgreSQL connection string for {_table} is not set: put it in the environment variable {target.ConnectionStringVariable}.");
        var invalid = $"the environment variable {target.ConnectionStringVariable} does not hold a valid PostgreSQL connection string.";
        NpgsqlConnectionStringBuilder builder;
        // Npgsql's messages may quote the string, secrets included: name the variable only.
        try { builder = new NpgsqlConnectionStringBuilder(connectionString); }
        catch (Exception e) when (IsInvalidSetting(e)) { throw new PublishTargetException(invalid, e); }
        _where = $"PostgreSQL at {builder.Host ?? "localhost"}:{builder.Port}";
        _user = builder.Username ?? variable("PGUSER") ?? Environment.UserName;
        try
        {
            builder.Timeout = Math.Min(builder.Timeout, 10);
            _connection = new NpgsqlConnection(builder.ConnectionString);
        }
        catch (Exception e) when (IsInvalidSetting(e)) { throw new PublishTargetException(invalid, e); }
        try { Guard(() => { _connection.Open(); return 0; }); }
        catch (Exception e) when (IsInvalidSetting(e))
        {
            // A value Npgsql only checks when it connects, e.g. Port=99999999.
            _connection.Dispose();
            throw new PublishTargetException(invalid, e);
        }
        catch { _connection.Dispose(); throw; }
    }

    private static bool IsInvalidSetting(Exception e) => e is ArgumentException or FormatException or KeyNotFoundException or OverflowException or InvalidCastException;

    public long WriteCopy(string copy, IReadOnlyList<string> parquetFiles, Schema schema)
    {
        var name = CopyTable(copy);
        using var lease = _duckDb.Rent();
        var columns = CopySource.Columns(lease.Session, parquetFiles, schema);
        var mapped = columns.Select(Map).ToArray();
        return Guard(() =>
        {
            // The table is created inside the transaction: a failure anywhere (server gone, bad value) leaves nothing.
            using var tx = BeginBounded();
            Execute($"DROP TABLE IF EXISTS {name}", tx); // fails (2BP01) if the copy is live: the view depends on it
            Execute($"CREATE TABLE {name} ({string.Join(", ", columns.Select((c, i) => $"{SqlText.Identifier(c.Name)} {mapped[i].Type}"))})", tx);
            long rows = 0;
            using (var importer = _connection.BeginBinaryImport($"COPY {name} FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var values in CopySource.Rows(lease.Session, mapped.Select(m => m.Expression).ToArray()))
                {
                    importer.StartRow();
                    for (var i = 0; i < values.Length; i++)
                    {
                        if (values[i] is null) importer.WriteNull();
                        else importer.Write(ToPostgres(values[i]!, mapped[i].DbType), mapped[i].DbType);
                    }
                    rows++;
                }
                importer.Complete();
            }
            tx.Commit();
            return rows;
        });
    }

    public void SwitchTo(string copy)
    {
        var name = CopyTable(copy);
        var view = SqlText.Identifier(_table);
        Guard(() =>
        {
            using var tx = BeginBounded();
            var kind = Query("SELECT relkind::text FROM pg_class WHERE oid = to_regclass(@name)", tx, view).SingleOrDefault()?[0] as string;
            if (kind is not (null or "v"))
                throw new PublishTargetException($"{_where} already has a relation named {_table} that is not a view; Takt publishes {_table} as a view over its copies, so rename or drop it.");
            var copyColumns = Columns(name, tx);
            if (copyColumns.Count == 0) throw new PublishTargetException($"copy {copy} of {_table} does not exist in {_where}.");
            // Same columns: replace the view in place. Otherwise PostgreSQL refuses CREATE OR REPLACE, so drop and create;
            // both in this transaction, so readers see the old view or the new one, never none.
            if (kind is null || !Columns(view, tx).SequenceEqual(copyColumns))
            {
                Execute($"DROP VIEW IF EXISTS {view}", tx);
                Execute($"CREATE VIEW {view} AS SELECT * FROM {name}", tx);
            }
            else Execute($"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {name}", tx);
            tx.Commit();
            return 0;
        });
    }

    public void DropCopy(string copy)
    {
        var name = CopyTable(copy);
        Guard(() =>
        {
            using var tx = BeginBounded();
            Execute($"DROP TABLE IF EXISTS {name}", tx);
            tx.Commit();
            return 0;
        });
    }

    /// <summary>
    /// A transaction that waits at most <see cref="LockWait"/> for a lock: a reader's open transaction on the view or a
    /// copy would otherwise hold up the switch or the drop, and every reader queued behind it.
    /// </summary>
    private NpgsqlTransaction BeginBounded()
    {
        var tx = _connection.BeginTransaction();
        Execute($"SET LOCAL lock_timeout = {(int)LockWait.TotalMilliseconds}", tx);
        return tx;
    }

    public IReadOnlyList<string> Copies() => Guard(() =>
        (IReadOnlyList<string>)Query("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()", null)
            .Select(r => (string)r[0]!)
            .Where(n => Publishers.IsCopyOf(_table, n))
            .Select(n => n[(_table.Length + 2)..])
            .ToArray());

    public string? LiveCopy() => Guard(() =>
    {
        var view = SqlText.Identifier(_table);
        var kind = Query("SELECT relkind::text FROM pg_class WHERE oid = to_regclass(@name)", null, view).SingleOrDefault()?[0] as string;
        if (kind is null) return null;
        if (kind != "v") return $"a relation {_table} that is not a view";
        // The tables the view's rule reads: Takt's views read exactly one copy.
        var tables = Query("""
            SELECT DISTINCT c.relname::text FROM pg_rewrite r JOIN pg_depend d ON d.objid = r.oid JOIN pg_class c ON c.oid = d.refobjid
            WHERE r.ev_class = to_regclass(@name) AND c.oid <> r.ev_class AND c.relkind = 'r'
            """, null, view).Select(row => (string)row[0]!).ToList();
        return (tables.Count == 1 ? Publishers.CopyOf(_table, tables[0]) : null) ?? "a view of its own";
    });

    public string Readers => $"the view {_table} in {_where}";

    public string HandOver => $"drop the view {_table} there";

    public void Dispose() => _connection.Dispose();

    private string CopyTable(string copy) => SqlText.Identifier(_table + "__" + Publishers.ValidCopy(copy));

    /// <summary>Names and types of a relation's columns, in order; empty when it does not exist.</summary>
    private List<(string, string)> Columns(string quotedName, NpgsqlTransaction tx) =>
        Query("SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(@name) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            tx, quotedName).Select(r => ((string)r[0]!, (string)r[1]!)).ToList();

    private List<object?[]> Query(string sql, NpgsqlTransaction? tx, string? name = null)
    {
        using var cmd = new NpgsqlCommand(sql, _connection, tx);
        if (name is not null) cmd.Parameters.AddWithValue("name", name);
        using var reader = cmd.ExecuteReader();
        return reader.ReadAll();
    }

    private void Execute(string sql, NpgsqlTransaction? tx)
    {
        using var cmd = new NpgsqlCommand(sql, _connection, tx);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Turns "cannot reach" and "refused the login" into one clear line. Transactions roll back on the way out.</summary>
    private T Guard<T>(Func<T> action)
    {
        try { return action(); }
        catch (PostgresException e) when (e.SqlState is "28P01" or "28000" or "3D000")
        {
            throw new PublishTargetException($"{_where} refused the login for user {_user}: {Publishers.OneLine(e.MessageText)}", e);
        }
        catch (PostgresException e) when (e.SqlState is "57P01" or "57P02" or "57P03" or "53300")
        {
            throw new PublishTargetException($"{_where} is not reachable: {Publishers.OneLine(e.MessageText)}", e);
        }
        catch (PostgresException e) when (e.SqlState is "55P03")
        {
            throw new PublishTargetException($"{_where}: {_table} is in use by another session's open transaction; gave up after {LockWait.TotalSeconds:0} s "
                + $"rather than hold up its readers, and the next publish tries again ({Publishers.OneLine(e.MessageText)}).", e);
        }
        catch (PostgresException e) when (e.SqlState is "2BP01")
        {
            throw new PublishTargetException($"a copy of {_table} that readers see through the view {_table} cannot be replaced or dropped; switch to another copy first.", e);
        }
        catch (NpgsqlException e) when (e is not PostgresException && (e.InnerException is SocketException or TimeoutException or IOException || e.IsTransient))
        {
            throw new PublishTargetException($"{_where} is not reachable: {Publishers.OneLine((e.InnerException ?? e).Message)}", e);
        }
        catch (SocketException e)
        {
            throw new PublishTargetException($"{_where} is not reachable: {Publishers.OneLine(e.Message)}", e);
        }
    }

    /// <summary>The PostgreSQL column type of a copy column, the DuckDB expression that reads its value, and how COPY sends it.</summary>
    private static (string Type, string Expression, NpgsqlDbType DbType) Map(CopyColumn column)
    {
        var type = column.Normalized;
        var value = column.Expression;
        if (type.StartsWith("DECIMAL(", StringComparison.Ordinal) || type.StartsWith("NUMERIC(", StringComparison.Ordinal))
            return ("numeric" + type[type.IndexOf('(')..], value, NpgsqlDbType.Numeric);
        return type switch
        {
            "VARCHAR" => ("text", value, NpgsqlDbType.Text),
            "BIGINT" or "UINTEGER" => ("bigint", $"CAST({value} AS BIGINT)", NpgsqlDbType.Bigint),
            "INTEGER" or "USMALLINT" => ("integer", $"CAST({value} AS INTEGER)", NpgsqlDbType.Integer),
            "SMALLINT" or "TINYINT" or "UTINYINT" => ("smallint", $"CAST({value} AS SMALLINT)", NpgsqlDbType.Smallint),
            "DOUBLE" => ("double precision", value, NpgsqlDbType.Double),
            "FLOAT" or "REAL" => ("real", value, NpgsqlDbType.Real),
            "BOOLEAN" => ("boolean", value, NpgsqlDbType.Boolean),
            "DATE" => ("date", value, NpgsqlDbType.Date),
            "TIMESTAMP" => ("timestamp", value, NpgsqlDbType.Timestamp),
            "TIMESTAMPWITHTIMEZONE" or "TIMESTAMPTZ" => ("timestamptz", value, NpgsqlDbType.TimestampTz),
            "BLOB" => ("bytea", value, NpgsqlDbType.Bytea),
            // UBIGINT, HUGEINT, lists, structs and the rest are published as their text.
            _ => ("text", $"CAST({value} AS VARCHAR)", NpgsqlDbType.Text),
        };
    }

    private static object ToPostgres(object value, NpgsqlDbType type) => value switch
    {
        // DuckDB reads instants in UTC (the session's time zone); Npgsql wants timestamptz values marked as UTC.
        DateTime t when type == NpgsqlDbType.TimestampTz => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        DateTime t => DateTime.SpecifyKind(t, DateTimeKind.Unspecified),
        _ => value,
    };
}
