using Xunit.Abstractions;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// Crash safety, proven on a real process: the Shop program dies at injected points (Environment.FailFast) or by
/// SIGKILL at random times; the ledger and lake it leaves must be consistent, and the next build finishes the work
/// with the same version ids as an uninterrupted build (version ids are recipes).
/// </summary>
/// <remarks>
/// A killed build's leases are taken over at once when its process is gone from this host (otherwise they are honoured
/// until they expire, LeaseKeeper.Ttl); the scenarios run concurrently, each in its own home.
/// </remarks>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Days = 10;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Injected_crashes_leave_a_consistent_ledger_and_the_next_build_finishes_the_work()
    {
        var reference = CleanBuildAsync(_dir.Combine("reference"));
        var scenarios = new[] { "after-stage", "after-promote", "after-commit" }.Select(point => CrashAtAsync(point, _dir.Combine(point))).ToArray();
        var expected = await reference;
        foreach (var scenario in scenarios)
        {
            var (point, home) = await scenario;
            Assert.True(expected.SequenceEqual(CurrentVersions(home)), $"{point}: the versions after recovery differ from an uninterrupted build's");
        }
    }

    [Fact]
    public async Task Kill_9_at_random_times_leaves_a_consistent_ledger_and_a_deterministic_result()
    {
        var reference = CleanBuildAsync(_dir.Combine("reference"));
        var home = _dir.Combine("killed");
        E2E.Generate(home, E2E.Day(1), E2E.Day(Days));
        var random = new Random(20260105);
        for (var round = 1; round <= 3; round++)
        {
            var delay = TimeSpan.FromMilliseconds(500 + random.Next(3500));
            using var build = ShopProcess.Start(null, "build", "--home", home);
            var exited = build.WaitAsync(Timeout);
            var killed = await Task.WhenAny(exited, Task.Delay(delay)) != exited;
            build.Kill();
            var exit = await exited;
            if (!killed) Assert.True(exit == 0, $"round {round}: the build finished before the kill but exited {exit}:\n{build.Output}");
            output.WriteLine($"round {round}: {(killed ? $"killed after {delay.TotalMilliseconds:0} ms" : "finished before the kill")}\n{build.Output}");
            LedgerSnapshot.AssertConsistent(home, $"after kill round {round}");
        }

        await FinishAsync(home, "after the kills");
        Assert.True((await reference).SequenceEqual(CurrentVersions(home)), "the versions after recovery differ from an uninterrupted build's");
    }

    [Fact]
    public async Task A_build_killed_inside_a_group_commit_keeps_none_of_the_batch_and_the_next_build_finishes_the_work()
    {
        var reference = CleanBuildAsync(_dir.Combine("reference"));
        var home = _dir.Combine("batch");
        E2E.Generate(home, E2E.Day(1), E2E.Day(Days));
        var release = _dir.Combine("release-batch");
        // The first commit waits before it takes its batch, so that the tasks finishing meanwhile queue behind it; it then
        // dies inside its ledger write, after the second version of the batch was written.
        using var crashing = ShopProcess.Start(new Dictionary<string, string>
        {
            ["TAKT_PAUSE_AT"] = "group-commit-start", ["TAKT_PAUSE_FILE"] = release, ["TAKT_CRASH_AT"] = "group-commit-written",
        }, "build", "--home", home);
        var exited = crashing.WaitAsync(Timeout);
        var waiting = await Until(() => File.Exists(release + ".reached") ? PlacedNotCommitted(home) : [], placed => placed.Count >= 2, exited);
        Assert.True(waiting.Count >= 2, $"no two versions waited to be committed together:\n{crashing.Output}");
        File.WriteAllText(release, "");
        var exit = await exited;
        output.WriteLine($"exit {exit}\n{Tail(crashing.Output)}");
        Assert.True(exit != 0 && crashing.Output.Contains("fault injected at group-commit-written in a batch of "),
            $"the build should have died inside a batch commit, but exited {exit}:\n{crashing.Output}");

        LedgerSnapshot.AssertConsistent(home, "after a crash inside a batch commit");
        var versions = LedgerSnapshot.Read(home).Versions;
        Assert.All(waiting, id => Assert.False(versions.ContainsKey(id), $"version {id} of the batch the crash cut short is in the ledger"));
        await FinishAsync(home, "after a crash inside a batch commit");
        Assert.True((await reference).SequenceEqual(CurrentVersions(home)), "the versions after recovery differ from an uninterrupted build's");
    }

    /// <summary>Version directories in the lake that the ledger does not know (yet): files placed, waiting for their commit.</summary>
    private static List<string> PlacedNotCommitted(string home)
    {
        var lake = Path.Combine(home, "lake");
        if (!File.Exists(LedgerSnapshot.PathOf(home)) || !Directory.Exists(lake)) return [];
        var known = LedgerSnapshot.Read(home).Versions;
        return Directory.GetDirectories(lake).Where(d => !Path.GetFileName(d).StartsWith('_'))
            .SelectMany(Directory.GetDirectories).SelectMany(Directory.GetDirectories)
            .Select(Path.GetFileName).OfType<string>().Where(id => !known.ContainsKey(id)).ToList();
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> says yes, the process exits, or the timeout passes; returns the last value.</summary>
    private static async Task<T> Until<T>(Func<T> read, Func<T, bool> done, Task exited)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var value = read();
        while (!done(value) && !exited.IsCompleted && clock.Elapsed < Timeout)
        {
            await Task.Delay(50);
            value = read();
        }
        return value;
    }

    [Fact]
    public async Task The_leases_of_a_build_whose_process_died_are_taken_over_at_once_and_a_live_builds_are_not()
    {
        var home = _dir.Combine("takeover");
        await CrashMidBuildAsync(home);

        using var ws = Takt.Composition.WorkspaceBuilder.At(home).Open(E2E.ShopFactoryAt());
        var ledger = ws.Ledger;
        var held = Leases(home);
        Assert.NotEmpty(held); // the run's own lease and the box it was building, not yet expired
        using (var resumer = Takt.Running.LeaseKeeper.Of(ledger, "resumer"))
            foreach (var key in held)
            {
                Assert.True(resumer.Acquire(key, () => throw new Xunit.Sdk.XunitException($"waited for {key}, held by a dead build")));
                Assert.Equal("resumer", ledger.LeaseHolder(key));
                resumer.Release(key);
            }

        ledger.StartRun("live-run", "prod", "build"); // this test's own process: alive
        Assert.True(ledger.TryAcquireLease("box-of-a-live-run", "live-run", TimeSpan.FromMinutes(1)));
        using var other = Takt.Running.LeaseKeeper.Of(ledger, "other");
        Assert.False(other.Acquire("box-of-a-live-run", done: () => true));
        Assert.Equal("live-run", ledger.LeaseHolder("box-of-a-live-run"));
    }

    [Fact]
    public async Task The_next_build_clears_the_staging_area_of_a_build_whose_process_died_at_once()
    {
        var home = _dir.Combine("staging");
        await CrashMidBuildAsync(home);
        var staging = Path.Combine(home, "lake", "_staging");
        var crashedRuns = Directory.GetDirectories(staging).Select(Path.GetFileName).ToArray();
        Assert.NotEmpty(crashedRuns);
        Assert.NotEmpty(Leases(home)); // its run lease has not expired: only its process being gone says it is dead

        Assert.Equal(0, E2E.Cli(home, "build").ExitCode);
        Assert.Empty(Directory.GetDirectories(staging).Select(Path.GetFileName).Intersect(crashedRuns));
    }

    /// <summary>Two days of data and a build that dies with its third box staged, holding its leases and staging area.</summary>
    private static async Task CrashMidBuildAsync(string home)
    {
        E2E.Generate(home, E2E.Day(1), E2E.Day(2));
        using var crashing = ShopProcess.Start(new Dictionary<string, string> { ["TAKT_CRASH_AT"] = "after-stage", ["TAKT_CRASH_AFTER"] = "3" }, "build", "--home", home);
        Assert.NotEqual(0, await crashing.WaitAsync(Timeout));
    }

    /// <summary>The keys of the leases that have not expired yet.</summary>
    private static List<string> Leases(string home)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={LedgerSnapshot.PathOf(home)};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT key FROM leases WHERE expires_at_ms > $now";
        cmd.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        using var r = cmd.ExecuteReader();
        var keys = new List<string>();
        while (r.Read()) keys.Add(r.GetString(0));
        return keys;
    }

    private async Task<(string Point, string Home)> CrashAtAsync(string point, string home)
    {
        E2E.Generate(home, E2E.Day(1), E2E.Day(Days));
        using (var crashing = ShopProcess.Start(new Dictionary<string, string> { ["TAKT_CRASH_AT"] = point, ["TAKT_CRASH_AFTER"] = "5" }, "build", "--home", home))
        {
            var exit = await crashing.WaitAsync(Timeout);
            output.WriteLine($"{point}: exit {exit}\n{Tail(crashing.Output)}");
            Assert.True(exit != 0, $"{point}: the build should have died at the fifth hit, but exited 0:\n{crashing.Output}");
            Assert.Contains($"fault injected at {point}", crashing.Output);
        }
        LedgerSnapshot.AssertConsistent(home, $"after a crash at {point}");
        await FinishAsync(home, $"after a crash at {point}");
        return (point, home);
    }

    /// <summary>A build without faults succeeds, leaves a consistent ledger and nothing to do.</summary>
    private async Task FinishAsync(string home, string context)
    {
        using var build = ShopProcess.Start(null, "build", "--home", home);
        var exit = await build.WaitAsync(Timeout);
        Assert.True(exit == 0, $"{context}: the recovery build exited {exit}:\n{build.Output}");
        LedgerSnapshot.AssertConsistent(home, $"{context}, recovered");
        var plan = E2E.Cli(home, "plan", "--json");
        Assert.True(plan.ExitCode == 0 && plan.Json.GetProperty("tasks").GetArrayLength() == 0, $"{context}: work left after the recovery build:\n{plan}");
        var ledger = LedgerSnapshot.Read(home);
        Assert.Equal(E2E.Datasets.Length * Days, ledger.Boxes.Count(b => b.CurrentVersion is not null && b.HeadStatus == "ok"));
    }

    private async Task<SortedDictionary<string, string>> CleanBuildAsync(string home)
    {
        E2E.Generate(home, E2E.Day(1), E2E.Day(Days));
        using var build = ShopProcess.Start(null, "build", "--home", home);
        var exit = await build.WaitAsync(Timeout);
        Assert.True(exit == 0, $"the reference build exited {exit}:\n{build.Output}");
        var versions = CurrentVersions(home);
        Assert.Equal(E2E.Datasets.Length * Days, versions.Count);
        return versions;
    }

    private static SortedDictionary<string, string> CurrentVersions(string home) => LedgerSnapshot.Read(home).CurrentVersions();

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(8));
}
