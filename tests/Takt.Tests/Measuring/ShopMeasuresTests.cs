using Takt.Composition;
using Takt.Measuring;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Measuring;

/// <summary>The example after the scripted sequence (build 60 days, a defect, the fix, an invalidation, a SQL change) measures itself.</summary>
public sealed class ShopMeasuresTests : IDisposable
{
    private const int Days = 60;
    private static readonly DateOnly Last = E2E.Day(1).AddDays(Days - 1);
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Metrics_waste_and_catalog_tell_what_happened()
    {
        var home = _dir.Combine("home");
        var code = _dir.Combine("code");
        E2E.CopySql(code);
        E2E.Generate(home, E2E.Day(1), Last);
        Assert.Equal(0, Cli(code, home, "build").ExitCode);
        E2E.Generate(home, E2E.Day(4), E2E.Day(4), "negative-amounts");
        Assert.Equal(2, Cli(code, home, "build").ExitCode);
        E2E.Generate(home, E2E.Day(4), E2E.Day(4));
        Assert.Equal(0, Cli(code, home, "build").ExitCode);
        Assert.Equal(0, Cli(code, home, "invalidate", "raw.users", "--from", "2026-01-02", "--to", "2026-01-03", "--reason", "CRM export was partial").ExitCode);
        Assert.Equal(0, Cli(code, home, "build").ExitCode);
        var sql = Path.Combine(code, "sql", "mart", "daily_revenue.sql");
        File.WriteAllText(sql, "-- revenue per day\n" + File.ReadAllText(sql));
        Assert.Equal(0, Cli(code, home, "build").ExitCode);

        using var ws = WorkspaceBuilder.At(home).Open(E2E.ShopFactoryAt(code));
        var metrics = MetricsCalculator.Compute(ws, new DateOnly(2026, 1, 1));
        Assert.Equal(1, metrics.Weeks.Sum(w => w.DataQualityBlocking));
        Assert.Equal(1, metrics.Recoveries);
        Assert.Equal(0, metrics.OpenStops);
        Assert.True(metrics.Weeks.Sum(w => w.RecomputeMs) > 0);
        Assert.True(metrics.Weeks.Sum(w => w.NewBuildMs) > 0);
        Assert.Equal(E2E.Datasets.Length + 1, metrics.Weeks.Sum(w => w.Deploys)); // every dataset went live, then daily_revenue changed
        Assert.Equal(1, metrics.CycleTimeSamples);

        var waste = WasteReport.Find(ws, days: 30, builds: 3);
        var unused = waste.Where(w => w.Kind == "unused_dataset").Select(w => w.Dataset).ToArray();
        Assert.Contains("mart.signups_by_country", unused);
        Assert.DoesNotContain("mart.daily_revenue", unused); // used by the finance dashboard
        Assert.DoesNotContain("core.orders", unused);
        Assert.All(waste, w => Assert.False(string.IsNullOrEmpty(w.Owner)));

        var catalog = Catalog.Build(ws);
        var userId = Assert.Single(catalog.SemanticTypes, t => t.Name == "user_id");
        Assert.Equal("core.users.user_id", userId.Truth);
        Assert.Contains("serving.fraud_scores.user_id", userId.Columns);
        var orders = Assert.Single(catalog.Datasets, d => d.Dataset == "core.orders");
        Assert.Equal(E2E.Key(Last), orders.LatestBox);
        Assert.Contains("mart.user_features", orders.Downstream);
        Assert.Contains("| `ordered_at` | TIMESTAMP | no | `timestamp_utc` |", Catalog.ToMarkdown(catalog));
    }

    private static CliResult Cli(string code, string home, params string[] args) => E2E.Cli(() => E2E.ShopFactoryAt(code), home, args);

}
