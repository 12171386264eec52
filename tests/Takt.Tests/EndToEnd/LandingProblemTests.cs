using Takt.Composition;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.EndToEnd;

/// <summary>A landing file that no box takes is shown by every verb that looks at the landing zone, and recorded once, by the verbs that ingest.</summary>
public sealed class LandingProblemTests : IDisposable
{
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Plan_status_ingest_and_build_name_a_misnamed_file_with_its_pattern_and_only_ingesting_records_it()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(3));
        var orders = Path.Combine(E2E.Landing(home), "orders");
        File.Copy(Path.Combine(orders, "2026-01-03.jsonl"), Path.Combine(orders, "2026-1-4.jsonl"));
        int Recorded()
        {
            using var ws = WorkspaceBuilder.At(home).Open(E2E.ShopFactoryAt());
            return ws.Ledger.Events("raw.orders", 1000).Count(e => e.Kind == EventKind.LandingProblem && e.Message.Contains("orders/2026-1-4.jsonl"));
        }

        foreach (var verb in new[] { "plan", "status" })
        {
            var json = E2E.Cli(home, verb, "--json");
            var problem = Assert.Single(json.Json.GetProperty("landingProblems").EnumerateArray());
            Assert.Equal("raw.orders", problem.GetProperty("dataset").GetString());
            Assert.Equal("orders/2026-1-4.jsonl", problem.GetProperty("path").GetString());
            Assert.Contains("'orders/{box}.jsonl' with {box} as YYYY-MM-DD", problem.GetProperty("problem").GetString());
            var text = E2E.Cli(home, verb);
            Assert.Contains("landing file not ingested: raw.orders: orders/2026-1-4.jsonl", text.Console);
        }
        Assert.Equal(0, Recorded()); // plan and status only look

        var ingest = E2E.Cli(home, "ingest");
        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        Assert.Contains("orders/2026-1-4.jsonl '2026-1-4' is not a daily box", ingest.Console);
        var build = E2E.Cli(home, "build");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("landing file not ingested: raw.orders: orders/2026-1-4.jsonl", build.Console);
        Assert.Equal(1, Recorded());
    }

    [Fact]
    public void A_shop_order_dated_outside_the_day_of_its_file_stops_that_day_naming_file_and_line()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(5));
        var file = Path.Combine(E2E.Landing(home), "orders", "2026-01-05.jsonl");
        var lines = File.ReadAllLines(file);
        var at = System.Text.Json.Nodes.JsonNode.Parse(lines[2])!["ordered_at"]!.GetValue<string>();
        lines[2] = lines[2].Replace(at, "2026-03-09T10:00:00Z");
        File.WriteAllLines(file, lines);

        var build = E2E.Cli(home, "build", "--json");

        Assert.True(build.ExitCode == 2, build.ToString());
        var stopped = Assert.Single(build.Json.GetProperty("tasks").EnumerateArray(), t => t.GetProperty("status").GetString() == "quarantined");
        Assert.Equal("raw.orders", stopped.GetProperty("dataset").GetString());
        Assert.Equal("2026-01-05", stopped.GetProperty("box").GetString());
        Assert.Contains("in_box(ordered_at)", stopped.GetProperty("message").GetString());
        Assert.Contains("orders/2026-01-05.jsonl line 3: ordered_at='2026-03-09T10:00:00Z'", stopped.GetProperty("message").GetString());
    }
}
