using System.Globalization;
using Takt.Definitions;
using Takt.Engine;
using Takt.Ingest;
using Takt.Landing;

namespace Takt.Tests.Unit;

/// <summary>
/// A JSON lines file is read with plain conversions for the lines that hold exactly the declared keys and values
/// written as DuckDB writes them, and with the per-line analysis (bad values, undeclared and missing keys) only for the
/// others. These tests hold the two apart: every line that is not clean is found at its line, and every clean line,
/// however its keys are ordered or its values written, reads as the strict rules read it, by DuckDB's JSON reader and
/// line by line alike.
/// </summary>
public sealed class JsonCleanRowTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();
    private readonly DuckDbPool _pool = new();
    private readonly Dataset _dataset = new FactoryBuilder("jsonclean", Path.GetTempPath())
        .Dataset("raw.trips", d => d.Owner("t").Daily()
            .Schema(s => s.Required("id", ColumnType.Int64).Required("at", ColumnType.Timestamp).Column("n", ColumnType.Int32)
                .Column("fare", ColumnType.Decimal(10, 2)).Column("name", ColumnType.String))
            .FromLandingSplitBy("trips/*.jsonl", LandingFormat.JsonLines, "at"))
        .Build().Datasets.Single(d => d.Name == "raw.trips");

    public void Dispose()
    {
        _pool.Dispose();
        _dir.Dispose();
    }

    private static readonly string[] Mixed =
    [
        /* 1 clean */ """{"id":1,"at":"2024-03-01 08:00:00","n":7,"fare":12.34,"name":"a"}""",
        /* 2 clean, keys in another order, values not as DuckDB writes them */ """{"name": "b", "fare": 1.005, "n": "+8", "at": "2024-03-01T09:30:00+01:00", "id": 2}""",
        /* 3 */ """{"id":3,"at":"2024-03-01 10:00:00","n":1.5,"fare":1,"name":"c"}""",
        /* 4 */ """{"id":4,"at":"2024-03-01 11:00:00","n":9,"fare":2,"name":"d","extra":true}""",
        /* 5 */ """{"id":5,"at":"2024-03-01 12:00:00","fare":3,"name":"e"}""",
        /* 6 */ """{"id":99999999999999999999,"at":"2024-03-01 13:00:00","n":10,"fare":4,"name":"f"}""",
        /* 7 */ """{"id":7,"at":"2024-03-01 14:00:00","n":3000000000,"fare":5,"name":"g"}""",
        /* 8 clean, nulls */ """{"id":8,"at":"2024-03-01 15:00:00.25","n":null,"fare":null,"name":null}""",
        /* 9 */ """{"id":9,"at":"infinity","n":1,"fare":6,"name":"i"}""",
        /* 10: DuckDB writes the number 1e2 as 100.0 */ """{"id":10,"at":"2024-03-01 16:00:00","n":1e2,"fare":7,"name":"j","id":10}""",
        /* 11 clean */ """{"id":-11,"at":"2024-03-02 00:00:00","n":0,"fare":-0.5,"name":"k \"q\""}""",
    ];

    private string LandFile(string name, IEnumerable<string> lines)
    {
        _dir.Write("landing/trips/" + name, string.Join("\n", lines) + "\n");
        return "trips/" + name;
    }

    /// <summary>The extract of the file read the given way (null: as ingest reads it, each way in turn), in line order, as text.</summary>
    private (List<string> Rows, string? How) Read(string relative, JsonReading? way = null)
    {
        var zone = new LocalLandingZone(_dir.Combine("landing"));
        var stat = zone.Stat(relative)!;
        var file = new LandingFile(zone, relative, stat.Size, stat.ModifiedTicks, null);
        LandingFacts facts;
        using (var content = zone.Open(relative)) facts = LandingFacts.Of(content);
        using var lease = _pool.Rent();
        var db = lease.Session;
        db.Execute("DROP TABLE IF EXISTS extract");
        string? how = null;
        if (way is { } w)
        {
            var read = LandingRead.Prepare(db, _dataset, file, facts, withBox: true, w);
            db.Execute($"CREATE TABLE extract AS {read.Sql}");
            Assert.NotNull(read.Finish(db, db.Scalar<long>("SELECT count(*) FROM extract")));
        }
        else
        {
            (_, _, how) = LandingRead.Run(db, _dataset, file, facts, withBox: true, r =>
            {
                db.Execute($"CREATE TABLE extract AS {r.Sql}");
                return db.Scalar<long>("SELECT count(*) FROM extract");
            }, () => db.Execute("DROP TABLE IF EXISTS extract"));
        }
        var text = db.Rows($"""
            SELECT concat_ws(' | ', {LandingRead.Row}, coalesce(CAST(id AS VARCHAR), '-'), coalesce(strftime("at", '%Y-%m-%d %H:%M:%S.%f'), '-'),
                coalesce(CAST(n AS VARCHAR), '-'), coalesce(CAST(fare AS VARCHAR), '-'), coalesce(name, '-'), coalesce({LandingRead.Syntax}, '-'),
                coalesce(CAST({LandingRead.Bad} AS VARCHAR), '-'), coalesce({LandingRead.Values}, '-'), coalesce(CAST({LandingRead.Extra} AS VARCHAR), '-'),
                coalesce(CAST({LandingRead.Absent} AS VARCHAR), '-'), {LandingRead.Box})
            FROM extract WHERE {LandingRead.Syntax} IS DISTINCT FROM '{LandingRead.Blank}' ORDER BY {LandingRead.Row}
            """).Select(r => (string)r[0]!).ToList();
        return (text, how);
    }

    private static long Day(string day) => (DateTime.Parse(day, CultureInfo.InvariantCulture) - DateTime.MinValue).Days;

    private static readonly string[] Expected =
    [
        $"1 | 1 | 2024-03-01 08:00:00.000000 | 7 | 12.34 | a | - | - | - | - | - | {Day("2024-03-01")}",
        $"2 | 2 | 2024-03-01 08:30:00.000000 | 8 | 1.01 | b | - | - | - | - | - | {Day("2024-03-01")}",
        $"3 | 3 | 2024-03-01 10:00:00.000000 | - | 1.00 | c | - | [n] | n='1.5' | - | - | {Day("2024-03-01")}",
        $"4 | 4 | 2024-03-01 11:00:00.000000 | 9 | 2.00 | d | - | - | - | [extra] | - | {Day("2024-03-01")}",
        $"5 | 5 | 2024-03-01 12:00:00.000000 | - | 3.00 | e | - | - | - | - | [n] | {Day("2024-03-01")}",
        $"6 | - | 2024-03-01 13:00:00.000000 | 10 | 4.00 | f | - | [id] | id='99999999999999999999' | - | - | {Day("2024-03-01")}",
        $"7 | 7 | 2024-03-01 14:00:00.000000 | - | 5.00 | g | - | [n] | n='3000000000' | - | - | {Day("2024-03-01")}",
        $"8 | 8 | 2024-03-01 15:00:00.250000 | - | - | - | - | - | - | - | - | {Day("2024-03-01")}",
        "9 | 9 | - | 1 | 6.00 | i | - | [at] | at='infinity' | - | - | -1",
        "10 | 10 | 2024-03-01 16:00:00.000000 | - | 7.00 | j | duplicate key \"id\" | [n] | n='100.0' | - | - | -1",
        $"11 | -11 | 2024-03-02 00:00:00.000000 | 0 | -0.50 | k \"q\" | - | - | - | - | - | {Day("2024-03-02")}",
    ];

    [Fact]
    public void Each_line_that_is_not_clean_is_found_at_its_line_and_clean_lines_read_as_the_strict_rules_read_them()
    {
        var relative = LandFile("mixed.jsonl", Mixed);

        var (rows, how) = Read(relative);

        Assert.Equal("read by DuckDB's JSON reader", how);
        Assert.Equal(string.Join("\n", Expected), string.Join("\n", rows));
    }

    [Fact]
    public void DuckDBs_JSON_reader_and_the_line_by_line_read_give_the_same_rows_for_clean_and_unclean_lines()
    {
        var relative = LandFile("mixed.jsonl", Mixed);

        var typed = string.Join("\n", Read(relative, JsonReading.Typed).Rows);
        Assert.Equal(typed, string.Join("\n", Read(relative, JsonReading.Lines).Rows));
        Assert.Equal(typed, string.Join("\n", Read(relative, JsonReading.ExactLines).Rows));
    }

    [Fact]
    public void A_line_with_a_named_time_zone_does_not_shift_the_timestamps_of_the_lines_after_it()
    {
        var relative = LandFile("zones.jsonl",
        [
            """{"id":1,"at":"2024-07-01 08:00:00 Europe/Copenhagen","n":1,"fare":1,"name":"a"}""",
            """{"id":2,"at":"2024-07-01T08:00:00","n":1,"fare":1,"name":"b"}""",
            """{"id":3,"at":"2024-07-01 08:00:00","n":1,"fare":1,"name":"c"}""",
        ]);

        var at = Read(relative).Rows.Select(r => r.Split(" | ")[2]).ToList();

        Assert.Equal(["2024-07-01 06:00:00.000000", "2024-07-01 08:00:00.000000", "2024-07-01 08:00:00.000000"], at);
    }

    [Fact]
    public void A_malformed_line_is_found_at_its_line_and_the_lines_around_it_read_as_before()
    {
        var lines = Mixed.Take(2).Append("""{"id": 12, "at": """).Concat(Mixed.Skip(2)).ToList();
        var relative = LandFile("malformed.jsonl", lines);

        var (rows, how) = Read(relative);

        Assert.StartsWith("read line by line (DuckDB's JSON reader rejected it", how);
        Assert.Equal($"3 | - | - | - | - | - | invalid JSON | - | - | - | - | -1", rows[2]);
        // Every other line is the line it was before the malformed one was put in, one further down.
        var shifted = Expected.Select(e => e.Split(" | ", 2))
            .Select(p => (Line: long.Parse(p[0], CultureInfo.InvariantCulture), Tail: p[1])).Select(p => $"{(p.Line >= 3 ? p.Line + 1 : p.Line)} | {p.Tail}");
        Assert.Equal(string.Join("\n", shifted), string.Join("\n", rows.Where((_, i) => i != 2)));
    }
}
