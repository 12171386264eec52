using Takt.Composition;
using Takt.Environments;
using Takt.Ledger;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Environments;

/// <summary>
/// Environments are pointers over one lake: a dev environment with a changed transform builds only that dataset and
/// its downstream, resolves everything else to prod's versions without copying files, and prod later adopts dev's work.
/// </summary>
public sealed class EnvironmentTests : IDisposable
{
    private const int Days = 8;
    private readonly E2EDirectory _dir = new();
    private readonly string _home;
    private readonly string _prodBase;
    private readonly string _devBase;

    public EnvironmentTests()
    {
        _home = _dir.Combine("home");
        _prodBase = _dir.Combine("prod-code");
        _devBase = _dir.Combine("dev-code");
        E2E.CopySql(_prodBase);
        E2E.CopySql(_devBase);
        E2E.Generate(_home, E2E.Day(1), E2E.Day(Days));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_dev_change_builds_only_its_downstream_reuses_the_rest_copies_nothing_and_prod_adopts_it()
    {
        Assert.Equal(0, Build(_prodBase, "prod"));
        var lakeFiles = LakeFiles();

        // Orders under 10 no longer count in daily revenue: a change with a known effect.
        Edit(_devBase, "sql/mart/daily_revenue.sql", sql => sql.Replace("count(*) AS orders,", "count(*) FILTER (WHERE amount >= 10) AS orders,"));
        var dev = E2E.Cli(() => E2E.ShopFactoryAt(_devBase), _home, "build", "--env", "dev-alice", "--json");
        Assert.True(dev.ExitCode == 0, dev.ToString());

        var built = E2E.CountByDataset(dev.Json.GetProperty("tasks"), "built");
        Assert.True(E2E.Counts(("mart.daily_revenue", Days)).SequenceEqual(built), $"dev built {E2E.Show(built)}");
        var reused = E2E.CountByDataset(dev.Json.GetProperty("tasks"), "reused");
        // The new environment takes the source boxes prod ingested as they are (reused, "landed in another environment's build").
        Assert.True(E2E.Counts(("core.orders", Days), ("core.users", Days), ("raw.orders", Days), ("raw.users", Days), ("mart.signups_by_country", Days), ("mart.user_features", Days), ("serving.fraud_scores", Days)).SequenceEqual(reused),
            $"dev reused {E2E.Show(reused)}");
        Assert.Equal(lakeFiles + Days, LakeFiles()); // only the changed boxes wrote files

        // prod running the same code adopts what dev built: nothing is recomputed.
        var prod = E2E.Cli(() => E2E.ShopFactoryAt(_devBase), _home, "build", "--json");
        Assert.True(prod.ExitCode == 0, prod.ToString());
        Assert.Empty(E2E.CountByDataset(prod.Json.GetProperty("tasks"), "built"));
        Assert.Equal(Days, E2E.CountByDataset(prod.Json.GetProperty("tasks"), "reused").GetValueOrDefault("mart.daily_revenue"));
        Assert.Equal(lakeFiles + Days, LakeFiles());

        var envs = E2E.Cli(() => E2E.ShopFactoryAt(_devBase), _home, "envs", "--json");
        Assert.Equal(0, envs.Json.GetProperty("environments").EnumerateArray().Single(e => e.GetProperty("env").GetString() == "dev-alice")
            .GetProperty("differingFromProd").GetInt64());
    }

    [Fact]
    public void Diff_reports_the_rows_a_change_touches_per_key()
    {
        Assert.Equal(0, Build(_prodBase, "prod"));
        Edit(_devBase, "sql/mart/daily_revenue.sql", sql => sql.Replace("FROM core.orders", "FROM core.orders WHERE currency <> 'GBP'"));
        Assert.Equal(0, Build(_devBase, "dev-bob"));

        using var ws = WorkspaceBuilder.At(_home).Environment("dev-bob").Open(E2E.ShopFactoryAt(_devBase));
        var diffs = new DataDiff(ws).Compare("dev-bob", "prod", ["mart.daily_revenue"], E2E.Day(1), E2E.Day(Days));

        Assert.Equal(Days, diffs.Count);
        foreach (var box in diffs)
        {
            // Every day has orders in all three currencies: dev lost exactly the GBP row, changed nothing else.
            Assert.Equal(3, box.RowsB);
            Assert.Equal(2, box.RowsA);
            Assert.Equal(0, box.OnlyInA);
            Assert.Equal(1, box.OnlyInB);
            Assert.Equal(0, box.Changed);
            Assert.Equal(["day", "currency"], box.Key);
            Assert.Equal($"{box.Box}/GBP", Assert.Single(box.SampleOnlyInB));
            Assert.True(box.Schema.IsEmpty);
        }

        var cli = E2E.Cli(() => E2E.ShopFactoryAt(_devBase), _home, "diff", "mart.daily_revenue", "--env", "dev-bob", "--json");
        Assert.True(cli.ExitCode == 0, cli.ToString());
        Assert.Equal(Days, cli.Json.GetProperty("boxes").GetArrayLength());
    }

    [Fact]
    public void Diff_counts_rows_changed_under_the_same_key()
    {
        Assert.Equal(0, Build(_prodBase, "prod"));
        Edit(_devBase, "sql/mart/daily_revenue.sql", sql => sql
            .Replace("    count(DISTINCT user_id) AS buyers\n", "    count(DISTINCT user_id) + 1 AS buyers\n"));
        Assert.Equal(0, Build(_devBase, "dev-carol"));

        using var ws = WorkspaceBuilder.At(_home).Environment("dev-carol").Open(E2E.ShopFactoryAt(_devBase));
        var box = new DataDiff(ws).Compare("dev-carol", "prod", ["mart.daily_revenue"], E2E.Day(2), E2E.Day(2)).Single();
        Assert.Equal(3, box.Changed);
        Assert.Equal(0, box.OnlyInA + box.OnlyInB);
        Assert.Equal(3, box.SampleChanged.Count);
    }

    [Fact]
    public void Each_new_code_hash_an_environment_builds_is_a_recorded_deploy()
    {
        Assert.Equal(0, Build(_prodBase, "prod"));
        Assert.Equal(0, Build(_prodBase, "prod"));
        Edit(_prodBase, "sql/core/users.sql", sql => "-- normalised users\n" + sql);
        Assert.Equal(0, Build(_prodBase, "prod"));

        using var ws = WorkspaceBuilder.At(_home).Open(E2E.ShopFactoryAt(_prodBase));
        var deploys = ws.Ledger.Events(null, 1000).Where(e => e.Kind == EventKind.Deploy).ToList();
        Assert.Equal(E2E.Datasets.Length + 1, deploys.Count); // every dataset once, then core.users again
        Assert.Equal(2, deploys.Count(e => e.Dataset == "core.users"));
    }

    [Fact]
    public void Unknown_environment_and_dropping_one_are_clear()
    {
        Assert.Equal(0, Build(_prodBase, "prod"));
        var status = E2E.Cli(() => E2E.ShopFactoryAt(_prodBase), _home, "status", "--env", "dev-nobody");
        Assert.Equal(64, status.ExitCode);
        Assert.Contains("unknown environment 'dev-nobody'", status.Stderr);
        Assert.Single(status.Stderr.Trim().Split('\n'));

        var bad = E2E.Cli(() => E2E.ShopFactoryAt(_prodBase), _home, "plan", "--env", "Dev Nobody");
        Assert.Equal(64, bad.ExitCode);

        Assert.Equal(0, Build(_prodBase, "dev-dan"));
        var drop = E2E.Cli(() => E2E.ShopFactoryAt(_prodBase), _home, "env", "drop", "dev-dan");
        Assert.True(drop.ExitCode == 0, drop.ToString());
        Assert.Equal(64, E2E.Cli(() => E2E.ShopFactoryAt(_prodBase), _home, "status", "--env", "dev-dan").ExitCode);
        Assert.Equal(0, E2E.Cli(() => E2E.ShopFactoryAt(_prodBase), _home, "status").ExitCode); // prod untouched
    }

    private int Build(string codeBase, string env) =>
        E2E.Cli(() => E2E.ShopFactoryAt(codeBase), _home, "build", "--env", env, "--no-publish").ExitCode;

    private int LakeFiles() => Directory.GetFiles(Path.Combine(_home, "lake"), "*.parquet", SearchOption.AllDirectories)
        .Count(f => !f.Contains("_staging", StringComparison.Ordinal));


    private static void Edit(string baseDirectory, string relative, Func<string, string> change)
    {
        var path = Path.Combine(baseDirectory, relative);
        var before = File.ReadAllText(path);
        var after = change(before);
        Assert.NotEqual(before, after);
        File.WriteAllText(path, after);
    }
}
