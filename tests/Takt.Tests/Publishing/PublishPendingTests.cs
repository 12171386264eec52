using Takt.Composition;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Publishing;

/// <summary>
/// Contract 7: a publish is part of being fresh. While a target's live copy is not made of the environment's current
/// versions, plan and status show the publish pending and the next build completes it, even when no task runs.
/// </summary>
public sealed class PublishPendingTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly E2EDirectory _dir = new();
    private string Home => _dir.Combine("home");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_crash_between_commit_and_publish_leaves_the_publish_pending_and_the_next_build_completes_it_without_a_task()
    {
        E2E.Generate(Home, E2E.Day(1), E2E.Day(5));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        E2E.Generate(Home, E2E.Day(6), E2E.Day(6));
        using (var crashing = ShopProcess.Start(new Dictionary<string, string> { ["TAKT_CRASH_AT"] = "before-publish" }, "build", "--home", Home))
        {
            Assert.NotEqual(0, await crashing.WaitAsync(Timeout));
            Assert.Contains("fault injected at before-publish", crashing.Output);
        }
        Assert.Equal("c1", LiveCopy().Copy);
        Assert.NotEqual(CurrentScores(), LiveCopy().Versions.Order());

        var plan = E2E.Cli(Home, "plan", "--json");
        Assert.Empty(plan.Json.GetProperty("tasks").EnumerateArray());
        var pending = Assert.Single(plan.Json.GetProperty("pendingPublishes").EnumerateArray());
        Assert.Equal(("serving.fraud_scores", "sqlite:fraud_scores", "c1", false),
            (pending.GetProperty("dataset").GetString(), pending.GetProperty("target").GetString(), pending.GetProperty("live").GetString(), pending.GetProperty("held").GetBoolean()));
        Assert.Contains("publish pending: serving.fraud_scores to sqlite:fraud_scores: live copy c1 holds 0 version(s) that are no longer current in prod and lacks 1 current one(s)",
            E2E.Cli(Home, "plan").Console);
        Assert.Single(E2E.Cli(Home, "status", "--json").Json.GetProperty("pendingPublishes").EnumerateArray());
        Assert.Contains("publish pending: serving.fraud_scores", E2E.Cli(Home, "status").Console);
        Assert.Contains("publish pending: serving.fraud_scores", E2E.Cli(Home, "build", "--no-publish").Console);

        var build = E2E.Cli(Home, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Empty(build.Json.GetProperty("tasks").EnumerateArray());
        var copy = Assert.Single(build.Json.GetProperty("published").EnumerateArray());
        Assert.Equal(("c2", 6), (copy.GetProperty("copy").GetString(), copy.GetProperty("versions").GetInt32()));
        Assert.Empty(build.Json.GetProperty("pendingPublishes").EnumerateArray());
        Assert.Equal(CurrentScores(), LiveCopy().Versions.Order());
        Assert.Empty(E2E.Cli(Home, "plan", "--json").Json.GetProperty("pendingPublishes").EnumerateArray());
    }

    [Fact]
    public void A_rollback_holds_readers_on_the_older_copy_until_the_versions_change_or_someone_publishes()
    {
        E2E.Generate(Home, E2E.Day(1), E2E.Day(5));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        E2E.Generate(Home, E2E.Day(6), E2E.Day(6));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        Assert.Equal(0, E2E.Cli(Home, "rollback", "serving.fraud_scores").ExitCode);
        Assert.Equal("c1", LiveCopy().Copy);

        var held = Assert.Single(E2E.Cli(Home, "plan", "--json").Json.GetProperty("pendingPublishes").EnumerateArray());
        Assert.True(held.GetProperty("held").GetBoolean());
        Assert.Contains("publish held: serving.fraud_scores to sqlite:fraud_scores: readers were rolled back to copy c1", E2E.Cli(Home, "plan").Console);
        var build = E2E.Cli(Home, "build", "--json");
        Assert.Empty(build.Json.GetProperty("published").EnumerateArray());
        Assert.Equal("c1", LiveCopy().Copy);

        E2E.Generate(Home, E2E.Day(7), E2E.Day(7)); // new versions: the hold ends with them
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        Assert.Equal("c3", LiveCopy().Copy);
        Assert.Equal(CurrentScores(), LiveCopy().Versions.Order());

        Assert.Equal(0, E2E.Cli(Home, "rollback", "serving.fraud_scores").ExitCode);
        Assert.Equal("c2", LiveCopy().Copy);
        Assert.Equal(0, E2E.Cli(Home, "publish", "serving.fraud_scores").ExitCode); // by hand: the hold ends
        Assert.Equal("c4", LiveCopy().Copy);
        Assert.Empty(E2E.Cli(Home, "plan", "--json").Json.GetProperty("pendingPublishes").EnumerateArray());
    }

    /// <summary>The README's tour, step by step: after the fixing build nothing is left to do, and readers see the fixed day.</summary>
    [Fact]
    public void After_the_tours_fixing_build_the_plan_is_empty_and_the_published_copy_is_made_of_the_current_versions()
    {
        var broken = new DateOnly(2026, 2, 10);
        E2E.Generate(Home, Shop.ShopCommands.DefaultFrom, Shop.ShopCommands.DefaultTo); // what the first `shop build` generates
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        E2E.Generate(Home, broken, broken, "negative-amounts");
        Assert.Equal(2, E2E.Cli(Home, "build").ExitCode);
        E2E.Generate(Home, broken, broken);
        var fixing = E2E.Cli(Home, "build");
        Assert.True(fixing.ExitCode == 0, fixing.ToString());

        var plan = E2E.Cli(Home, "plan", "--json");
        Assert.True(plan.Json.GetProperty("tasks").GetArrayLength() == 0, plan.ToString());
        Assert.Empty(plan.Json.GetProperty("pendingPublishes").EnumerateArray());
        Assert.Equal(60, CurrentScores().Count);
        Assert.Equal(CurrentScores(), LiveCopy().Versions.Order());
    }

    private Ledger.PublicationRecord LiveCopy()
    {
        using var ws = WorkspaceBuilder.At(Home).Open(E2E.ShopFactoryAt());
        return ws.Ledger.Publications("serving.fraud_scores").Single(p => p.Live);
    }

    /// <summary>prod's current versions of every box of serving.fraud_scores, ordered.</summary>
    private List<string> CurrentScores() => LedgerSnapshot.Read(Home).Boxes
        .Where(b => b.Env == "prod" && b.Dataset == "serving.fraud_scores" && b.CurrentVersion is not null).Select(b => b.CurrentVersion!).Order().ToList();
}
