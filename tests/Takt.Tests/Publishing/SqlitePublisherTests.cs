using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using Takt.Definitions;
using Takt.Publishing;

namespace Takt.Tests.Publishing;

/// <summary>The SQLite publisher against a real database file: atomic hand-over, instant rollback, declared types.</summary>
public sealed class SqlitePublisherTests : IDisposable
{
    private readonly PublishScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private string Database => Path.Combine(_scratch.Dir, "published", "p.db");

    private IPublisher Open(string table = "scores") => Publishers.Open(PublishTarget.Sqlite("published/p.db", table), _scratch.Dir, _scratch.DuckDb, Environment.GetEnvironmentVariable);

    private SqliteConnection Reader() =>
        new(new SqliteConnectionStringBuilder { DataSource = Database, Pooling = false, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 30 }.ToString());

    [Fact]
    public void Readers_always_see_exactly_one_complete_copy_and_rollback_is_instant()
    {
        using var publisher = Open();
        Assert.True(File.Exists(Database), "the database (and its directory, relative to home) is created");
        _scratch.PublishWhileReading(publisher, "scores", Reader);
        using var connection = Reader();
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar());
    }

    [Fact]
    public void Columns_take_the_declared_types()
    {
        var file = _scratch.Parquet("types", """
            SELECT * FROM (VALUES
              ('x', 9007199254740993::BIGINT, 42::BIGINT, 0.1::DOUBLE, 12.30::DECIMAL(12,2), true, DATE '2024-02-29', TIMESTAMP '2024-02-29 13:45:01.123456'),
              (NULL, NULL, NULL, NULL, NULL, false, NULL, TIMESTAMP '2024-03-01 00:00:00')
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

        using var connection = Reader();
        connection.Open();
        using var info = connection.CreateCommand();
        info.CommandText = "SELECT name, type FROM pragma_table_info('typed__c1') ORDER BY cid";
        var columns = new List<string>();
        using (var r = info.ExecuteReader()) while (r.Read()) columns.Add($"{r.GetString(0)} {r.GetString(1)}");
        Assert.Equal(["s TEXT", "b INTEGER", "i INTEGER", "d REAL", "m TEXT", "f INTEGER", "day TEXT", "at TEXT", "later TEXT"], columns);

        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT s, b, i, d, m, f, day, at, later, typeof(m), sum(m) OVER () FROM typed ORDER BY f DESC";
        using var rows = cmd.ExecuteReader();
        Assert.True(rows.Read());
        Assert.Equal("x", rows.GetString(0));
        Assert.Equal(9007199254740993L, rows.GetInt64(1)); // not through a double
        Assert.Equal(42L, rows.GetInt64(2));
        Assert.Equal(0.1, rows.GetDouble(3));
        Assert.Equal("12.30", rows.GetString(4)); // exact, with its scale
        Assert.Equal(1L, rows.GetInt64(5));
        Assert.Equal("2024-02-29", rows.GetString(6));
        Assert.Equal("2024-02-29 13:45:01.123456", rows.GetString(7));
        Assert.True(rows.IsDBNull(8)); // declared, in no file
        Assert.Equal("text", rows.GetString(9));
        Assert.Equal(12.3, rows.GetDouble(10)); // arithmetic still works on decimal text
        Assert.True(rows.Read());
        Assert.True(rows.IsDBNull(0) && rows.IsDBNull(1) && rows.IsDBNull(4) && rows.IsDBNull(6));
        Assert.Equal(0L, rows.GetInt64(5));
        Assert.Equal("2024-03-01 00:00:00.000000", rows.GetString(7));
    }

    [Fact]
    public void A_copy_that_fails_half_way_leaves_nothing_and_readers_keep_the_live_copy()
    {
        using var publisher = Open();
        publisher.WriteCopy("c1", [_scratch.CopyFile(1)], Schema.Undeclared);
        publisher.SwitchTo("c1");
        // 5000 rows; the last id does not fit the declared INTEGER, so the load fails after thousands of inserts.
        var bad = _scratch.Parquet("bad", "SELECT CASE WHEN i = 5000 THEN 3000000000 ELSE i END::BIGINT AS id FROM range(1, 5001) t(i)");
        Assert.ThrowsAny<DuckDBException>(() => publisher.WriteCopy("c2", [bad], new Schema([new Column("id", ColumnType.Int32)])));

        Assert.Equal(["c1"], publisher.Copies());
        using var connection = Reader();
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM scores";
        Assert.Equal(PublishScratch.Expected(1).Count, (long)cmd.ExecuteScalar()!);
    }

    [Fact]
    public void The_live_copy_cannot_be_dropped_and_a_missing_copy_cannot_be_switched_to()
    {
        using var publisher = Open();
        publisher.WriteCopy("c1", [_scratch.CopyFile(1)], Schema.Undeclared);
        Assert.Null(publisher.LiveCopy());
        publisher.SwitchTo("c1");
        Assert.Equal("c1", publisher.LiveCopy());
        Assert.Throws<PublishTargetException>(() => publisher.DropCopy("c1"));
        var missing = Assert.Throws<PublishTargetException>(() => publisher.SwitchTo("c7"));
        Assert.Contains("c7", missing.Message);
        Assert.Throws<ArgumentException>(() => publisher.SwitchTo("c1; DROP TABLE x"));
        Assert.Equal(["c1"], publisher.Copies());
    }

    [Theory]
    [InlineData("scores; DROP TABLE x")]
    [InlineData("Scores")]
    [InlineData("1scores")]
    [InlineData("")]
    [InlineData("a_name_that_is_far_too_long_for_a_published_table_x")]
    public void A_bad_table_name_is_refused(string table)
    {
        var error = Assert.Throws<ArgumentException>(() => Open(table));
        Assert.Contains($"'{table}'", error.Message);
    }
}
