using DuckDB.NET.Data;
using Npgsql;
using Takt.Engine;
using Takt.Definitions;
using Takt.Publishing;
using Takt.Tests.Support;

namespace Takt.Tests.Publishing;

/// <summary>The PostgreSQL publisher against a throwaway PostgreSQL 15 server on loopback.</summary>
public sealed class PostgresPublisherTests : IClassFixture<PostgresServer>, IDisposable
{
    private readonly PostgresServer _server;
    private readonly PublishScratch _scratch = new();
    private readonly string _variable = "TAKT_TEST_PG_" + Guid.NewGuid().ToString("N");

    public PostgresPublisherTests(PostgresServer server)
    {
        _server = server;
        Environment.SetEnvironmentVariable(_variable, server.ConnectionString);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        _scratch.Dispose();
    }

    private IPublisher Open(string table) => Publishers.Open(PublishTarget.Postgres(_variable, table), _scratch.Dir, _scratch.DuckDb, Environment.GetEnvironmentVariable);

    private List<object?[]> Query(string sql)
    {
        using var connection = _server.Open();
        using var cmd = new NpgsqlCommand(sql, connection);
        using var reader = cmd.ExecuteReader();
        return reader.ReadAll();
    }

    [PostgresFact]
    public void Readers_always_see_exactly_one_complete_copy_and_rollback_is_instant()
    {
        using var publisher = Open("scores");
        _scratch.PublishWhileReading(publisher, "scores", () => new NpgsqlConnection(_server.ConnectionString));
    }

    [PostgresFact]
    public void Columns_take_the_declared_types()
    {
        var file = _scratch.Parquet("types", """
            SELECT * FROM (VALUES
              ('x', 9007199254740993::BIGINT, 42::BIGINT, 0.1::DOUBLE, 12.30::DECIMAL(12,2), true, DATE '2024-02-29', TIMESTAMP '2024-02-29 13:45:01.123456'),
              (NULL, NULL, NULL, NULL, NULL, false, NULL, NULL)
            ) t(s, b, i, d, m, f, day, "at")
            """);
        var schema = new Schema([
            new Column("s", ColumnType.String), new Column("b", ColumnType.Int64), new Column("i", ColumnType.Int32), new Column("d", ColumnType.Double),
            new Column("m", ColumnType.Decimal(12, 2)), new Column("f", ColumnType.Boolean), new Column("day", ColumnType.Date),
            new Column("at", ColumnType.Timestamp), new Column("later", ColumnType.String),
        ]);
        using var publisher = Open("typed");
        Assert.Equal(2, publisher.WriteCopy("c1", [file], schema));
        publisher.SwitchTo("c1");

        var columns = Query("SELECT column_name, format_type(a.atttypid, a.atttypmod) FROM information_schema.columns c " +
            "JOIN pg_attribute a ON a.attrelid = 'typed__c1'::regclass AND a.attname = c.column_name WHERE c.table_name = 'typed__c1' ORDER BY ordinal_position");
        Assert.Equal(["s text", "b bigint", "i integer", "d double precision", "m numeric(12,2)", "f boolean", "day date", "at timestamp without time zone", "later text"],
            columns.Select(c => $"{c[0]} {c[1]}"));

        var rows = Query("SELECT s, b, i, d, m::text, f, day::text, at::text, later FROM typed ORDER BY f DESC");
        Assert.Equal<object?>(["x", 9007199254740993L, 42, 0.1, "12.30", true, "2024-02-29", "2024-02-29 13:45:01.123456", null], rows[0]);
        Assert.Equal<object?>([null, null, null, null, null, false, null, null, null], rows[1]);
    }

    [PostgresFact]
    public void A_copy_that_fails_half_way_leaves_nothing_and_readers_keep_the_live_copy()
    {
        using var publisher = Open("halfway");
        publisher.WriteCopy("c1", [_scratch.CopyFile(1)], Schema.Undeclared);
        publisher.SwitchTo("c1");
        var bad = _scratch.Parquet("bad", "SELECT CASE WHEN i = 5000 THEN 3000000000 ELSE i END::BIGINT AS id FROM range(1, 5001) t(i)");
        Assert.ThrowsAny<DuckDBException>(() => publisher.WriteCopy("c2", [bad], new Schema([new Column("id", ColumnType.Int32)])));

        Assert.Equal(["c1"], publisher.Copies());
        Assert.Empty(Query("SELECT 1 FROM pg_class WHERE relname = 'halfway__c2'"));
        Assert.Equal(PublishScratch.Expected(1).Count, (long)Query("SELECT count(*) FROM halfway")[0][0]!);
        // The publisher's connection is still usable after the failed transaction.
        publisher.WriteCopy("c2", [_scratch.CopyFile(2)], Schema.Undeclared);
        Assert.Equal(["c1", "c2"], publisher.Copies().Order());
    }

    [PostgresFact]
    public async Task A_reader_holding_the_view_or_a_copy_in_a_long_transaction_fails_a_switch_or_a_drop_after_a_bounded_wait_instead_of_hanging()
    {
        using var publisher = Open("held");
        publisher.WriteCopy("c1", [_scratch.CopyFile(1)], Schema.Undeclared);
        publisher.SwitchTo("c1");
        publisher.WriteCopy("c2", [_scratch.CopyFile(2)], Schema.Undeclared);
        using var reader = _server.Open();
        using (var read = new NpgsqlCommand("BEGIN; SELECT count(*) FROM held", reader)) read.ExecuteScalar(); // holds the view and c1 until it ends

        var blocked = await Bounded(() => publisher.SwitchTo("c2"));
        Assert.Contains("held is in use by another session's open transaction", blocked.Message);
        Assert.DoesNotContain('\n', blocked.Message);
        using (var end = new NpgsqlCommand("COMMIT", reader)) end.ExecuteNonQuery();
        publisher.SwitchTo("c2");

        using (var read = new NpgsqlCommand("BEGIN; SELECT count(*) FROM held__c1", reader)) read.ExecuteScalar();
        Assert.Contains("held is in use by another session's open transaction", (await Bounded(() => publisher.DropCopy("c1"))).Message);
        using (var end = new NpgsqlCommand("COMMIT", reader)) end.ExecuteNonQuery();
        publisher.DropCopy("c1");
        Assert.Equal(["c2"], publisher.Copies());
    }

    /// <summary>The target error an action ends with; a hang fails the test after a minute instead of blocking the run.</summary>
    private static async Task<PublishTargetException> Bounded(Action action)
    {
        var attempt = Task.Run(() => Assert.Throws<PublishTargetException>(action));
        Assert.True(await Task.WhenAny(attempt, Task.Delay(TimeSpan.FromMinutes(1))) == attempt, "the publisher waited for the reader without bound");
        return await attempt;
    }

    [PostgresFact]
    public void Switching_between_copies_with_different_columns_replaces_the_view()
    {
        using var publisher = Open("reshaped");
        publisher.WriteCopy("c1", [_scratch.Parquet("narrow", "SELECT 1::BIGINT AS id")], Schema.Undeclared);
        publisher.WriteCopy("c2", [_scratch.Parquet("wide", "SELECT 2::BIGINT AS id, 'x' AS label")], Schema.Undeclared);
        Assert.Null(publisher.LiveCopy());
        publisher.SwitchTo("c1");
        Assert.Equal("c1", publisher.LiveCopy());
        publisher.SwitchTo("c1"); // same columns: replaced in place
        publisher.SwitchTo("c2");
        Assert.Equal("c2", publisher.LiveCopy());
        Assert.Equal<object?>([2L, "x"], Query("SELECT * FROM reshaped")[0]);
        publisher.SwitchTo("c1");
        Assert.Equal<object?>([1L], Query("SELECT * FROM reshaped")[0]);
        Assert.Throws<PublishTargetException>(() => publisher.DropCopy("c1"));
        publisher.DropCopy("c2");
        Assert.Equal(["c1"], publisher.Copies());
        Assert.Contains("c9", Assert.Throws<PublishTargetException>(() => publisher.SwitchTo("c9")).Message);

        Query("DROP VIEW reshaped; CREATE VIEW reshaped AS SELECT 1 AS id"); // someone else's view
        Assert.Equal("a view of its own", publisher.LiveCopy());
    }

    [PostgresFact]
    public void A_server_that_is_down_is_one_clear_line()
    {
        var port = PostgresServer.FreePort();
        Environment.SetEnvironmentVariable(_variable, $"Host=127.0.0.1;Port={port};Username=postgres;Timeout=3");
        var down = Assert.Throws<PublishTargetException>(() => Open("scores"));
        Assert.StartsWith($"PostgreSQL at 127.0.0.1:{port} is not reachable: ", down.Message);
        Assert.DoesNotContain('\n', down.Message);
    }

    [PostgresFact]
    public void A_refused_login_is_one_clear_line()
    {
        Environment.SetEnvironmentVariable(_variable, _server.ConnectionString.Replace("Username=postgres", "Username=nobody"));
        var refused = Assert.Throws<PublishTargetException>(() => Open("scores"));
        Assert.StartsWith($"PostgreSQL at 127.0.0.1:{_server.Port} refused the login for user nobody: ", refused.Message);
        Assert.Contains("\"nobody\" does not exist", refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [PostgresFact]
    public void A_missing_connection_string_names_its_variable()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        var unset = Assert.Throws<PublishTargetException>(() => Open("scores"));
        Assert.Contains($"environment variable {_variable}", unset.Message);
        Environment.SetEnvironmentVariable(_variable, "Host=127.0.0.1;Nonsense=1;Password=secret");
        var invalid = Assert.Throws<PublishTargetException>(() => Open("scores"));
        Assert.Contains(_variable, invalid.Message);
        Assert.DoesNotContain("secret", invalid.Message);
    }

    [PostgresFact]
    public void A_bad_table_name_is_refused_before_connecting()
    {
        var error = Assert.Throws<ArgumentException>(() => Open("scores\"; DROP TABLE x; --"));
        Assert.Contains("scores\"; DROP TABLE x; --", error.Message);
    }
}
