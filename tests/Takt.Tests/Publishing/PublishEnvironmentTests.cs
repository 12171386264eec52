using Microsoft.Data.Sqlite;
using Takt.Definitions;
using Takt.Publishing;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Publishing;

/// <summary>Contract 7: publishing belongs to an environment. A dev build never changes what readers of prod's target see.</summary>
public sealed class PublishEnvironmentTests : IDisposable
{
    private const int Days = 8;
    private readonly E2EDirectory _dir = new();
    private readonly string _base;
    private readonly string _home;

    public PublishEnvironmentTests()
    {
        _base = _dir.Combine("factory");
        _home = _dir.Combine("home");
        E2E.CopySql(_base);
        E2E.Generate(_home, E2E.Day(1), E2E.Day(Days));
    }

    public void Dispose() => _dir.Dispose();

    private string Database => Path.Combine(_home, "published", "shop.db");

    private CliResult Shop(params string[] args) => E2E.Cli(() => global::Shop.ShopFactory.Build(_base), _home, args);

    [Fact]
    public void A_dev_build_with_changed_sql_does_not_change_what_readers_of_the_prod_target_see()
    {
        Assert.Equal(0, Shop("build").ExitCode);
        var before = PublishedRows();
        Assert.NotEmpty(before);

        // The developer scores everybody as a heavy buyer: dev's fraud scores differ from prod's.
        var sql = Path.Combine(_base, "sql", "mart", "user_features.sql");
        File.WriteAllText(sql, File.ReadAllText(sql).Replace("count(*) AS orders_7d", "count(*) * 10 AS orders_7d"));
        var dev = Shop("build", "--env", "dev-alice");
        Assert.True(dev.ExitCode == 0, dev.ToString());
        Assert.Contains("not published: environment dev-alice does not publish serving.fraud_scores (only prod)", dev.Console);
        Assert.DoesNotContain("published serving.fraud_scores", dev.Console);
        Assert.Equal(before, PublishedRows());
        var ledger = LedgerSnapshot.Read(_home);
        var scores = (string env) => ledger.CurrentVersions(env).Where(v => v.Key.StartsWith("serving.fraud_scores@", StringComparison.Ordinal)).ToList();
        Assert.Equal(Days, scores("dev-alice").Count);
        Assert.Empty(scores("dev-alice").Intersect(scores("prod"))); // dev did build scores of its own

        var publish = Shop("publish", "serving.fraud_scores", "--env", "dev-alice");
        Assert.True(publish.ExitCode == 64, publish.ToString());
        Assert.Contains("dev-alice does not publish serving.fraud_scores", publish.Stderr);
        Assert.Equal(64, Shop("rollback", "serving.fraud_scores", "--env", "dev-alice").ExitCode);
        Assert.Equal(before, PublishedRows());
    }

    [Fact]
    public void A_target_configured_for_an_environment_is_published_by_that_environment_and_no_other()
    {
        File.WriteAllText(Path.Combine(_base, "items.sql"), "SELECT id, v FROM raw.items");
        Directory.CreateDirectory(Path.Combine(_home, "landing", "items"));
        File.WriteAllText(Path.Combine(_home, "landing", "items", "2026-01-01.jsonl"), "{\"id\": 1, \"v\": 1.5}\n{\"id\": 2, \"v\": 2.5}\n");
        CliResult Items(params string[] args) => E2E.Cli(() => ItemsFactory(
            PublishTarget.Sqlite("published/prod.db", "items"),
            PublishTarget.Sqlite("published/staging.db", "items") with { Environment = "staging" }), _home, args);

        var staging = Items("build", "--env", "staging", "--json");
        Assert.True(staging.ExitCode == 0, staging.ToString());
        Assert.Equal(["sqlite:items@staging"], staging.Json.GetProperty("published").EnumerateArray().Select(p => p.GetProperty("target").GetString()));
        Assert.Empty(staging.Json.GetProperty("notPublished").EnumerateArray()); // prod's target is prod's: staging has its own
        Assert.Equal(2L, Count(Path.Combine(_home, "published", "staging.db"), "items"));
        Assert.False(File.Exists(Path.Combine(_home, "published", "prod.db")));

        var prod = Items("build", "--json");
        Assert.True(prod.ExitCode == 0, prod.ToString());
        Assert.Equal(["sqlite:items"], prod.Json.GetProperty("published").EnumerateArray().Select(p => p.GetProperty("target").GetString()));
        Assert.Equal(2L, Count(Path.Combine(_home, "published", "prod.db"), "items"));

        var dev = Items("build", "--env", "dev-bob", "--json");
        Assert.Empty(dev.Json.GetProperty("published").EnumerateArray());
        Assert.Contains(dev.Json.GetProperty("notPublished").EnumerateArray(), n => n.GetString() == "not published: environment dev-bob does not publish serving.items (only prod, staging)");
        Assert.Equal(64, Items("publish", "serving.items", "--env", "dev-bob").ExitCode);
    }

    [Fact]
    public void Two_targets_at_one_place_or_a_target_of_no_valid_environment_do_not_make_a_factory()
    {
        File.WriteAllText(Path.Combine(_base, "items.sql"), "SELECT id, v FROM raw.items");
        var shared = Assert.Throws<FactoryValidationException>(() => ItemsFactory(
            PublishTarget.Sqlite("published/shop.db", "items"), PublishTarget.Sqlite("published/shop.db", "items") with { Environment = "dev-alice" }));
        Assert.Equal("serving.items in prod and serving.items in dev-alice publish to the same SQLite database published/shop.db, table items; "
            + "readers of a target see one dataset of one environment, so give each its own.", Assert.Single(shared.Problems));
        var named = Assert.Throws<FactoryValidationException>(() => ItemsFactory(PublishTarget.Sqlite("published/shop.db", "items") with { Environment = "Prod!" }));
        Assert.StartsWith("serving.items: publish target sqlite:items@Prod!: 'Prod!' is not an environment name", Assert.Single(named.Problems));
    }

    private Factory ItemsFactory(params PublishTarget[] targets) => new FactoryBuilder("items", _base)
        .Dataset("raw.items", d => d.Owner("t")
            .Schema(s => s.Required("id", ColumnType.Int64).Column("v", ColumnType.Double))
            .FromLanding("items/{box}.jsonl", LandingFormat.JsonLines))
        .Dataset("serving.items", d =>
        {
            d.Owner("t").Input("raw.items").Sql("items.sql");
            foreach (var target in targets) d.PublishTo(target);
        })
        .Build();

    private static long Count(string database, string view)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM {view}";
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>Every row of the view readers query, in a stable order.</summary>
    private List<string> PublishedRows()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT user_id, score, band FROM fraud_scores ORDER BY user_id, score, band";
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read()) rows.Add($"{r.GetString(0)}|{r.GetDouble(1)}|{r.GetString(2)}");
        return rows;
    }
}
