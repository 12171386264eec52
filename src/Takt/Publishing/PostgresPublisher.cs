using System.Net.Sockets;
using Npgsql;
using NpgsqlTypes;
using Takt.Definitions;
using Takt.Engine;

namespace Takt.Publishing;

/// <summary>
/// Publishes into PostgreSQL: each copy is a table <c>TABLE__cN</c> loaded with binary COPY in one transaction, and
/// readers query the view <c>TABLE</c>, replaced in one transaction. The connection string comes from an environment
/// variable so that no secret sits in the factory's code.
/// </summary>
internal sealed class PostgresPublisher : IPublisher
{
    private readonly string _table;
    private readonly DuckDbPool _duckDb;
    private readonly NpgsqlConnection _connection;
    private readonly string _where;

    public PostgresPublisher(PostgresPublishTarget target, DuckDbPool duckDb)
    {
        _table = Publishers.ValidTable(target.Table);
        _duckDb = duckDb;
        var connectionString = Environment.GetEnvironmentVariable(target.ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new PublishTargetException($"the PostgreSQL connection string for {_table} is not set: put it in the environment variable {target.ConnectionStringVariable}.");
        NpgsqlConnectionStringBuilder builder;
        try { builder = new NpgsqlConnectionStringBuilder(connectionString); }
        catch (ArgumentException e) { throw new PublishTargetException($"{target.ConnectionStringVariable} is not a valid PostgreSQL connection string: {e.Message}", e); }
        _where = $"PostgreSQL at {builder.Host}:{builder.Port}";
        builder.Timeout = Math.Min(builder.Timeout, 10);
        _connection = new NpgsqlConnection(builder.ConnectionString);
        Guard(() => _connection.Open());
    }

    public long WriteCopy(string copy, IReadOnlyList<string> parquetFiles, Schema schema) => Guard(() =>
    {
        var name = CopyTable(copy);
        using var lease = _duckDb.Rent();
        var columns = ParquetRows.Columns(lease.Session, parquetFiles, schema);
        using var tx = _connection.BeginTransaction();
        Execute($"DROP TABLE IF EXISTS {name}", tx);
        Execute($"CREATE TABLE {name} ({string.Join(", ", columns.Select(c => $"{SqlText.Identifier(c.Name)} {PostgresType(c.Type)}"))})", tx);
        long rows = 0;
        using (var importer = _connection.BeginBinaryImport($"COPY {name} FROM STDIN (FORMAT BINARY)"))
        {
            var types = columns.Select(c => DbType(c.Type)).ToArray();
            foreach (var values in ParquetRows.Read(lease.Session))
            {
                importer.StartRow();
                for (var i = 0; i < values.Length; i++)
                {
                    if (values[i] is null) importer.WriteNull();
                    else importer.Write(values[i] is DateOnly d ? d.ToDateTime(TimeOnly.MinValue) : values[i]!, types[i]);
                }
                rows++;
            }
            importer.Complete();
        }
        tx.Commit();
        return rows;
    });

    public void SwitchTo(string copy) => Guard(() =>
    {
        var name = CopyTable(copy);
        using var tx = _connection.BeginTransaction();
        using (var exists = new NpgsqlCommand("SELECT to_regclass(@name) IS NOT NULL", _connection, tx))
        {
            exists.Parameters.AddWithValue("name", _table + "__" + copy);
            if (!(bool)exists.ExecuteScalar()!) throw new PublishTargetException($"copy {copy} of {_table} does not exist in {_where}.");
        }
        // Same columns: replace the view in place, so readers never wait on a dropped relation. Otherwise drop and create.
        Execute("SAVEPOINT switch_view", tx);
        try { Execute($"CREATE OR REPLACE VIEW {SqlText.Identifier(_table)} AS SELECT * FROM {name}", tx); }
        catch (PostgresException)
        {
            Execute("ROLLBACK TO SAVEPOINT switch_view", tx);
            Execute($"DROP VIEW IF EXISTS {SqlText.Identifier(_table)}", tx);
            Execute($"CREATE VIEW {SqlText.Identifier(_table)} AS SELECT * FROM {name}", tx);
        }
        tx.Commit();
        return 0;
    });

    public void DropCopy(string copy) => Guard(() => { Execute($"DROP TABLE IF EXISTS {CopyTable(copy)}", null); return 0; });

    public IReadOnlyList<string> Copies() => Guard(() =>
    {
        using var cmd = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()", _connection);
        using var reader = cmd.ExecuteReader();
        var copies = new List<string>();
        while (reader.Read())
            if (Publishers.IsCopyOf(_table, reader.GetString(0))) copies.Add(reader.GetString(0)[(_table.Length + 2)..]);
        return (IReadOnlyList<string>)copies;
    });

    public void Dispose() => _connection.Dispose();

    private string CopyTable(string copy) => SqlText.Identifier(_table + "__" + Publishers.ValidCopy(copy));

    private void Execute(string sql, NpgsqlTransaction? tx)
    {
        using var cmd = new NpgsqlCommand(sql, _connection, tx);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Turns "cannot reach" and "refused the login" into one clear line; the transaction rolls back, nothing is half done.</summary>
    private T Guard<T>(Func<T> action)
    {
        try { return action(); }
        catch (PostgresException e) when (e.SqlState is "28P01" or "28000" or "3D000")
        {
            throw new PublishTargetException($"{_where} refused the login: {e.MessageText}", e);
        }
        catch (NpgsqlException e) when (e.InnerException is SocketException or TimeoutException || e is NpgsqlException { IsTransient: true })
        {
            throw new PublishTargetException($"{_where} is not reachable: {(e.InnerException ?? e).Message}", e);
        }
    }

    private void Guard(Action action) => Guard(() => { action(); return 0; });

    private static string PostgresType(string duckType)
    {
        var type = duckType.ToUpperInvariant();
        if (type.StartsWith("DECIMAL", StringComparison.Ordinal)) return "numeric" + type["DECIMAL".Length..];
        return type switch
        {
            "VARCHAR" => "text",
            "BIGINT" => "bigint",
            "INTEGER" => "integer",
            "SMALLINT" => "smallint",
            "DOUBLE" => "double precision",
            "FLOAT" => "real",
            "BOOLEAN" => "boolean",
            "DATE" => "date",
            "TIMESTAMP" => "timestamp",
            "TIMESTAMP WITH TIME ZONE" => "timestamptz",
            _ => "text",
        };
    }

    private static NpgsqlDbType DbType(string duckType)
    {
        var type = duckType.ToUpperInvariant();
        if (type.StartsWith("DECIMAL", StringComparison.Ordinal)) return NpgsqlDbType.Numeric;
        return type switch
        {
            "BIGINT" => NpgsqlDbType.Bigint,
            "INTEGER" => NpgsqlDbType.Integer,
            "SMALLINT" => NpgsqlDbType.Smallint,
            "DOUBLE" => NpgsqlDbType.Double,
            "FLOAT" => NpgsqlDbType.Real,
            "BOOLEAN" => NpgsqlDbType.Boolean,
            "DATE" => NpgsqlDbType.Date,
            "TIMESTAMP" => NpgsqlDbType.Timestamp,
            "TIMESTAMP WITH TIME ZONE" => NpgsqlDbType.TimestampTz,
            _ => NpgsqlDbType.Text,
        };
    }
}
