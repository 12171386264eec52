using System.Text.Json;
using Takt.Running;

namespace Takt.Tests.EndToEnd;

/// <summary>The README tour's "break a day, fix it" steps, run as written: after the fixing build nothing is left to do.</summary>
public sealed class TourRecoveryTests : IDisposable
{
    private const string BadDay = "2026-02-10";
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void After_the_build_that_fixes_a_stopped_day_plan_is_empty_and_a_second_build_runs_no_task()
    {
        var home = _home.Path;
        var first = E2E.Cli(home, "build", "--json");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(480, first.Json.GetProperty("tasks").GetArrayLength());

        Assert.Equal(0, E2E.Cli(home, "generate", "--from", BadDay, "--to", BadDay, "--defects", "negative-amounts").ExitCode);
        var stopped = E2E.Cli(home, "build", "--json");
        Assert.True(stopped.ExitCode == 2, stopped.ToString());

        Assert.Equal(0, E2E.Cli(home, "generate", "--from", BadDay, "--to", BadDay).ExitCode);
        var fixing = E2E.Cli(home, "build", "--json");
        Assert.True(fixing.ExitCode == 0, fixing.ToString());
        Assert.Empty(fixing.Json.GetProperty("stopped").EnumerateArray());

        var plan = E2E.Cli(home, "plan", "--json");
        Assert.True(plan.Json.GetProperty("tasks").GetArrayLength() == 0, $"plan after the fixing build is not empty:\n{plan}");

        var status = E2E.Cli(home, "status", "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        foreach (var dataset in status.Json.GetProperty("datasets").EnumerateArray())
        {
            Assert.True(dataset.GetProperty("stale").GetInt64() == 0, $"{dataset.GetProperty("dataset")} has stale boxes:\n{status}");
            Assert.True(dataset.GetProperty("fresh").GetInt64() == 60, $"{dataset.GetProperty("dataset")} is not fresh in all 60 days:\n{status}");
        }

        var second = E2E.Cli(home, "build", "--json");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.True(second.Json.GetProperty("tasks").GetArrayLength() == 0, $"a second build after the fix ran tasks:\n{second}");
        LedgerSnapshot.AssertConsistent(home, "after the tour's fix");
    }
}
