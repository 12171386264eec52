using Xunit.Abstractions;
using Takt.Ledger;

namespace Takt.Tests.EndToEnd;

/// <summary>Two builds racing on one home: both succeed, every box is computed and committed once, the other build reuses it.</summary>
public sealed class ConcurrencyTests(ITestOutputHelper output) : IDisposable
{
    private const int Days = 10;
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Two_builds_on_the_same_home_both_succeed_and_commit_each_box_once()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(Days));

        using var first = ShopProcess.Start(null, "build", "--home", home);
        using var second = ShopProcess.Start(null, "build", "--home", home);
        var exits = await Task.WhenAll(first.WaitAsync(TimeSpan.FromMinutes(3)), second.WaitAsync(TimeSpan.FromMinutes(3)));
        output.WriteLine($"first: exit {exits[0]}\n{first.Output}\nsecond: exit {exits[1]}\n{second.Output}");
        Assert.True(exits[0] == 0, $"the first build exited {exits[0]}:\n{first.Output}");
        Assert.True(exits[1] == 0, $"the second build exited {exits[1]}:\n{second.Output}");

        var ledger = LedgerSnapshot.Read(home);
        var boxes = E2E.Datasets.Length * Days;
        var perBox = ledger.Versions.Values.GroupBy(v => (v.Dataset, v.BoxKey)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(boxes, perBox.Count);
        Assert.True(perBox.All(p => p.Value == 1), "boxes with more than one version: " + string.Join(", ", perBox.Where(p => p.Value != 1).Select(p => $"{p.Key.Dataset}@{p.Key.BoxKey} ({p.Value})")));
        Assert.Equal(boxes, ledger.Boxes.Count(b => b.CurrentVersion is not null && b.HeadStatus == "ok"));

        // One wins, the other reuses: across both runs each box was built by exactly one task.
        var builtBy = ledger.Tasks.Where(t => t.Status == "built").GroupBy(t => (t.Dataset, t.BoxKey)).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(builtBy.Count == boxes && builtBy.Values.All(n => n == 1),
            "boxes not built exactly once: " + string.Join(", ", perBox.Keys.Where(k => builtBy.GetValueOrDefault(k) != 1).Select(k => $"{k.Dataset}@{k.BoxKey} ({builtBy.GetValueOrDefault(k)})")));
        Assert.DoesNotContain(ledger.Tasks, t => t.Status is "failed" or "running");

        // The lake holds exactly one version directory per box.
        var lake = Path.Combine(home, "lake");
        var datasetDirs = Directory.GetDirectories(lake).Where(d => Path.GetFileName(d) != "_staging").ToArray();
        Assert.Equal(E2E.Datasets.Order(StringComparer.Ordinal), datasetDirs.Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal));
        foreach (var datasetDir in datasetDirs)
        {
            var boxDirs = Directory.GetDirectories(datasetDir);
            Assert.Equal(Days, boxDirs.Length);
            foreach (var boxDir in boxDirs)
            {
                var versions = Directory.GetDirectories(boxDir).Select(d => Path.GetFileName(d)!).ToArray();
                Assert.True(versions.Length == 1, $"{Path.GetRelativePath(lake, boxDir)} holds {versions.Length} version directories: {string.Join(", ", versions)}");
                Assert.True(ledger.Versions.ContainsKey(versions[0]), $"{Path.GetRelativePath(lake, boxDir)}/{versions[0]} is not in the ledger");
            }
        }

        LedgerSnapshot.AssertConsistent(home, "after two concurrent builds");
        Assert.Equal(0, E2E.Cli(home, "plan", "--json").Json.GetProperty("tasks").GetArrayLength());
    }
}

/// <summary>Builds that start together on one home record each deploy once.</summary>
public sealed class ConcurrentDeployTests : IDisposable
{
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Three_concurrent_builds_of_new_code_record_one_deploy_event_per_dataset()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(1));
        Assert.Equal(0, E2E.Cli(home, "plan").ExitCode); // the ledger exists, so the builds race on deploys, not on creating it

        using var start = new Barrier(3);
        var builds = Enumerable.Range(0, 3).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return E2E.Cli(home, "build", "--no-publish");
        }, TaskCreationOptions.LongRunning)).ToArray();
        var results = await Task.WhenAll(builds);
        Assert.All(results, b => Assert.True(b.ExitCode == 0, b.ToString()));

        using var ws = Takt.Composition.WorkspaceBuilder.At(home).Open(E2E.ShopFactoryAt());
        var deploys = ws.Ledger.Events(null, 1000).Where(e => e.Kind == EventKind.Deploy).GroupBy(e => e.Dataset!).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(deploys.Count == E2E.Datasets.Length && deploys.Values.All(n => n == 1),
            "deploy events per dataset: " + E2E.Show(deploys));
    }
}
