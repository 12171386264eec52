using Takt.Definitions;
using Takt.Engine;
using Takt.Ingest;

namespace Takt.Tests.Unit;

/// <summary>
/// Text values take a plain cast when their text is exactly how DuckDB writes the value (the common case, and cheap),
/// else the strict rules: for every text, the two give the same value, so that no text is read differently for being
/// written one way or another.
/// </summary>
public sealed class ValueConversionTests : IDisposable
{
    private readonly DuckDbPool _pool = new();

    public void Dispose() => _pool.Dispose();

    private static readonly string?[] Texts =
    [
        null, "", " ", "abc", "0", "-0", "+0", "7", "-7", "+7", " 7", "7 ", "07", "1.5", "2.0", "1e2", "0x10", "1_000", "٣",
        "2147483647", "2147483648", "-2147483648", "-2147483649", "3000000000",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999",
        "2024-03-01 08:00:00", "2024-03-01 08:00:00.25", "2024-03-01 08:00:00.250000", "2024-03-01T08:00:00", "2024-03-01T08:00:00Z",
        "2024-03-01 08:00:00+01:00", "2024-03-01 08:00:00 Europe/Copenhagen", "2024-03-01 08:00:00+01:00:00", "2024-03-31 02:30:00", "2024-03-01", "2024-02-30 00:00:00",
        "infinity", "-infinity", "epoch", "9999-12-31 23:59:59.999999", "10000-01-01 00:00:00", "0001-01-01 00:00:00 (BC)",
        "0000-01-01 00:00:00", "200000-01-01 00:00:00",
    ];

    [Theory]
    [InlineData("INTEGER")]
    [InlineData("BIGINT")]
    [InlineData("TIMESTAMP")]
    public void The_plain_cast_of_a_text_gives_what_the_strict_rules_give_for_every_text(string sqlName)
    {
        var type = new[] { ColumnType.Int32, ColumnType.Int64, ColumnType.Timestamp }.Single(t => t.SqlName == sqlName);
        using var lease = _pool.Rent();
        var values = string.Join(", ", Texts.Select(t => t is null ? "(NULL::VARCHAR)" : $"({SqlText.Literal(t)})"));

        var differing = lease.Session.Rows($"""
            SELECT t, CAST({ValueConversion.FromText(type, "t")} AS VARCHAR), CAST({ValueConversion.Strict(type, "t")} AS VARCHAR)
            FROM (VALUES {values}) v(t)
            WHERE {ValueConversion.FromText(type, "t")} IS DISTINCT FROM {ValueConversion.Strict(type, "t")}
            """).Select(r => $"'{r[0]}': {r[1] ?? "NULL"} vs strict {r[2] ?? "NULL"}").ToList();

        Assert.True(differing.Count == 0, string.Join("\n", differing));
    }

    [Fact]
    public void A_timestamp_without_offset_reads_as_UTC_even_after_a_value_with_a_named_time_zone()
    {
        // DuckDB's time zone cast keeps the zone a value named for the values after it in the same read.
        using var lease = _pool.Rent();
        var texts = new[] { "2024-07-01 08:00:00 Europe/Copenhagen", "2024-07-01T08:00:00", "2024-07-01 08:00:00", "2024-07-01 08:00:00.5", "2024-07-01" };

        var read = lease.Session.Rows($"""
            SELECT CAST({ValueConversion.FromText(ColumnType.Timestamp, "t")} AS VARCHAR)
            FROM (VALUES {string.Join(", ", texts.Select((t, i) => $"({i}, {SqlText.Literal(t)})"))}) v(i, t) ORDER BY i
            """).Select(r => (string?)r[0]).ToList();

        Assert.Equal(["2024-07-01 06:00:00", "2024-07-01 08:00:00", "2024-07-01 08:00:00", "2024-07-01 08:00:00.5", "2024-07-01 00:00:00"], read);
    }

    [Fact]
    public void Texts_the_strict_rules_refuse_stay_refused_and_plain_ones_read()
    {
        using var lease = _pool.Rent();
        object? Read(ColumnType type, string text) => lease.Session.Scalar<object>($"SELECT {ValueConversion.FromText(type, SqlText.Literal(text))}");

        Assert.Null(Read(ColumnType.Int64, "1.5"));
        Assert.Null(Read(ColumnType.Int64, "1e2"));
        Assert.Null(Read(ColumnType.Int32, "3000000000"));
        Assert.Null(Read(ColumnType.Timestamp, "infinity"));
        Assert.Equal(42L, Read(ColumnType.Int64, "42"));
        Assert.Equal(5L, Read(ColumnType.Int64, " +5 "));
        Assert.Equal(new DateTime(2024, 3, 1, 7, 0, 0), Read(ColumnType.Timestamp, "2024-03-01 08:00:00+01:00"));
        Assert.Equal(new DateTime(2024, 3, 1, 8, 0, 0), Read(ColumnType.Timestamp, "2024-03-01 08:00:00"));
    }

    [Theory]
    [InlineData("294247-01-10 04:00:54.775806+00", "294247-01-10 04:00:54.775806")]
    [InlineData("-294247-01-10 04:00:54+00", "-294247-01-10 04:00:54")]
    public void A_timestamp_with_offset_at_the_edge_of_the_range_reads_as_it_does_without_offset_not_as_an_error_of_the_whole_read(string text, string withoutOffset)
    {
        // DuckDB's cast from a time zone to a local timestamp raises "Unable to convert TIMESTAMPTZ to local TIMESTAMP"
        // there, even inside TRY_CAST: the whole file failed instead of its value being read or its line named.
        using var lease = _pool.Rent();
        var (withOffsetRead, plainRead) = (ValueConversion.FromText(ColumnType.Timestamp, SqlText.Literal(text)), ValueConversion.FromText(ColumnType.Timestamp, SqlText.Literal(withoutOffset)));

        Assert.True(lease.Session.Scalar<bool>($"SELECT {withOffsetRead} IS NOT DISTINCT FROM {plainRead}"));
    }
}
