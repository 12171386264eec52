using DuckDB.NET.Data;
using Takt.Definitions;
using Takt.Engine;

namespace Takt.Tests.Unit;

/// <summary>A pooled DuckDB database serves one task after another without one task's inputs showing through to the next.</summary>
public sealed class DuckDbSessionTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();
    private readonly DuckDbPool _pool = new();

    public void Dispose()
    {
        _pool.Dispose();
        _dir.Dispose();
    }

    private string File(string name, int x)
    {
        var path = _dir.Combine(name + ".parquet");
        using var lease = _pool.Rent();
        lease.Session.CopyToParquet($"SELECT {x}::BIGINT AS x", path);
        return path;
    }

    [Fact]
    public void A_task_sees_only_the_views_it_made_whatever_the_task_before_it_made()
    {
        var (a, b) = (File("a", 1), File("b", 2));
        using (var first = _pool.Rent())
        {
            first.Session.CreateDatasetView("raw.a", [a], Schema.Undeclared);
            Assert.Equal(1, first.Session.Scalar<long>("SELECT x FROM raw.a"));
        }

        // The same database, next task: another input view, then a query that names the earlier task's input.
        using (var second = _pool.Rent())
        {
            second.Session.CreateDatasetView("raw.b", [b], Schema.Undeclared);
            Assert.Equal(2, second.Session.Scalar<long>("SELECT x FROM raw.b"));
            var e = Assert.Throws<DuckDBException>(() => second.Session.Scalar<long>("SELECT x FROM raw.a"));
            Assert.Contains("raw.a", e.Message);
        }

        // A task that makes no view at all does not see the last task's either.
        using (var third = _pool.Rent())
            Assert.Throws<DuckDBException>(() => third.Session.Scalar<long>("SELECT x FROM raw.b"));

        // Making the same view again replaces it.
        using (var fourth = _pool.Rent())
        {
            fourth.Session.CreateDatasetView("raw.a", [b], Schema.Undeclared);
            Assert.Equal(2, fourth.Session.Scalar<long>("SELECT x FROM raw.a"));
        }
    }
}
