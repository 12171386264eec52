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
            using var ws = Workspace.OpenLocal(E2E.ShopFactoryAt(), home);
            return ws.Ledger.Events("raw.orders", 1000).Count(e => e.Kind == EventKinds.LandingProblem && e.Message.Contains("orders/2026-1-4.jsonl"));
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
}
