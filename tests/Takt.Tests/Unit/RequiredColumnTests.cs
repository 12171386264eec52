using Takt.Composition;
using Takt.Building;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.Unit;

/// <summary>A column declared required is never null in a committed version, whatever made it.</summary>
public sealed class RequiredColumnTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void A_transform_that_leaves_a_required_timestamp_null_is_stopped_and_blocks_its_readers()
    {
        // "yesterday" is no timestamp: the transform's TRY_CAST makes it NULL in a column declared required.
        _dir.Write("sql/orders.sql", "SELECT order_id, CAST(TRY_CAST(ordered_at AS TIMESTAMPTZ) AS TIMESTAMP) AS ordered_at FROM raw.orders");
        _dir.Write("sql/count.sql", "SELECT count(*) AS orders FROM core.orders");
        var factory = new FactoryBuilder("required", _dir.Path)
            .Dataset("raw.orders", d => d.Owner("t")
                .Schema(s => s.Required("order_id", ColumnType.String).Column("ordered_at", ColumnType.String))
                .FromLanding("orders/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("core.orders", d => d.Owner("t").Input("raw.orders").Sql("sql/orders.sql")
                .Schema(s => s.Required("order_id", ColumnType.String).Required("ordered_at", ColumnType.Timestamp)))
            .Dataset("mart.count", d => d.Owner("t").Input("core.orders").Sql("sql/count.sql"))
            .Build();
        _dir.Write("landing/orders/2026-01-05.jsonl",
            """{"order_id": "o1", "ordered_at": "2026-01-05T10:00:00Z"}""" + "\n" + """{"order_id": "o2", "ordered_at": "yesterday"}""" + "\n");
        using var ws = WorkspaceBuilder.At(_dir.Path).Open(factory);

        var result = new BuildService(ws).Build([], options: new RunOptions { Parallelism = 1, Attempts = 1 });

        Assert.True(result.LineStopped);
        var core = Assert.Single(result.Tasks, t => t.Dataset == "core.orders");
        Assert.Equal(BuildStatus.Quarantined, core.Outcome.Status);
        var notNull = Assert.Single(core.Outcome.FailedChecks);
        Assert.Equal("not_null(ordered_at)", notNull.Name);
        Assert.Equal(1, notNull.FailingRows);
        Assert.Equal(BuildStatus.Blocked, Assert.Single(result.Tasks, t => t.Dataset == "mart.count").Outcome.Status);
        Assert.Equal(BuildStatus.Built, Assert.Single(result.Tasks, t => t.Dataset == "raw.orders").Outcome.Status);
    }
}
