using Microsoft.Data.Sqlite;
using Takt.Composition;
using Takt.Publishing;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Publishing;

/// <summary>One publisher per target at a time, and never a wait on a publisher that is dead.</summary>
public sealed class PublishLeaseTests : IDisposable
{
    private const string Key = "publish:serving.fraud_scores:sqlite:fraud_scores";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly E2EDirectory _dir = new();
    private string Home => _dir.Combine("home");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_publish_killed_while_holding_its_lease_holds_up_neither_the_next_build_nor_the_next_publish()
    {
        E2E.Generate(Home, E2E.Day(1), E2E.Day(2));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);

        await PublishDiesHoldingTheLeaseAsync(E2E.Day(3));
        using (var build = ShopProcess.Start(null, "build", "--home", Home))
        {
            Assert.Equal(0, await build.WaitAsync(Timeout)); // before: it waited 5 minutes for the dead publish's lease
            Assert.Contains("published serving.fraud_scores to sqlite:fraud_scores", build.Output);
        }

        await PublishDiesHoldingTheLeaseAsync(E2E.Day(4));
        using var publish = ShopProcess.Start(null, "publish", "serving.fraud_scores", "--home", Home);
        Assert.Equal(0, await publish.WaitAsync(Timeout));
    }

    [Fact]
    public void A_publish_waits_for_a_live_holder_a_bounded_time_and_names_it()
    {
        E2E.Generate(Home, E2E.Day(1), E2E.Day(1));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        using var ws = WorkspaceBuilder.At(Home).Open(E2E.ShopFactoryAt());
        ws.Ledger.StartRun("holding-run", "prod", "publish"); // this test's own process: alive
        Assert.True(ws.Ledger.TryAcquireLease(Key, "holding-run", TimeSpan.FromMinutes(1)));

        var refused = Assert.Throws<PublishTargetException>(() =>
            new PublishLock(ws.Ledger, ws.Ledger, "serving.fraud_scores", "sqlite:fraud_scores", "waiting-run", wait: TimeSpan.FromMilliseconds(300)));
        Assert.Contains($"held by run holding-run (publish on host {Environment.MachineName}, pid {Environment.ProcessId}, since ", refused.Message);
        Assert.Equal("holding-run", ws.Ledger.LeaseHolder(Key));
    }

    /// <summary>A publish process dies between writing its copy and switching readers to it, holding the target's lease.</summary>
    private async Task PublishDiesHoldingTheLeaseAsync(DateOnly newDay)
    {
        E2E.Generate(Home, newDay, newDay); // something new to publish
        Assert.Equal(0, E2E.Cli(Home, "build", "--no-publish").ExitCode);
        using var dying = ShopProcess.Start(new Dictionary<string, string> { ["TAKT_CRASH_AT"] = "publish-before-switch" }, "publish", "serving.fraud_scores", "--home", Home);
        Assert.NotEqual(0, await dying.WaitAsync(Timeout));
        Assert.Contains("fault injected at publish-before-switch", dying.Output);
        Assert.NotNull(LeaseHolder());
    }

    private string? LeaseHolder()
    {
        using var connection = new SqliteConnection($"Data Source={LedgerSnapshot.PathOf(Home)};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT owner FROM leases WHERE key = $key";
        cmd.Parameters.AddWithValue("$key", Key);
        return cmd.ExecuteScalar() as string;
    }
}
