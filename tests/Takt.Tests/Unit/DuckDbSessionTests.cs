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
            var e = Assert.Throws<EngineException>(() => second.Session.Scalar<long>("SELECT x FROM raw.a"));
            Assert.Contains("raw.a", e.Message);
        }

        // A task that makes no view at all does not see the last task's either.
        using (var third = _pool.Rent())
            Assert.Throws<EngineException>(() => third.Session.Scalar<long>("SELECT x FROM raw.b"));

        // Making the same view again replaces it.
        using (var fourth = _pool.Rent())
        {
            fourth.Session.CreateDatasetView("raw.a", [b], Schema.Undeclared);
            Assert.Equal(2, fourth.Session.Scalar<long>("SELECT x FROM raw.a"));
        }
    }

    [Fact]
    public void A_statement_DuckDB_refuses_fails_with_its_message_and_the_session_goes_on()
    {
        using var lease = _pool.Rent();
        var db = lease.Session;
        var output = _dir.Combine("out.parquet");
        Assert.Contains("missing.parquet", Assert.Throws<EngineException>(() => db.CreateView("v", [_dir.Combine("missing.parquet")], Schema.Undeclared)).Message);
        Assert.Contains("no_such_column", Assert.Throws<EngineException>(() => db.CopyToParquet("SELECT no_such_column FROM range(3)", output)).Message);
        Assert.Contains("syntax error", Assert.Throws<EngineException>(() => db.Execute("CREATE TABLE (")).Message);
        Assert.Contains("no_such_table", Assert.Throws<EngineException>(() => db.Scalar<long>("SELECT count(*) FROM no_such_table")).Message);

        Assert.Equal(3, db.CopyToParquet("SELECT * FROM range(3)", output));
        Assert.Equal(3, db.Scalar<long>($"SELECT count(*) FROM read_parquet('{output}')"));
    }
}
