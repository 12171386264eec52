using Takt.Composition;
using Takt.Building;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Engine;
using Takt.Ledger;
using Takt.Running;
using Takt.Tests.Unit;

namespace Takt.Tests.Running;

/// <summary>
/// A transform knows its box (contract 10): SQL reads it as DuckDB variables, C# from its context. Pooled DuckDB
/// sessions serve task after task, so each task must see its own box and a task that sets none must see none.
/// </summary>
public sealed class BoxVariablesTests : IDisposable
{
    private static readonly RunOptions Options = new() { Parallelism = 2, Attempts = 1 };
    private const string BoxColumns = "getvariable('box_key') AS box_key, getvariable('box_start') AS box_start, getvariable('box_end') AS box_end, getvariable('box_grain') AS box_grain";
    private static readonly DateOnly First = new(2026, 1, 25);
    private readonly UnitTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Each_box_of_a_window_transform_labels_its_rows_with_its_own_box()
    {
        _dir.Write("week.sql", $"SELECT {BoxColumns}, count(*) AS days, max(day) AS last_day FROM raw.events");
        _dir.Write("month.sql", $"SELECT {BoxColumns}, count(*) AS days FROM raw.events");
        _dir.Write("everything.sql", $"SELECT {BoxColumns}, count(*) AS days FROM raw.events");
        var factory = new FactoryBuilder("boxes", _dir.Path)
            .Dataset("raw.events", d => d.Owner("t")
                .Schema(s => s.Required("day", ColumnType.String))
                .FromLanding("events/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("mart.week", d => d.Owner("t").Input("raw.events", PartitionMapping.Window(7)).Sql("week.sql"))
            .Dataset("mart.month", d => d.Owner("t").Monthly().Input("raw.events").Sql("month.sql"))
            .Dataset("mart.everything", d => d.Owner("t").Unpartitioned().Input("raw.events").Sql("everything.sql"))
            .Dataset("mart.span", d => d.Owner("t").Input("raw.events").Rows("1", Span)
                .Schema(s => s.Required("box_key", ColumnType.String).Required("box_start", ColumnType.Timestamp).Required("box_end", ColumnType.Timestamp)))
            .Build();
        using var ws = WorkspaceBuilder.At(_dir.Combine("home")).Open(factory);
        for (var day = First; day <= new DateOnly(2026, 2, 3); day = day.AddDays(1))
            _dir.Write($"home/landing/events/{day:yyyy-MM-dd}.jsonl", $"{{\"day\": \"{day:yyyy-MM-dd}\"}}\n");

        var build = new BuildService(ws).Build([], options: Options, publish: false);
        Assert.DoesNotContain(build.Tasks, t => t.Outcome.Status != BuildStatus.Built);

        for (var day = First; day <= new DateOnly(2026, 2, 3); day = day.AddDays(1))
        {
            var key = day.ToString("yyyy-MM-dd");
            var row = Row(ws, "mart.week", key, "box_key, box_start, box_end, box_grain, days, last_day");
            Assert.Equal([key, day.ToDateTime(TimeOnly.MinValue), day.AddDays(1).ToDateTime(TimeOnly.MinValue), "daily", (long)Math.Min(7, day.DayNumber - First.DayNumber + 1), key], row);
            Assert.Equal([key, day.ToDateTime(TimeOnly.MinValue), day.AddDays(1).ToDateTime(TimeOnly.MinValue)], Row(ws, "mart.span", key, "box_key, box_start, box_end"));
        }
        Assert.Equal(["2026-01", new DateTime(2026, 1, 1), new DateTime(2026, 2, 1), "monthly", 7L], Row(ws, "mart.month", "2026-01", "box_key, box_start, box_end, box_grain, days"));
        Assert.Equal(["all", "-infinity", "infinity", "unpartitioned", 10L],
            Row(ws, "mart.everything", "all", "box_key, CAST(box_start AS VARCHAR), CAST(box_end AS VARCHAR), box_grain, days"));
    }

    private static IEnumerable<object?[]> Span(RowTransformContext context) => [[context.Box, context.BoxStartUtc, context.BoxEndUtc]];

    [Fact]
    public void A_session_reused_by_tasks_of_different_boxes_sees_each_tasks_box_and_a_task_that_sets_none_sees_none()
    {
        using var pool = new DuckDbPool();
        const string Query = "SELECT getvariable('box_key') AS k, getvariable('box_start') AS s, getvariable('box_end') AS e";
        var jan5 = new DateOnly(2026, 1, 5).DayNumber;
        DuckDbSession? first;
        using (var task = pool.Rent())
        {
            first = task.Session;
            task.Session.SetBox(Grain.Daily, jan5);
            Assert.Equal(["2026-01-05", new DateTime(2026, 1, 5), new DateTime(2026, 1, 6)], Copied(task.Session, Query, "a"));
        }
        using (var task = pool.Rent())
        {
            Assert.Same(first, task.Session); // the same database, next task
            task.Session.SetBox(Grain.Hourly, (long)jan5 * 24 + 23);
            Assert.Equal(["2026-01-05T23", new DateTime(2026, 1, 5, 23, 0, 0), new DateTime(2026, 1, 6)], Copied(task.Session, Query, "b"));
            task.Session.CopyToParquet("SELECT 1 AS x", _dir.Combine("input.parquet"));
            task.Session.CreateDatasetView("raw.input", [_dir.Combine("input.parquet")], Schema.Undeclared);
        }
        using (var task = pool.Rent())
        {
            Assert.Same(first, task.Session);
            task.Session.SetBox(Grain.Daily, jan5 + 1);
            // The task's first statement does not parse: the last task's view and box go all the same.
            Assert.Throws<EngineException>(() => task.Session.CopyToParquet("SELEC getvariable('box_key')", _dir.Combine("bad.parquet")));
            Assert.Contains("raw.input", Assert.Throws<EngineException>(() => task.Session.Scalar<long>("SELECT x FROM raw.input")).Message);
            Assert.Equal(["2026-01-06", new DateTime(2026, 1, 6), new DateTime(2026, 1, 7)], Copied(task.Session, Query, "c"));
        }
        using (var task = pool.Rent())
        {
            Assert.Same(first, task.Session);
            Assert.Equal([null, null, null], Copied(task.Session, Query, "d"));
        }
    }

    [Fact]
    public void A_task_whose_first_statements_read_no_variable_still_sees_its_box_in_a_later_statement_and_the_next_task_none()
    {
        using var pool = new DuckDbPool();
        const string Query = "SELECT GETVARIABLE('box_key') AS k, getvariable('box_grain') AS g";
        var jan5 = new DateOnly(2026, 1, 5).DayNumber;
        using (var task = pool.Rent())
        {
            task.Session.SetBox(Grain.Daily, jan5);
            task.Session.CopyToParquet("SELECT 1 AS x", _dir.Combine("plain.parquet")); // reads no variable: the box waits
            task.Session.CreateDatasetView("raw.plain", [_dir.Combine("plain.parquet")], Schema.Undeclared);
            Assert.Equal(["2026-01-05", "daily"], Copied(task.Session, Query, "a"));
            Assert.Equal(["2026-01-05", "daily"], Assert.Single(task.Session.Rows(Query))); // a streamed command too
        }
        using (var task = pool.Rent())
        {
            task.Session.CopyToParquet("SELECT 2 AS x", _dir.Combine("plain2.parquet"));
            Assert.Equal([null, null], Assert.Single(task.Session.Rows(Query)));
        }
    }

    [Fact]
    public void A_query_that_reads_a_variable_Takt_does_not_set_is_no_factory()
    {
        _dir.Write("typo.sql", "SELECT * FROM raw.events WHERE day = getvariable('box_day')");
        var e = Assert.Throws<FactoryValidationException>(() => new FactoryBuilder("typo", _dir.Path)
            .Dataset("raw.events", d => d.Owner("t").Schema(s => s.Required("day", ColumnType.String)).FromLanding("events/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("mart.typo", d => d.Owner("t").Input("raw.events").Sql("typo.sql"))
            .Build());
        Assert.Contains("mart.typo: typo.sql reads getvariable('box_day'), which Takt does not set (it sets box_start, box_end, box_key, box_grain).", e.Message);
    }

    private object?[] Copied(DuckDbSession db, string query, string name)
    {
        var path = _dir.Combine(name + ".parquet");
        db.CopyToParquet(query, path);
        return Assert.Single(db.Rows($"SELECT * FROM read_parquet('{path}')"));
    }

    private static object?[] Row(Workspace ws, string dataset, string boxKey, string columns)
    {
        var box = GrainMath.Parse(ws.Factory[dataset].Grain, boxKey);
        var version = ws.Ledger.Boxes(ws.Env, dataset, BoxRange.Single(box)).Single().CurrentVersion!;
        var file = Assert.Single(ws.Files.Paths(new Lake.VersionLocation(dataset, boxKey, version)));
        using var lease = ws.DuckDb.Rent();
        return Assert.Single(lease.Session.Rows($"SELECT {columns} FROM read_parquet('{file}')"));
    }
}
