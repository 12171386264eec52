using System.Text.Json;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// One source for what is held back: the build summary's blocked count is what `status` reports afterwards, and every
/// blocked cause names the box that a check stopped, not an input that is itself only blocked.
/// </summary>
public sealed class StoppedCountsTests : IDisposable
{
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Build_summary_and_status_agree_on_blocked_boxes_and_causes_name_the_stopped_boxes()
    {
        var home = _home.Path;
        // A malformed line stops the source box raw.orders@01-05 during ingest; negative amounts stop core.orders@01-10.
        E2E.Generate(home, E2E.Day(1), E2E.Day(14), "malformed-rows@2026-01-05,negative-amounts@2026-01-10");

        var build = E2E.Cli(home, "build", "--json");
        Assert.True(build.ExitCode == 2, build.ToString());
        var status = E2E.Cli(home, "status", "--json");
        Assert.True(status.ExitCode == 2, status.ToString());
        var statusBlocked = status.Json.GetProperty("datasets").EnumerateArray().Sum(d => d.GetProperty("blocked").GetInt64());

        // core.orders@05; daily revenue 05 and 10; user features and fraud scores 05..11 and 10..14 (7-day window, 14 days).
        Assert.Equal(1 + 2 + 10 + 10, statusBlocked);
        Assert.True(statusBlocked == build.Json.GetProperty("summary").GetProperty("blocked").GetInt64(),
            $"status says {statusBlocked} blocked, the build summary says otherwise:\n{build}\n{status}");

        var stopped = new[] { "raw.orders@2026-01-05", "core.orders@2026-01-10" };
        var plan = E2E.Cli(home, "plan", "--json");
        var causes = new Dictionary<string, string[]>();
        foreach (var dataset in plan.Json.GetProperty("datasets").EnumerateArray())
            causes[dataset.GetProperty("dataset").GetString()!] = dataset.GetProperty("blocked").EnumerateArray().Select(b => b.GetProperty("cause").GetString()!).ToArray();
        foreach (var (dataset, list) in causes)
            foreach (var cause in list)
                Assert.True(stopped.Any(cause.Contains) && !cause.Contains("mart.") && !cause.Contains($"{dataset}@"),
                    $"{dataset}: the cause '{cause}' does not name the stopped box(es) {string.Join(", ", stopped)}");
        Assert.Contains(causes["serving.fraud_scores"], c => c.Contains("raw.orders@2026-01-05"));
        Assert.Contains(causes["serving.fraud_scores"], c => c.Contains("core.orders@2026-01-10"));
        Assert.Contains(causes["core.orders"], c => c.Contains("raw.orders@2026-01-05"));

        // The blocked tasks of the build say the same.
        foreach (var task in build.Json.GetProperty("tasks").EnumerateArray().Where(t => t.GetProperty("status").GetString() == "blocked"))
            Assert.True(stopped.Any(task.GetProperty("message").GetString()!.Contains), $"blocked task does not name the stopped box: {task}");

        // A stopped line leaves nothing to do but what the stopped boxes hold: no task planned, a second build runs none.
        Assert.True(plan.Json.GetProperty("tasks").GetArrayLength() == 0, plan.ToString());
        var again = E2E.Cli(home, "build", "--json");
        Assert.True(again.ExitCode == 2, again.ToString());
        Assert.True(again.Json.GetProperty("tasks").GetArrayLength() == 0, again.ToString());
        Assert.Equal(statusBlocked, again.Json.GetProperty("summary").GetProperty("blocked").GetInt64());
    }
}
