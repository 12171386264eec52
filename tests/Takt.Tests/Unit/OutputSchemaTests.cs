using System.Text.Json;
using Takt.Composition;
using Takt.Building;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Lake;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.Unit;

/// <summary>Output schemas are described once per code and input schemas, and every version still records the schema of its own file.</summary>
public sealed class OutputSchemaTests : IDisposable
{
    private static readonly DateOnly First = new(2026, 3, 1);
    private readonly UnitTempDirectory _dir = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private Factory CreateFactory()
    {
        _dir.Write("sql/doubled.sql", "SELECT k, v * 2 AS w FROM raw.a");
        _dir.Write("sql/pivoted.sql", "PIVOT raw.a ON k USING sum(v)");
        _dir.Write("sql/weekly.sql", "SELECT count(*) AS n FROM raw.a");
        _dir.Write("sql/pivot_window.sql", "SELECT * FROM mart.pivoted");
        return new FactoryBuilder("schemas", _dir.Path)
            .Dataset("raw.a", d => d.Owner("t").Schema(s => s.Required("k", ColumnType.String).Column("v", ColumnType.Int64)).FromLanding("a/{box}.csv", LandingFormat.Csv))
            .Dataset("mart.doubled", d => d.Owner("t").Input("raw.a").Sql("sql/doubled.sql"))
            .Dataset("mart.pivoted", d => d.Owner("t").Input("raw.a").Sql("sql/pivoted.sql"))
            .Dataset("mart.weekly", d => d.Owner("t").Input("raw.a", PartitionMapping.Window(7)).Sql("sql/weekly.sql"))
            .Dataset("mart.pivot_window", d => d.Owner("t").Input("mart.pivoted", PartitionMapping.Window(3)).Sql("sql/pivot_window.sql"))
            .Build();
    }

    /// <summary>Each day brings one more key, so the PIVOT makes one more column per day while the other transforms keep theirs.</summary>
    private static readonly string[] Keys = ["x", "y", "z"];

    private Workspace BuildAll(Factory factory)
    {
        for (var day = 0; day < Keys.Length; day++)
            _dir.Write($"landing/a/{Key(First.AddDays(day))}.csv", "k,v\n" + string.Concat(Keys.Take(day + 1).Select((k, i) => $"{k},{i + 1}\n")));
        var ws = WorkspaceBuilder.At(_dir.Path).Open(factory);
        var result = new BuildService(ws).Build([], options: new RunOptions { Parallelism = 1 });
        Assert.Equal(15, result.Summary.Built);
        return ws;
    }

    [Fact]
    public void Every_version_records_the_schema_of_its_file_even_when_the_data_decides_the_columns()
    {
        var factory = CreateFactory();
        using var ws = BuildAll(factory);

        using var lease = ws.DuckDb.Rent();
        foreach (var dataset in factory.Datasets)
        {
            var versions = ws.Ledger.Versions(dataset.Name, new BoxRange(First.DayNumber, First.DayNumber + Keys.Length - 1));
            Assert.Equal(Keys.Length, versions.Count);
            foreach (var version in versions)
            {
                var file = Assert.Single(ws.Files.Paths(new VersionLocation(dataset.Name, version.BoxKey, version.Id)));
                var described = lease.Session.Describe($"SELECT * FROM read_parquet('{file}')").Select(c => $"{c.Name}:{c.Type}");
                var recorded = JsonDocument.Parse(version.SchemaJson).RootElement.EnumerateArray().Select(c => $"{c.GetProperty("name").GetString()}:{c.GetProperty("type").GetString()}");
                Assert.Equal(described, recorded);
            }
        }
        var pivoted = ws.Ledger.Versions("mart.pivoted", new BoxRange(First.DayNumber + 2, First.DayNumber + 2)).Single();
        Assert.Contains("\"z\"", pivoted.SchemaJson);
    }

    [Fact]
    public void A_window_over_versions_of_different_schemas_matches_their_columns_by_name()
    {
        using var ws = BuildAll(CreateFactory());
        var third = First.DayNumber + 2; // its window reads the pivots of days 1-3: columns [x], [x, y], [x, y, z]
        var version = ws.Ledger.Versions("mart.pivot_window", BoxRange.Single(third)).Single();
        using var lease = ws.DuckDb.Rent();
        var file = Assert.Single(ws.Files.Paths(new VersionLocation("mart.pivot_window", version.BoxKey, version.Id)));
        var row = Assert.Single(lease.Session.Rows($"SELECT count(x), count(z) FROM read_parquet('{file}')"));
        Assert.Equal([3L, 1L], row.Select(Convert.ToInt64));
    }

    [Fact]
    public void The_key_changes_with_the_code_and_the_input_schemas_in_reading_order_and_is_absent_for_a_pivot()
    {
        var factory = CreateFactory();
        var weekly = factory["mart.weekly"];
        const string narrow = """[{"name":"k","type":"VARCHAR"}]""", wide = """[{"name":"k","type":"VARCHAR"},{"name":"v","type":"BIGINT"}]""";
        var shapes = new Dictionary<string, VersionShape> { ["n1"] = new(1, 10, narrow), ["n2"] = new(1, 10, narrow), ["w1"] = new(1, 10, wide) };
        LineageEdge[] Read(params string[] versions) => versions.Select((v, i) => new LineageEdge("raw.a", 100 + i, v)).ToArray();

        var key = OutputSchemas.KeyOf(weekly, "code-1", Read("n1", "n2", "w1"), shapes);
        Assert.NotNull(key);
        Assert.Equal(key, OutputSchemas.KeyOf(weekly, "code-1", Read("n2", "n1", "w1"), shapes)); // other versions, same schemas in the same order
        Assert.NotEqual(key, OutputSchemas.KeyOf(weekly, "code-2", Read("n1", "n2", "w1"), shapes));
        Assert.NotEqual(key, OutputSchemas.KeyOf(weekly, "code-1", Read("w1", "n1", "n2"), shapes)); // a window matched by name keeps file order
        Assert.NotEqual(key, OutputSchemas.KeyOf(weekly, "code-1", Read("n1", "n2"), shapes));
        Assert.Null(OutputSchemas.KeyOf(weekly, "code-1", Read("n1", "unknown"), shapes));
        Assert.Null(OutputSchemas.KeyOf(factory["mart.pivoted"], "code-1", Read("n1"), shapes));

        var described = 0;
        var cache = new OutputSchemas();
        Assert.Equal("a", cache.Of(key, () => { described++; return "a"; }));
        Assert.Equal("a", cache.Of(key, () => { described++; return "b"; }));
        Assert.Equal("c", cache.Of(null, () => { described++; return "c"; }));
        Assert.Equal(2, described);
    }

    [Fact]
    public void Small_work_runs_on_one_duckdb_thread_and_other_work_on_all_of_them()
    {
        using var pool = new Takt.Engine.DuckDbPool();
        int all;
        using (var lease = pool.Rent()) all = lease.Session.Scalar<int>("SELECT current_setting('threads')");
        using (var lease = pool.Rent(smallWork: true)) Assert.Equal(1, lease.Session.Scalar<int>("SELECT current_setting('threads')"));
        using (var lease = pool.Rent()) Assert.Equal(all, lease.Session.Scalar<int>("SELECT current_setting('threads')"));
        Assert.True(all >= 1);
    }

    private static string Key(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
