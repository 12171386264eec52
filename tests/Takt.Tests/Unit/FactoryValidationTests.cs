using Takt.Checks;
using Takt.Definitions;

namespace Takt.Tests.Unit;

public sealed class FactoryValidationTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();

    public FactoryValidationTests() => _dir.Write("ok.sql", "SELECT * FROM raw.good");

    public void Dispose() => _dir.Dispose();

    private FactoryBuilder Builder() => new FactoryBuilder("broken", _dir.Path)
        .Dataset("raw.good", d => d
            .Owner("platform")
            .Schema(s => s.Required("id", ColumnType.String))
            .FromLanding("good/{box}.jsonl", LandingFormat.JsonLines));

    private static IReadOnlyList<string> ProblemsOf(FactoryBuilder builder) =>
        Assert.Throws<FactoryValidationException>(() => builder.Build()).Problems;

    [Fact]
    public void Build_lists_every_problem_at_once()
    {
        var builder = Builder()
            .Dataset("Raw.Bad-Name", d => d.Owner("o").Schema(s => s.Column("id", ColumnType.String)).FromLanding("bad/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("core.orphan", d => d.Owner("o").Input("raw.nowhere").Sql("ok.sql"))
            .Dataset("core.x", d => d.Owner("o").Input("core.y").Sql("ok.sql"))
            .Dataset("core.y", d => d.Owner("o").Input("core.x").Sql("ok.sql"))
            .Dataset("core.nosql", d => d.Owner("o").Input("raw.good").Sql("sql/missing.sql"))
            .Dataset("core.checked", d => d.Owner("o").Input("raw.good").Sql("ok.sql")
                .Schema(s => s.Required("id", ColumnType.String))
                .Check(Check.NotNull("amount")))
            .Dataset("raw.nobox", d => d.Owner("o").Schema(s => s.Column("id", ColumnType.String)).FromLanding("nobox/data.jsonl", LandingFormat.JsonLines));

        var error = Assert.Throws<FactoryValidationException>(() => builder.Build());
        var problems = error.Problems;

        Assert.Contains(problems, p => p.StartsWith("'Raw.Bad-Name': not a valid dataset name", StringComparison.Ordinal));
        Assert.Contains("core.orphan: unknown input 'raw.nowhere'.", problems);
        Assert.Contains(problems, p => p.StartsWith("cycle: ", StringComparison.Ordinal) && p.Contains("core.x") && p.Contains("core.y"));
        Assert.Contains(problems, p => p.StartsWith("core.nosql: SQL file 'sql/missing.sql' not found", StringComparison.Ordinal));
        Assert.Contains("core.checked: check not_null(amount) reads column 'amount', which the schema does not declare.", problems);
        Assert.Contains(problems, p => p.StartsWith("raw.nobox: landing pattern 'nobox/data.jsonl' must hold {box} exactly once", StringComparison.Ordinal));
        Assert.Equal(6, problems.Count);

        Assert.Contains("Factory 'broken' has 6 problems", error.Message);
        foreach (var problem in problems) Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_cycle_is_reported_once_with_its_path()
    {
        var problems = ProblemsOf(Builder()
            .Dataset("core.x", d => d.Owner("o").Input("core.z").Sql("ok.sql"))
            .Dataset("core.y", d => d.Owner("o").Input("core.x").Sql("ok.sql"))
            .Dataset("core.z", d => d.Owner("o").Input("core.y").Sql("ok.sql")));

        var cycle = Assert.Single(problems);
        Assert.Equal("cycle: core.x -> core.z -> core.y -> core.x.", cycle);
    }

    [Fact]
    public void A_dataset_reading_itself_is_reported()
    {
        var problems = ProblemsOf(Builder().Dataset("core.self", d => d.Owner("o").Input("core.self").Sql("ok.sql")));
        Assert.Contains("core.self: reads itself.", problems);
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("core.Orders")]
    [InlineData("core.orders.extra")]
    [InlineData("1core.orders")]
    [InlineData("core-x.orders")]
    public void Invalid_dataset_names_are_reported(string name)
    {
        var problems = ProblemsOf(Builder().Dataset(name, d => d.Owner("o").Input("raw.good").Sql("ok.sql")));
        var problem = Assert.Single(problems);
        Assert.Equal($"'{name}': not a valid dataset name ({Names.DatasetRule}).", problem);
    }

    [Fact]
    public void Missing_sql_file_names_the_file_and_directory()
    {
        var problems = ProblemsOf(Builder().Dataset("core.nosql", d => d.Owner("o").Input("raw.good").Sql("missing.sql")));
        var problem = Assert.Single(problems);
        Assert.StartsWith("core.nosql: SQL file 'missing.sql' not found", problem);
        Assert.Contains(_dir.Path, problem);
    }

    [Fact]
    public void Sql_path_leaving_the_factory_directory_is_refused()
    {
        var problems = ProblemsOf(Builder().Dataset("core.escape", d => d.Owner("o").Input("raw.good").Sql("../ok.sql")));
        Assert.Contains(problems, p => p.StartsWith("core.escape: SQL path '../ok.sql' must be relative", StringComparison.Ordinal));
    }

    [Fact]
    public void Checks_on_undeclared_columns_are_reported_per_column()
    {
        var problems = ProblemsOf(Builder().Dataset("core.checked", d => d.Owner("o").Input("raw.good").Sql("ok.sql")
            .Schema(s => s.Required("id", ColumnType.String).Column("amount", ColumnType.Double))
            .Check(Check.NotNull("amount"))
            .Check(Check.Unique("id", "day"))
            .Check(Check.Range("price", min: 0))));

        Assert.Equal(2, problems.Count);
        Assert.Contains("core.checked: check unique(id,day) reads column 'day', which the schema does not declare.", problems);
        Assert.Contains("core.checked: check range(price) reads column 'price', which the schema does not declare.", problems);
    }

    [Fact]
    public void Source_pattern_without_box_placeholder_is_reported()
    {
        var problems = ProblemsOf(Builder()
            .Dataset("raw.nobox", d => d.Owner("o").Schema(s => s.Column("id", ColumnType.String)).FromLanding("nobox/*.jsonl", LandingFormat.JsonLines))
            .Dataset("raw.twice", d => d.Owner("o").Schema(s => s.Column("id", ColumnType.String)).FromLanding("twice/{box}/{box}.jsonl", LandingFormat.JsonLines)));

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("raw.nobox: landing pattern 'nobox/*.jsonl' must hold {box} exactly once", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("raw.twice: landing pattern 'twice/{box}/{box}.jsonl' must hold {box} exactly once", StringComparison.Ordinal));
    }

    [Fact]
    public void Split_source_with_box_placeholder_or_non_timestamp_column_is_reported()
    {
        var problems = ProblemsOf(Builder()
            .Dataset("raw.split", d => d.Owner("o")
                .Schema(s => s.Column("id", ColumnType.String).Column("at", ColumnType.String))
                .FromLandingSplitBy("split/{box}.jsonl", LandingFormat.JsonLines, "at")));

        Assert.Contains(problems, p => p.StartsWith("raw.split: landing pattern 'split/{box}.jsonl' holds {box}", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("raw.split: split column 'at' must be a timestamp or date", StringComparison.Ordinal));
    }

    [Fact]
    public void A_time_column_of_a_per_box_source_must_be_declared_and_hold_instants()
    {
        var problems = ProblemsOf(Builder()
            .Dataset("raw.missing", d => d.Owner("o").Schema(s => s.Column("id", ColumnType.String))
                .FromLanding("missing/{box}.jsonl", LandingFormat.JsonLines, timeColumn: "at"))
            .Dataset("raw.number", d => d.Owner("o").Schema(s => s.Column("at", ColumnType.Int64))
                .FromLanding("number/{box}.jsonl", LandingFormat.JsonLines, timeColumn: "at"))
            .Dataset("raw.text", d => d.Owner("o").Schema(s => s.Column("at", ColumnType.String))
                .FromLanding("text/{box}.jsonl", LandingFormat.JsonLines, timeColumn: "at")));

        Assert.Equal(2, problems.Count);
        Assert.Contains("raw.missing: time column 'at' is not in the schema.", problems);
        Assert.Contains(problems, p => p.StartsWith("raw.number: time column 'at' must be a timestamp, a date or text holding timestamps", StringComparison.Ordinal));
    }

    [Fact]
    public void Column_names_starting_with_two_underscores_are_kept_for_takt()
    {
        var problems = ProblemsOf(Builder()
            .Dataset("raw.internal", d => d.Owner("o").Schema(s => s.Column("__line", ColumnType.Int64).Column("_ok", ColumnType.String))
                .FromLanding("internal/{box}.jsonl", LandingFormat.JsonLines)));

        Assert.Equal(["raw.internal: column '__line' starts with '__', which Takt keeps for its own columns."], problems);
    }

    [Fact]
    public void Missing_owner_and_missing_producer_are_reported()
    {
        var problems = ProblemsOf(Builder()
            .Dataset("core.noowner", d => d.Input("raw.good").Sql("ok.sql"))
            .Dataset("core.nothing", d => d.Owner("o")));

        Assert.Contains(problems, p => p.StartsWith("core.noowner: has no owner", StringComparison.Ordinal));
        Assert.Contains("core.nothing: has neither a source nor a transform.", problems);
    }

    [Fact]
    public void Declaring_a_dataset_twice_is_reported()
    {
        var problems = ProblemsOf(Builder().Dataset("raw.good", d => d.Owner("o").Schema(s => s.Column("id", ColumnType.String)).FromLanding("g/{box}.csv", LandingFormat.Csv)));
        Assert.Contains("raw.good: declared 2 times; a dataset is declared once.", problems);
    }

    [Fact]
    public void A_valid_factory_builds_in_topological_order()
    {
        var factory = new FactoryBuilder("fine", _dir.Path)
            .Dataset("mart.z", d => d.Owner("o").Input("core.a").Input("raw.good", PartitionMapping.Window(3)).Sql("ok.sql"))
            .Dataset("core.a", d => d.Owner("o").Input("raw.good").Sql("ok.sql"))
            .Dataset("raw.good", d => d.Owner("o").Schema(s => s.Column("id", ColumnType.String)).FromLanding("good/{box}.jsonl", LandingFormat.JsonLines))
            .Build();

        var order = factory.Datasets.Select(d => d.Name).ToList();
        Assert.Equal(3, order.Count);
        Assert.True(order.IndexOf("raw.good") < order.IndexOf("core.a"));
        Assert.True(order.IndexOf("core.a") < order.IndexOf("mart.z"));
        Assert.Equal(["mart.z"], factory.Downstream("core.a"));
        Assert.Equal(["core.a", "mart.z"], factory.Downstream("raw.good").Order());
        Assert.Equal("SELECT * FROM raw.good", Assert.IsType<SqlTransform>(factory["core.a"].Transform).Sql);
    }

    [Fact]
    public void Unknown_target_names_are_reported_with_the_known_ones()
    {
        var factory = Builder().Build();
        var error = Assert.Throws<UnknownDatasetException>(() => factory.ResolveTargets(["raw.nope"]));
        Assert.Contains("'raw.nope'", error.Message);
        Assert.Contains("raw.good", error.Message);
        Assert.Equal(["raw.good"], factory.ResolveTargets(["raw.*"]));
    }
}
