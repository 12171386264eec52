using Xunit.Abstractions;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// A box whose input is placed in the lake but still waits for its commit starts at once (the latency of a chain is
/// its compute, not its depth times a commit), and commits after that input: on a real Shop process paused at its
/// first group commit.
/// </summary>
public sealed class ChainPipelineTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_box_reading_a_version_that_waits_for_its_commit_is_computed_meanwhile_and_committed_after_it()
    {
        var home = _dir.Combine("chain");
        E2E.Generate(home, E2E.Day(1), E2E.Day(5));
        var ingest = E2E.Cli(home, "ingest");
        Assert.True(ingest.ExitCode == 0, ingest.Console);
        var release = _dir.Combine("release");
        // The first commit of the build (a transform's: the sources are in) waits before it takes its batch.
        using var build = ShopProcess.Start(new Dictionary<string, string> { ["TAKT_PAUSE_AT"] = "group-commit-start", ["TAKT_PAUSE_FILE"] = release },
            "build", "--home", home);
        var exited = build.WaitAsync(Timeout);
        var chain = await PlacedChainAsync(home, release, exited);
        File.WriteAllText(release, "");
        var exit = await exited;
        output.WriteLine(build.Output);

        Assert.True(chain is not null, $"while the first commit waited, no box reading a placed, uncommitted version was computed:\n{build.Output}");
        output.WriteLine($"placed together before any commit: {chain}");
        Assert.True(exit == 0, $"the build exited {exit}:\n{build.Output}");
        LedgerSnapshot.AssertConsistent(home, "after a build whose chains did not wait for commits");
        Assert.Equal(0, E2E.Cli(home, "plan", "--json").Json.GetProperty("tasks").GetArrayLength()); // every box committed
    }

    /// <summary>Once the build waits in its first commit: a version placed and not in the ledger whose input dataset also has one, or null.</summary>
    private static async Task<string?> PlacedChainAsync(string home, string release, Task exited)
    {
        var factory = E2E.ShopFactoryAt();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!exited.IsCompleted && clock.Elapsed < Timeout)
        {
            if (File.Exists(release + ".reached"))
            {
                var placed = PlacedNotCommitted(home);
                var chained = placed.FirstOrDefault(p => factory[p.Dataset].Inputs.Any(i => placed.Any(q => q.Dataset == i.Dataset)));
                if (chained != default) return $"{chained.Dataset}@{chained.Box} ({chained.Id})";
            }
            await Task.Delay(50);
        }
        return null;
    }

    private static List<(string Dataset, string Box, string Id)> PlacedNotCommitted(string home)
    {
        var lake = Path.Combine(home, "lake");
        if (!File.Exists(LedgerSnapshot.PathOf(home)) || !Directory.Exists(lake)) return [];
        var known = LedgerSnapshot.Read(home).Versions;
        return Directory.GetDirectories(lake).Where(d => !Path.GetFileName(d).StartsWith('_'))
            .SelectMany(dataset => Directory.GetDirectories(dataset).SelectMany(box => Directory.GetDirectories(box)
                .Select(version => (Dataset: Path.GetFileName(dataset), Box: Path.GetFileName(box), Id: Path.GetFileName(version)))))
            .Where(v => !known.ContainsKey(v.Id)).ToList();
    }
}
