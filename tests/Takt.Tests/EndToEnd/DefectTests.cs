using System.Text.Json;
using Takt.Composition;
using Takt.Building;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// The andon over the Shop's injected defects: one bad day stops the line for that box only, its readers are held
/// back as blocked, everything else is built; fixing the landing data or overriding releases the line.
/// </summary>
public sealed class DefectTests : IDisposable
{
    private const int Days = 7;
    private static readonly DateOnly BadDay = E2E.Day(5);
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    public static TheoryData<string, string, string> Defects => new()
    {
        // defect, dataset whose check stops the line, the check that stops it
        { "malformed-rows", "raw.orders", "well_formed" },
        { "schema-drift", "raw.orders", "schema_drift" },
        { "duplicate-ids", "core.orders", "unique(order_id)" },
        { "missing-user", "core.orders", "referential(user_id->core.users.user_id)" },
        { "negative-amounts", "core.orders", "range(amount)" },
    };

    [Theory]
    [MemberData(nameof(Defects))]
    public void A_defect_stops_only_its_box_and_blocks_its_readers_until_the_data_is_fixed(string defect, string stoppedDataset, string check)
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(Days), $"{defect}@{E2E.Key(BadDay)}");

        var build = E2E.Cli(home, "build", "--json");
        Assert.True(build.ExitCode == 2, build.ToString());
        var json = build.Json;
        var tasks = json.GetProperty("tasks").EnumerateArray().ToArray();

        // Exactly one task stopped the line: the bad day of the expected dataset, with a message naming dataset, box and check.
        var quarantined = tasks.Where(t => Status(t) == "quarantined").ToArray();
        Assert.True(quarantined.Length == 1, $"expected one quarantined task:\n{build}");
        Assert.Equal(stoppedDataset, quarantined[0].GetProperty("dataset").GetString());
        Assert.Equal(E2E.Key(BadDay), quarantined[0].GetProperty("box").GetString());
        var message = quarantined[0].GetProperty("message").GetString()!;
        Assert.Contains($"{stoppedDataset}@{E2E.Key(BadDay)}", message);
        Assert.Contains(check, message);
        if (defect == "malformed-rows")
        {
            Assert.Contains("orders/2026-01-05.jsonl line 5", message);
            Assert.Contains("orders/2026-01-05.jsonl line 17", message);
        }
        if (defect == "schema-drift") Assert.Contains("amount_cents", message);
        Assert.DoesNotContain(tasks, t => Status(t) is "failed" or "skipped");

        // Held back: every box that reads the bad day, through the mappings (user_features reads a 7-day window).
        var blocked = ExpectedBlocked(stoppedDataset);
        var stopped = json.GetProperty("stopped").EnumerateArray().ToDictionary(s => s.GetProperty("dataset").GetString()!);
        Assert.Equal([E2E.Key(BadDay)], stopped[stoppedDataset].GetProperty("quarantined").EnumerateArray().Select(k => k.GetString()!).ToArray());
        foreach (var (dataset, days) in blocked)
        {
            Assert.True(stopped.TryGetValue(dataset, out var s), $"{dataset} is not reported as held back:\n{build}");
            Assert.True(days.Length == s.GetProperty("blocked").GetInt32(), $"{dataset}: expected {days.Length} blocked box(es):\n{build}");
        }
        foreach (var task in tasks.Where(t => Status(t) == "blocked"))
        {
            var dataset = task.GetProperty("dataset").GetString()!;
            Assert.True(blocked.TryGetValue(dataset, out var days) && days.Contains(task.GetProperty("box").GetString()!),
                $"{dataset}@{task.GetProperty("box").GetString()} reported blocked but it does not read the bad day");
        }

        // The ledger agrees: quarantined head without a current version, blocked boxes never built, all else current.
        var ledger = LedgerSnapshot.Read(home);
        foreach (var dataset in E2E.Datasets)
            for (var day = E2E.Day(1); day <= E2E.Day(Days); day = day.AddDays(1))
            {
                var box = ledger.Find(dataset, day);
                var where = $"{dataset}@{E2E.Key(day)}";
                if (dataset == stoppedDataset && day == BadDay)
                {
                    Assert.True(box is { HeadStatus: "quarantined", CurrentVersion: null }, $"{where} should be quarantined, is {box}");
                    Assert.Equal("quarantined", ledger.Versions[box!.HeadVersion].Status);
                }
                else if (blocked.TryGetValue(dataset, out var days) && days.Contains(E2E.Key(day)))
                    Assert.True(box?.CurrentVersion is null, $"{where} reads the stopped box but was built: {box}");
                else
                    Assert.True(box is { HeadStatus: "ok", CurrentVersion: not null }, $"{where} should be built, is {box?.ToString() ?? "missing"}");
            }
        LedgerSnapshot.AssertConsistent(home, $"after {defect}");

        // A rerun without a fix changes nothing and still says the line is stopped.
        var rerun = E2E.Cli(home, "build", "--json");
        Assert.True(rerun.ExitCode == 2, rerun.ToString());
        Assert.DoesNotContain(rerun.Json.GetProperty("tasks").EnumerateArray(), t => Status(t) == "built");

        // Fix the data: regenerate the bad day without defects, and the line runs again.
        var generate = E2E.Cli(home, "generate", "--from", E2E.Key(BadDay), "--to", E2E.Key(BadDay));
        Assert.True(generate.ExitCode == 0, generate.ToString());
        var fixedBuild = E2E.Cli(home, "build", "--json");
        Assert.True(fixedBuild.ExitCode == 0, fixedBuild.ToString());
        Assert.DoesNotContain(fixedBuild.Json.GetProperty("tasks").EnumerateArray(), t => Status(t) != "built");
        Assert.Empty(fixedBuild.Json.GetProperty("stopped").EnumerateArray());

        ledger = LedgerSnapshot.Read(home);
        Assert.DoesNotContain(ledger.Boxes, b => b.HeadStatus != "ok" || b.CurrentVersion is null);
        Assert.Equal(E2E.Datasets.Length * Days, ledger.Boxes.Count);
        LedgerSnapshot.AssertConsistent(home, $"after fixing {defect}");
        Assert.Equal(0, E2E.Cli(home, "plan", "--json").Json.GetProperty("tasks").GetArrayLength());
    }

    [Fact]
    public void Override_releases_a_quarantined_box_with_a_recorded_reason()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(Days), $"negative-amounts@{E2E.Key(BadDay)}");
        var stoppedBuild = E2E.Cli(home, "build", "--json");
        Assert.True(stoppedBuild.ExitCode == 2, stoppedBuild.ToString());

        const string reason = "refunds booked as negative orders; confirmed with finance";
        var release = E2E.Cli(home, "override", $"core.orders@{E2E.Key(BadDay)}", "--reason", reason);
        Assert.True(release.ExitCode == 0, release.ToString());

        var build = E2E.Cli(home, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());
        var built = E2E.CountByDataset(build.Json.GetProperty("tasks"), "built");
        var expected = E2E.Counts(("mart.daily_revenue", 1), ("mart.user_features", 3), ("serving.fraud_scores", 3));
        Assert.True(expected.SequenceEqual(built), $"expected built {E2E.Show(expected)}, got {E2E.Show(built)}\n{build}");
        Assert.Equal(expected.Values.Sum(), build.Json.GetProperty("tasks").GetArrayLength());

        var ledger = LedgerSnapshot.Read(home);
        var box = ledger.Find("core.orders", BadDay)!;
        Assert.Equal("ok", box.HeadStatus);
        Assert.Equal("overridden", ledger.Versions[box.CurrentVersion!].Status);
        Assert.DoesNotContain(ledger.Boxes, b => b.CurrentVersion is null);
        LedgerSnapshot.AssertConsistent(home, "after override");

        using var ws = WorkspaceBuilder.At(home).Open(E2E.ShopFactoryAt());
        var events = ws.Ledger.Events(null, 1000);
        var overrideEvent = Assert.Single(events, e => e.Kind == EventKind.Override);
        Assert.Equal("core.orders", overrideEvent.Dataset);
        Assert.Equal(E2E.Key(BadDay), overrideEvent.BoxKey);
        Assert.Equal(box.CurrentVersion, overrideEvent.VersionId);
        Assert.Contains(reason, overrideEvent.Message);
        Assert.Contains(events, e => e.Kind == EventKind.Andon && e.Dataset == "core.orders" && e.BoxKey == E2E.Key(BadDay));
        Assert.Empty(new BuildService(ws).Plan([]).Tasks);
    }

    [Fact]
    public void Override_of_a_box_that_is_not_quarantined_is_a_usage_error()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(2));
        Assert.Equal(0, E2E.Cli(home, "build").ExitCode);

        var result = E2E.Cli(home, "override", "core.orders@2026-01-02", "--reason", "nothing to release");
        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains("core.orders@2026-01-02", result.Stderr);
    }

    private static string Status(JsonElement task) => task.GetProperty("status").GetString()!;

    /// <summary>Dataset -> box keys that read the stopped box of <paramref name="stoppedDataset"/> on the bad day.</summary>
    private static Dictionary<string, string[]> ExpectedBlocked(string stoppedDataset)
    {
        string[] Days(int from, int to) => Enumerable.Range(from, to - from + 1).Select(d => E2E.Key(E2E.Day(d))).ToArray();
        var blocked = new Dictionary<string, string[]>
        {
            ["mart.daily_revenue"] = Days(5, 5),
            ["mart.user_features"] = Days(5, 7),
            ["serving.fraud_scores"] = Days(5, 7),
        };
        if (stoppedDataset == "raw.orders") blocked["core.orders"] = Days(5, 5);
        return blocked;
    }
}
