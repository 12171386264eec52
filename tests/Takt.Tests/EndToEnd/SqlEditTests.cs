using Takt.Composition;
using Takt.Building;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// Editing a transform's SQL makes exactly that dataset's boxes and what reads them stale: the factory is rebuilt from
/// the edited files (as a new run of the program would) and the plan and the build are counted per dataset.
/// </summary>
public sealed class SqlEditTests : IDisposable
{
    private const int Days = 10;
    private readonly E2EDirectory _dir = new();
    private readonly string _base;
    private readonly string _home;

    public SqlEditTests()
    {
        _base = _dir.Combine("factory");
        _home = _dir.Combine("home");
        E2E.CopySql(_base);
        E2E.Generate(_home, E2E.Day(1), E2E.Day(Days));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Editing_daily_revenue_replans_only_its_own_boxes()
    {
        BuildAll(ShopFactoryNow());

        Edit("sql/mart/daily_revenue.sql", sql =>
        {
            Assert.Contains("ORDER BY currency", sql);
            return "-- Revenue per day and currency; ordered for people reading the table.\n" + sql.Replace("ORDER BY currency", "ORDER BY currency, day");
        });

        var factory = ShopFactoryNow();
        var expected = E2E.Counts(("mart.daily_revenue", Days));
        var plan = PlanCounts(factory, out var reasons);
        Assert.True(expected.SequenceEqual(plan), $"expected plan {E2E.Show(expected)}, got {E2E.Show(plan)}");
        Assert.All(reasons, r => Assert.Equal("code changed", r));

        var build = BuildAll(factory);
        Assert.True(expected.SequenceEqual(Built(build)), $"expected built {E2E.Show(expected)}, got {E2E.Show(Built(build))}");
        Assert.Equal(Days, build.Tasks.Count);
        Assert.Empty(PlanCounts(factory, out _));
    }

    [Fact]
    public void Editing_core_users_replans_its_readers_but_not_datasets_that_only_check_against_it()
    {
        BuildAll(ShopFactoryNow());

        Edit("sql/core/users.sql", sql =>
        {
            Assert.Contains("lower(email) AS email", sql);
            return "-- Users of the day's snapshot; e-mail addresses compared case-insensitively.\n"
                + sql.Replace("lower(email) AS email", "lower(trim(email)) AS email");
        });

        // core.orders waits for core.users only to run its referential check; core.users is not part of its recipe,
        // so its versions stay current and it must not be planned (contract 2: exactly the boxes whose recipes changed).
        var factory = ShopFactoryNow();
        var expected = E2E.Counts(("core.users", Days), ("mart.signups_by_country", Days), ("mart.user_features", Days), ("serving.fraud_scores", Days));
        var plan = PlanCounts(factory, out _);
        Assert.True(expected.SequenceEqual(plan), $"expected plan {E2E.Show(expected)}, got {E2E.Show(plan)}");

        var build = BuildAll(factory);
        var tasks = build.Tasks.GroupBy(t => t.Dataset).ToDictionary(g => g.Key, g => g.Count());
        var built = Built(build);
        Assert.True(plan.SequenceEqual(built), $"the build's built tasks {E2E.Show(built)} differ from the plan {E2E.Show(plan)}");
        Assert.True(expected.SequenceEqual(new SortedDictionary<string, int>(tasks, StringComparer.Ordinal)),
            $"expected tasks {E2E.Show(expected)}, got {E2E.Show(tasks)}: " + string.Join("; ", build.Tasks.Where(t => t.Outcome.Status != BuildStatus.Built).Take(3).Select(t => $"{t.Dataset}@{t.BoxKey} {t.Outcome.Status} ({t.Reason})")));
        Assert.Empty(PlanCounts(factory, out _));
    }

    [Fact]
    public void An_edit_DuckDB_refuses_fails_its_boxes_with_DuckDBs_message_and_commits_nothing()
    {
        BuildAll(ShopFactoryNow());
        Edit("sql/mart/daily_revenue.sql", sql => sql.Replace("ORDER BY currency", "ORDER BY no_such_column"));

        var factory = ShopFactoryNow();
        BuildResult build;
        using (var ws = WorkspaceBuilder.At(_home).Open(factory))
            build = new BuildService(ws).Build([], null, null, ingest: true, new RunOptions { Attempts = 1 });
        Assert.Equal(Days, build.Tasks.Count);
        Assert.All(build.Tasks, t =>
        {
            Assert.Equal(BuildStatus.Failed, t.Outcome.Status);
            Assert.Contains("SQL sql/mart/daily_revenue.sql failed", t.Outcome.Message);
            Assert.Contains("no_such_column", t.Outcome.Message);
        });
        Assert.Equal(E2E.Counts(("mart.daily_revenue", Days)), PlanCounts(factory, out _));
    }

    private Factory ShopFactoryNow() => E2E.ShopFactoryAt(_base);

    private void Edit(string relativePath, Func<string, string> change)
    {
        var path = Path.Combine(_base, relativePath);
        File.WriteAllText(path, change(File.ReadAllText(path)));
    }

    private BuildResult BuildAll(Factory factory)
    {
        using var ws = WorkspaceBuilder.At(_home).Open(factory);
        var result = new BuildService(ws).Build([], null, null, ingest: true, new RunOptions());
        var bad = result.Tasks.Where(t => t.Outcome.Status is not (BuildStatus.Built or BuildStatus.Reused)).ToList();
        Assert.True(bad.Count == 0, "build did not succeed: " + string.Join("; ", bad.Take(5).Select(t => $"{t.Dataset}@{t.BoxKey} {t.Outcome.Status}: {t.Outcome.Message}")));
        Assert.Empty(result.Remaining.Tasks);
        return result;
    }

    private SortedDictionary<string, int> PlanCounts(Factory factory, out IReadOnlyList<string> reasons)
    {
        using var ws = WorkspaceBuilder.At(_home).Open(factory);
        var plan = new BuildService(ws).Plan([]);
        reasons = plan.Tasks.Select(t => t.Reason).ToArray();
        return new SortedDictionary<string, int>(plan.Tasks.GroupBy(t => t.Dataset).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
    }

    private static SortedDictionary<string, int> Built(BuildResult build) => new(
        build.Tasks.Where(t => t.Outcome.Status == BuildStatus.Built).GroupBy(t => t.Dataset).ToDictionary(g => g.Key, g => g.Count()),
        StringComparer.Ordinal);

}
