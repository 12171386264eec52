using Takt.Checks;
using Takt.Definitions;
using Takt.Engine;
using Takt.Ledger;

namespace Takt.Tests.Unit;

public sealed class CheckEvaluatorTests : IDisposable
{
    private readonly DuckDbPool _pool = new();
    private readonly DuckDbPool.Lease _lease;

    public CheckEvaluatorTests() => _lease = _pool.Rent();

    private DuckDbSession Db => _lease.Session;

    public void Dispose()
    {
        _lease.Dispose();
        _pool.Dispose();
    }

    /// <summary>Makes <c>__data</c> a view over literal rows of (a INTEGER, b VARCHAR).</summary>
    private void Data(string values) =>
        Db.Execute($"CREATE OR REPLACE VIEW {CheckEvaluator.DataView} AS SELECT * FROM (VALUES {values}) t(a, b)");

    private const string Good = "(1, 'x'), (2, 'y'), (3, 'x'), (4, 'z')";

    private List<CheckResult> Run(params Check[] checks)
    {
        var dataset = new Dataset { Name = "core.t", Owner = "tests", Checks = checks };
        return CheckEvaluator.Evaluate(Db, dataset, _ => null);
    }

    private CheckResult RunOne(Check check) => Assert.Single(Run(check));

    private static void AssertPassed(CheckResult result)
    {
        Assert.True(result.Passed, $"{result.Name} should pass: {result.Message}");
        Assert.Equal(0, result.FailingRows);
    }

    private static void AssertFailed(CheckResult result, long failingRows)
    {
        Assert.False(result.Passed, $"{result.Name} should fail");
        Assert.Equal(failingRows, result.FailingRows);
    }

    // ------------------------------------------------------------------ not null

    [Fact]
    public void Not_null_passes_on_good_data()
    {
        Data(Good);
        var result = RunOne(Check.NotNull("a"));
        AssertPassed(result);
        Assert.Equal("not_null(a)", result.Name);
        Assert.Equal("not_null", result.Kind);
        Assert.Equal("block", result.Severity);
    }

    [Fact]
    public void Not_null_counts_the_null_rows()
    {
        Data("(1, 'x'), (NULL, 'y'), (3, NULL), (NULL, 'z')");
        var result = RunOne(Check.NotNull("a"));
        AssertFailed(result, 2);
        Assert.Equal("2 null value(s)", result.Message);
        AssertFailed(RunOne(Check.NotNull("b")), 1);
    }

    [Fact]
    public void A_required_column_gets_an_implicit_blocking_not_null_check_for_sources_and_transforms_alike()
    {
        Data("(1, 'x'), (NULL, 'y'), (3, 'z')");
        var schema = new Schema([new Column("a", ColumnType.Int32, Nullable: false), new Column("b", ColumnType.String)]);
        var source = new Dataset { Name = "raw.t", Owner = "tests", Schema = schema, Source = new LandingSource("t/{box}.csv", LandingFormat.Csv) };
        var transform = new Dataset { Name = "core.t", Owner = "tests", Schema = schema, Transform = new SqlTransform("t.sql", "SELECT 1") };

        foreach (var dataset in new[] { source, transform })
        {
            var notNull = Assert.Single(CheckEvaluator.Evaluate(Db, dataset, _ => null), c => c.Name == "not_null(a)");
            AssertFailed(notNull, 1);
            Assert.Equal("block", notNull.Severity);
            Assert.Contains("1 null value(s)", notNull.Message);
        }
    }

    [Fact]
    public void An_explicit_not_null_check_on_a_required_column_is_not_run_twice()
    {
        Data(Good);
        var schema = new Schema([new Column("a", ColumnType.Int32, Nullable: false), new Column("b", ColumnType.String)]);
        var dataset = new Dataset { Name = "raw.t", Owner = "tests", Schema = schema, Checks = [Check.NotNull("a").AsWarning()],
            Source = new LandingSource("t/{box}.csv", LandingFormat.Csv) };

        var notNull = Assert.Single(CheckEvaluator.Evaluate(Db, dataset, _ => null), c => c.Name == "not_null(a)");
        Assert.Equal("warn", notNull.Severity); // the declared one, with the severity its owner chose
    }

    // ------------------------------------------------------------------ unique

    [Fact]
    public void Unique_passes_on_good_data()
    {
        Data(Good);
        AssertPassed(RunOne(Check.Unique("a")));
        AssertPassed(RunOne(Check.Unique("a", "b")));
    }

    [Fact]
    public void Unique_counts_duplicated_keys_and_shows_examples()
    {
        Data("(1, 'x'), (1, 'x'), (2, 'y'), (2, 'y'), (2, 'z'), (3, 'x')");
        var result = RunOne(Check.Unique("a"));
        AssertFailed(result, 2);
        Assert.StartsWith("2 duplicated key(s), e.g. ", result.Message);
        Assert.Contains("2", result.Message);

        var pair = RunOne(Check.Unique("a", "b"));
        AssertFailed(pair, 2);
        Assert.Equal("unique(a,b)", pair.Name);
        Assert.Contains("1/x", pair.Message);
        Assert.Contains("2/y", pair.Message);
    }

    // ------------------------------------------------------------------ accepted values

    [Fact]
    public void Accepted_values_passes_on_good_data_and_ignores_nulls()
    {
        Data("(1, 'x'), (2, 'y'), (3, NULL), (4, 'z')");
        AssertPassed(RunOne(Check.AcceptedValues("b", "x", "y", "z")));
    }

    [Fact]
    public void Accepted_values_counts_rows_outside_the_list()
    {
        Data("(1, 'x'), (2, 'w'), (3, 'w'), (4, 'q'), (5, 'y'), (6, NULL)");
        var result = RunOne(Check.AcceptedValues("b", "x", "y"));
        AssertFailed(result, 3);
        Assert.StartsWith("3 row(s) outside [x, y]", result.Message);
        Assert.Contains("w", result.Message);
        Assert.Contains("q", result.Message);
    }

    [Fact]
    public void Accepted_values_on_a_numeric_column_compares_text()
    {
        Data(Good);
        AssertFailed(RunOne(Check.AcceptedValues("a", "1", "2")), 2);
    }

    // ------------------------------------------------------------------ range

    [Fact]
    public void Range_passes_on_good_data_including_the_bounds()
    {
        Data(Good);
        AssertPassed(RunOne(Check.Range("a", min: 1, max: 4)));
        AssertPassed(RunOne(Check.Range("a", min: 0)));
        AssertPassed(RunOne(Check.Range("a", max: 4)));
    }

    [Fact]
    public void Range_counts_values_outside_either_bound_and_ignores_nulls()
    {
        Data("(-1, 'x'), (5, 'y'), (11, 'x'), (20, 'z'), (NULL, 'z')");
        var result = RunOne(Check.Range("a", min: 0, max: 10));
        AssertFailed(result, 3);
        Assert.Equal("3 value(s) outside [0, 10] (min -1, max 20)", result.Message);

        AssertFailed(RunOne(Check.Range("a", min: 0)), 1);
        AssertFailed(RunOne(Check.Range("a", max: 10)), 2);
        AssertFailed(RunOne(Check.Range("a", min: 5.5, max: 15)), 3); // -1 and 5 below, 20 above
    }

    // ------------------------------------------------------------------ row count

    [Fact]
    public void Row_count_passes_within_bounds()
    {
        Data(Good);
        var result = RunOne(Check.RowCount(min: 1, max: 4));
        AssertPassed(result);
        Assert.Equal("4 rows", result.Message);
        AssertPassed(RunOne(Check.RowCount(min: 4)));
    }

    [Fact]
    public void Row_count_fails_outside_bounds()
    {
        Data(Good);
        var tooMany = RunOne(Check.RowCount(min: 1, max: 3));
        AssertFailed(tooMany, 1);
        Assert.Equal("4 rows, expected 1..3", tooMany.Message);
        AssertFailed(RunOne(Check.RowCount(min: 5)), 1);
    }

    [Fact]
    public void Row_count_fails_on_an_empty_box()
    {
        Db.Execute($"CREATE OR REPLACE VIEW {CheckEvaluator.DataView} AS SELECT 1 AS a, 'x' AS b WHERE false");
        var result = RunOne(Check.RowCount(min: 1));
        AssertFailed(result, 1);
        Assert.StartsWith("0 rows", result.Message);
    }

    // ------------------------------------------------------------------ severity and the andon cord

    [Fact]
    public void A_failing_blocking_check_stops_the_line()
    {
        Data("(1, 'x'), (NULL, 'y')");
        var results = Run(Check.NotNull("a"), Check.RowCount(min: 1));
        Assert.Equal(2, results.Count);
        Assert.True(CheckEvaluator.StopsTheLine(results));
    }

    [Fact]
    public void A_failing_warning_does_not_stop_the_line()
    {
        Data("(1, 'x'), (NULL, 'y')");
        var results = Run(Check.NotNull("a").AsWarning(), Check.RowCount(min: 1));
        var warning = results.Single(r => r.Kind == "not_null");
        Assert.False(warning.Passed);
        Assert.Equal("warn", warning.Severity);
        Assert.Equal(1, warning.FailingRows);
        Assert.False(CheckEvaluator.StopsTheLine(results));
    }

    [Fact]
    public void Passing_checks_do_not_stop_the_line()
    {
        Data(Good);
        var results = Run(Check.NotNull("a"), Check.Unique("a"), Check.AcceptedValues("b", "x", "y", "z"), Check.Range("a", 0, 10), Check.RowCount(1, 10));
        Assert.Equal(5, results.Count);
        Assert.All(results, AssertPassed);
        Assert.False(CheckEvaluator.StopsTheLine(results));
        Assert.False(CheckEvaluator.StopsTheLine([]));
    }

    [Fact]
    public void Referential_check_without_a_usable_other_box_fails()
    {
        Data(Good);
        var result = RunOne(Check.Referential("a", "core.other", "id"));
        AssertFailed(result, 1);
        Assert.Contains("core.other has no usable version", result.Message);
    }

    [Fact]
    public void Schema_contract_is_checked_for_transforms_with_a_declared_schema()
    {
        Data(Good);
        var dataset = new Dataset
        {
            Name = "core.t",
            Owner = "tests",
            Transform = new SqlTransform("t.sql", "SELECT 1"),
            Schema = new Schema([new Column("a", ColumnType.Int32), new Column("c", ColumnType.String)]),
        };

        var contract = Assert.Single(CheckEvaluator.Evaluate(Db, dataset, _ => null));

        Assert.Equal("schema_contract", contract.Name);
        Assert.False(contract.Passed);
        Assert.Equal(2, contract.FailingRows);
        Assert.Contains("column 'c' is missing", contract.Message);
        Assert.Contains("column 'b' is not declared", contract.Message);
    }
}
