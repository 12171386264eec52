using Microsoft.Data.Sqlite;
using Takt.Composition;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Publishing;

/// <summary>The Shop's fraud scores through build, publish, a stopped line, rollback, keep-N and gc.</summary>
public sealed class PublishFlowTests : IDisposable
{
    private readonly E2EDirectory _dir = new();
    private string Home => _dir.Combine("home");
    private string Database => Path.Combine(Home, "published", "shop.db");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Builds_publish_new_copies_a_stopped_line_publishes_nothing_and_rollback_switches_back()
    {
        E2E.Generate(Home, E2E.Day(1), E2E.Day(5));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        var firstRows = PublishedRows();
        Assert.Equal(Rows("c1"), firstRows);
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode); // nothing changed: no new copy
        Assert.Single(Copies(), c => c.Live);

        E2E.Generate(Home, E2E.Day(6), E2E.Day(6));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        Assert.Equal("c2", Copies().Single(c => c.Live).Copy);
        Assert.True(PublishedRows() > firstRows);

        // A blocking check fails on day 7: fraud scores of days 7.. are blocked, so nothing is published.
        E2E.Generate(Home, E2E.Day(7), E2E.Day(7), "negative-amounts");
        var stopped = E2E.Cli(Home, "build", "--json");
        Assert.Equal(2, stopped.ExitCode);
        Assert.Contains("not published", stopped.Json.GetProperty("notPublished")[0].GetString());
        Assert.Equal("c2", Copies().Single(c => c.Live).Copy);
        Assert.Equal(2, Copies().Count);
        var publish = E2E.Cli(Home, "publish", "serving.fraud_scores");
        Assert.Equal(2, publish.ExitCode);
        Assert.Contains("stopped by a check", publish.Stderr);

        var rollback = E2E.Cli(Home, "rollback", "serving.fraud_scores");
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Equal("c1", Copies().Single(c => c.Live).Copy);
        Assert.Equal(firstRows, PublishedRows());
        Assert.Equal(64, E2E.Cli(Home, "rollback", "serving.fraud_scores", "--to", "c9").ExitCode);
    }

    [Fact]
    public void Only_the_last_three_copies_are_kept_and_gc_frees_only_what_nothing_refers_to()
    {
        E2E.Generate(Home, E2E.Day(1), E2E.Day(2));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        for (var day = 3; day <= 6; day++)
        {
            E2E.Generate(Home, E2E.Day(day), E2E.Day(day));
            Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        }
        Assert.Equal(["c3", "c4", "c5"], Copies().Where(c => c.Kept).Select(c => c.Copy).Order());
        using (var connection = Open())
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'fraud_scores__c%'";
            Assert.Equal(3L, cmd.ExecuteScalar());
        }

        // Replace day 2's orders: its old versions (and what was built from them) are no longer pointed at.
        E2E.Generate(Home, E2E.Day(2), E2E.Day(2), "duplicate-ids");
        Assert.Equal(2, E2E.Cli(Home, "build").ExitCode);
        E2E.Generate(Home, E2E.Day(2), E2E.Day(2));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        E2E.Generate(Home, E2E.Day(2), E2E.Day(2), "missing-user");
        Assert.Equal(2, E2E.Cli(Home, "build").ExitCode);

        var dry = E2E.Cli(Home, "gc", "--keep-days", "0", "--dry-run", "--json");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        var candidates = dry.Json.GetProperty("versions").GetInt32();
        Assert.True(candidates > 0, dry.ToString());
        var before = LedgerSnapshot.Read(Home);
        var gc = E2E.Cli(Home, "gc", "--keep-days", "0", "--json");
        Assert.Equal(candidates, gc.Json.GetProperty("versions").GetInt32());

        // Everything an environment points at, every quarantined head and every kept copy's versions still have files.
        using var ws = WorkspaceBuilder.At(Home).Open(E2E.ShopFactoryAt());
        var referenced = before.Boxes.SelectMany(b => new[] { b.CurrentVersion, b.HeadVersion }).OfType<string>()
            .Concat(ws.Ledger.Publications("serving.fraud_scores").Where(p => p.DroppedAtMs is null).SelectMany(p => p.Versions)).ToHashSet();
        foreach (var id in referenced)
        {
            var v = before.Versions[id];
            Assert.True(File.Exists(Path.Combine(Home, "lake", v.Dataset, v.BoxKey, v.Id, "part-0.parquet")), $"gc removed referenced {v.Dataset}@{v.BoxKey} {v.Id}");
        }
        var freed = before.Versions.Values.Where(v => !referenced.Contains(v.Id)).ToList();
        Assert.Equal(candidates, freed.Count(v => !File.Exists(Path.Combine(Home, "lake", v.Dataset, v.BoxKey, v.Id, "part-0.parquet"))));
        Assert.Equal(0, E2E.Cli(Home, "gc", "--keep-days", "0", "--json").Json.GetProperty("versions").GetInt32());
        Assert.Equal(2, E2E.Cli(Home, "build").ExitCode); // the line is still stopped on day 2, and nothing else is missing
    }

    [Fact]
    public void A_build_of_a_few_days_never_publishes_a_copy_of_those_days_only()
    {
        E2E.Generate(Home, E2E.Day(1), E2E.Day(5));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        var allDays = PublishedRows();
        var orders = Path.Combine(E2E.Landing(Home), "orders", "2026-01-03.jsonl");
        File.WriteAllLines(orders, File.ReadAllLines(orders).SkipLast(1)); // one order of day 3 was cancelled

        // Day 3's scores change, and so do days 4 and 5 (7-day windows), which this build leaves stale.
        var ranged = E2E.Cli(Home, "build", "--from", "2026-01-03", "--to", "2026-01-03", "--json");
        Assert.True(ranged.ExitCode == 0, ranged.ToString());
        Assert.Empty(ranged.Json.GetProperty("published").EnumerateArray());
        Assert.Contains(ranged.Json.GetProperty("notPublished").EnumerateArray(), n => n.GetString()!.Contains("2 box(es) are stale", StringComparison.Ordinal));
        Assert.Equal(allDays, PublishedRows());

        var full = E2E.Cli(Home, "build", "--json");
        var copy = Assert.Single(full.Json.GetProperty("published").EnumerateArray());
        Assert.Equal("c2", copy.GetProperty("copy").GetString());
        Assert.Equal(5, copy.GetProperty("versions").GetInt32());
        Assert.Equal(copy.GetProperty("rows").GetInt64(), PublishedRows());
    }

    [Fact]
    public void Rollback_publish_or_published_of_a_dataset_without_a_publish_target_is_a_usage_error()
    {
        E2E.Generate(Home, E2E.Day(1), E2E.Day(2));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        foreach (var verb in new[] { "rollback", "publish", "published" })
        {
            var result = E2E.Cli(Home, verb, "core.orders");
            Assert.True(result.ExitCode == 64, result.ToString());
            Assert.Contains("core.orders declares no publish target", result.Stderr);
        }
    }

    private long PublishedRows()
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM fraud_scores";
        return (long)cmd.ExecuteScalar()!;
    }

    private long Rows(string copy) => Copies().Single(c => c.Copy == copy).Rows;

    private List<(string Copy, bool Live, bool Kept, long Rows)> Copies()
    {
        var json = E2E.Cli(Home, "published", "serving.fraud_scores", "--json").Json;
        return json.GetProperty("copies").EnumerateArray()
            .Select(c => (c.GetProperty("copy").GetString()!, c.GetProperty("live").GetBoolean(), c.GetProperty("kept").GetBoolean(), c.GetProperty("rows").GetInt64()))
            .ToList();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Database, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        return connection;
    }
}
