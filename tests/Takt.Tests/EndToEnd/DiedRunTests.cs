using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Takt.Composition;
using Takt.Running;
using Takt.Server;
using Takt.Tests.Scheduling;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// A run whose process is gone is not "running": a real Shop build is killed with SIGKILL mid-run, and every place that
/// lists runs (the CLI's <c>runs</c>, the dashboard's <c>/api/runs</c>) says it died and when it was last seen.
/// </summary>
public sealed class DiedRunTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_build_killed_with_kill_9_is_listed_as_died_with_when_it_was_last_seen()
    {
        var home = _dir.Combine("home");
        E2E.Generate(home, E2E.Day(1), E2E.Day(30));
        string killedRun;
        using (var build = ShopProcess.Start(null, "build", "--home", home))
        {
            killedRun = WaitForRunningRun(home, build);
            build.Kill();
        }
        // A run of a live process (this test's) stays running.
        using (var ws = WorkspaceBuilder.At(home).Open(E2E.ShopFactoryAt())) ws.Ledger.StartRun("live-run", "prod", "build");

        await using var server = await DashboardServer.StartAsync(E2E.ShopFactoryAt(), WorkspaceBuilder.At(home), null,
            new ServeSettings { Bind = IPAddress.Loopback, Port = 0, RunSchedulerLoop = false });
        using var http = new HttpClient { BaseAddress = server.Url };
        var api = JsonDocument.Parse(await http.GetStringAsync("/api/runs")).RootElement.GetProperty("runs").EnumerateArray()
            .ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal("died", api[killedRun].GetProperty("status").GetString());
        Assert.Equal("running", api["live-run"].GetProperty("status").GetString());
        var lastSeen = LastSeen(home, killedRun);
        Assert.Equal(lastSeen, api[killedRun].GetProperty("lastSeenAt").GetInt64());
        var clock = DateTimeOffset.FromUnixTimeMilliseconds(lastSeen).UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

        var text = E2E.Cli(home, "runs");
        Assert.True(text.ExitCode == 0, text.ToString());
        var killedLine = text.Console.Split('\n').Single(l => l.Contains(killedRun, StringComparison.Ordinal));
        Assert.Contains($"died (last seen {clock}Z)", killedLine);
        Assert.Contains("running", text.Console.Split('\n').Single(l => l.Contains("live-run", StringComparison.Ordinal)));

        var json = E2E.Cli(home, "runs", "--json");
        var runs = json.Json.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal("died", runs[killedRun].GetProperty("status").GetString());
        Assert.Equal(lastSeen, runs[killedRun].GetProperty("lastSeenAt").GetInt64());
        Assert.Equal("running", runs["live-run"].GetProperty("status").GetString());

    }

    [Fact]
    public void A_run_is_seen_alive_each_time_its_leases_are_renewed()
    {
        var clock = new ManualClock(ManualClock.Utc(2026, 1, 10, 12, 0));
        using var ws = WorkspaceBuilder.At(_dir.Path).Clock(clock).Open(E2E.ShopFactoryAt());
        var ledger = ws.Ledger;
        ledger.StartRun("renewing", "prod", "build");
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), ledger.FindRun("renewing")!.LastSeenAtMs);

        clock.Advance(TimeSpan.FromMinutes(5));
        using (LeaseKeeper.Of(ledger, "renewing"))
        {
            var renewed = clock.GetUtcNow().ToUnixTimeMilliseconds();
            Assert.True(SpinWait.SpinUntil(() => ledger.FindRun("renewing")!.LastSeenAtMs == renewed, LeaseKeeper.Ttl * 3),
                "the lease renewal did not record that the run was seen");
        }
    }

    /// <summary>The id of the build's run, once the ledger has it as running; fails if the build ends first.</summary>
    private static string WaitForRunningRun(string home, ShopProcess build)
    {
        string? run = null;
        var seen = SpinWait.SpinUntil(() =>
        {
            if (build.HasExited) return true;
            if (!File.Exists(LedgerSnapshot.PathOf(home))) return false;
            try { run = Query(home, "SELECT id FROM runs WHERE command = 'build' AND status = 'running'", null) as string; }
            catch (SqliteException) { return false; } // the ledger is being created
            return run is not null;
        }, Timeout);
        Assert.True(seen && run is not null && !build.HasExited, $"the build ended before it could be killed:\n{build.Output}");
        return run!;
    }

    private static long LastSeen(string home, string run) =>
        (long)Query(home, "SELECT coalesce(last_seen_at_ms, started_at_ms) FROM runs WHERE id = $id", run)!;

    private static object? Query(string home, string sql, string? id)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = LedgerSnapshot.PathOf(home), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (id is not null) command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar();
    }
}
