using Takt.Definitions;
using Takt.Engine;
using Takt.Ledger;
using Takt.Profiling;

namespace Takt.Tests.Profiling;

/// <summary>Column statistics computed over a Parquet file with known contents (their round trip through the ledger: <c>Contracts/ProfileLedgerContract</c>).</summary>
public sealed class ProfilerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "takt-profile-" + Guid.NewGuid().ToString("N"));
    private readonly DuckDbPool _pool = new();

    public ProfilerTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        _pool.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private VersionProfile ProfileOf(string query)
    {
        using var lease = _pool.Rent();
        var file = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".parquet");
        lease.Session.CopyToParquet(query, file);
        return Profiler.Profile(lease.Session, [file], Schema.Undeclared, "v1", "core.t", 10, "0001-01-11", 1234);
    }

    private const string Known = """
        SELECT * FROM (VALUES
            (1, 'a', 2.5, TIMESTAMP '2026-01-05 10:00:00', [1, 2], DECIMAL '1.25'),
            (2, NULL, NULL, TIMESTAMP '2026-01-05 23:30:00.5', NULL, DECIMAL '2.00'),
            (3, 'a', 4.5, NULL, [3], DECIMAL '-0.75')
        ) t(id, s, x, "at", l, d)
        """;

    [Fact]
    public void Every_statistic_of_every_column_is_computed()
    {
        var profile = ProfileOf(Known);
        Assert.Equal(3, profile.Rows);
        Assert.Equal(["id", "s", "x", "at", "l", "d"], profile.Columns.Select(c => c.Column));

        var id = profile.Columns[0];
        Assert.Equal(ValueKind.Numeric, ValueKinds.Of(id.Type));
        Assert.Equal((0L, 3L, "1", "3", 1.0, 3.0, 2.0), (id.Nulls, id.Distinct!.Value, id.Min, id.Max, id.MinNumber!.Value, id.MaxNumber!.Value, id.Mean!.Value));
        Assert.Equal([new TopValue("1", 1), new TopValue("2", 1), new TopValue("3", 1)], id.TopValues);

        var s = profile.Columns[1];
        Assert.Equal(ValueKind.Text, ValueKinds.Of(s.Type));
        Assert.Equal((1L, 1L, "a", "a"), (s.Nulls, s.Distinct!.Value, s.Min, s.Max));
        Assert.Null(s.Mean);
        Assert.Equal(1 / 3.0, s.NullRate, 9);
        Assert.Equal([new TopValue("a", 2)], s.TopValues);

        var x = profile.Columns[2];
        Assert.Equal((1L, 2L, 3.5), (x.Nulls, x.Distinct!.Value, x.Mean!.Value));

        var at = profile.Columns[3];
        Assert.Equal(ValueKind.Temporal, ValueKinds.Of(at.Type));
        Assert.Equal(("2026-01-05T10:00:00Z", "2026-01-05T23:30:00.5Z"), (at.Min, at.Max));
        Assert.Null(at.MinNumber);

        var l = profile.Columns[4];
        Assert.Equal(ValueKind.Nested, ValueKinds.Of(l.Type));
        Assert.Equal(1, l.Nulls);
        Assert.Null(l.Distinct);
        Assert.Empty(l.TopValues);

        var d = profile.Columns[5];
        Assert.Equal(ValueKind.Numeric, ValueKinds.Of(d.Type));
        Assert.Equal((-0.75, 2.0), (d.MinNumber!.Value, d.MaxNumber!.Value));
        Assert.Equal(2.5 / 3, d.Mean!.Value, 9);
    }

    [Fact]
    public void Top_values_are_the_most_frequent_first_ties_by_value_and_at_most_ten()
    {
        var profile = ProfileOf("SELECT CAST(range % 12 AS VARCHAR) AS v FROM range(100) UNION ALL SELECT 'z' FROM range(20)");
        var top = profile.Columns[0].TopValues;
        Assert.Equal(Profiler.TopValueCount, top.Count);
        Assert.Equal(new TopValue("z", 20), top[0]);
        // 0..3 occur 9 times, 4..11 eight times; ties sort by value as text.
        Assert.Equal(["z", "0", "1", "2", "3", "10", "11", "4", "5", "6"], top.Select(t => t.Value));
        Assert.Equal(13, profile.Columns[0].Distinct);
    }

    [Fact]
    public void An_empty_version_has_a_profile_of_zero_rows()
    {
        var profile = ProfileOf("SELECT 1 AS a, 'x' AS b WHERE false");
        Assert.Equal(0, profile.Rows);
        Assert.All(profile.Columns, c =>
        {
            Assert.Equal((0L, 0L, 0), (c.Nulls, c.Distinct ?? 0, c.TopValues.Count));
            Assert.Null(c.Min);
        });
    }
}
