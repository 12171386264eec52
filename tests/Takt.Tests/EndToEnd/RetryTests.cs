using Takt.Composition;
using Takt.Building;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// The runner retries what another attempt can fix (a file system that briefly refuses a write) and nothing else (SQL
/// that does not parse fails at once), and the task log says which it was.
/// </summary>
/// <remarks>The transient fault needs root (chattr), as <see cref="LedgerFaultTests"/> do.</remarks>
public sealed class RetryTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly E2EDirectory _dir = new();
    private readonly string _home;

    public RetryTests()
    {
        _home = _dir.Combine("home");
        E2E.Generate(_home, E2E.Day(1), E2E.Day(2));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_sql_typo_is_tried_once_and_the_task_log_says_it_was_not_retried()
    {
        var factoryDir = _dir.Combine("factory");
        E2E.CopySql(factoryDir);
        var path = Path.Combine(factoryDir, "sql/mart/daily_revenue.sql");
        var sql = File.ReadAllText(path);
        Assert.Contains("SELECT", sql);
        File.WriteAllText(path, sql.Replace("SELECT", "SELEC"));

        using var ws = WorkspaceBuilder.At(_home).Open(E2E.ShopFactoryAt(factoryDir));
        var result = new BuildService(ws).Build(["mart.daily_revenue"], options: new RunOptions { Attempts = 3, Backoff = TimeSpan.FromMilliseconds(1) });

        var failed = result.Tasks.Where(t => t.Dataset == "mart.daily_revenue").ToList();
        Assert.Equal(2, failed.Count);
        Assert.All(failed, t => Assert.Equal((BuildStatus.Failed, 1), (t.Outcome.Status, t.Attempts)));
        var task = ws.Ledger.Tasks(result.RunId).First(t => t.Dataset == "mart.daily_revenue");
        var log = ws.Ledger.TaskLog(task.Id);
        Assert.Contains(log, line => line.StartsWith("not retried: DuckDB Parser error", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.StartsWith("retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_box_directory_that_briefly_refuses_writes_is_retried_and_the_task_log_says_it_was_transient()
    {
        Assert.Equal(0, E2E.Cli(_home, "build").ExitCode);
        var day = E2E.Key(E2E.Day(1));
        var invalidate = E2E.Cli(_home, "invalidate", "core.orders", "--from", day, "--to", day, "--reason", "retry test");
        Assert.True(invalidate.ExitCode == 0, invalidate.ToString());
        var boxDirectory = Path.Combine(_home, "lake", "core.orders", day);
        Assert.True(Directory.Exists(boxDirectory), boxDirectory);
        var release = _dir.Combine("release");

        using var faults = new FileSystemFaults();
        faults.Immutable(boxDirectory); // the new version cannot be moved into the box's directory: not even root can
        using var build = ShopProcess.Start(new Dictionary<string, string> { ["TAKT_PAUSE_AT"] = "task-retry", ["TAKT_PAUSE_FILE"] = release },
            "build", "core.orders", "--home", _home, "--json");
        await WaitForAsync(() => File.Exists(release + ".reached") || build.HasExited, "the first attempt to fail");
        Assert.False(build.HasExited, "the build ended without retrying:\n" + build.Output);
        faults.Mutable(boxDirectory);
        await File.WriteAllTextAsync(release, "");
        Assert.True(await build.WaitAsync(Timeout) == 0, build.Output);

        using var ws = WorkspaceBuilder.At(_home).Open(E2E.ShopFactoryAt());
        var run = ws.Ledger.Runs(1).Single();
        var task = ws.Ledger.Tasks(run.Id).Single(t => t.Dataset == "core.orders" && t.BoxKey == day);
        Assert.Equal((BuildStatus.Built, 2), (task.Status, task.Attempts));
        var log = ws.Ledger.TaskLog(task.Id);
        Assert.Contains(log, line => line.StartsWith("retrying (transient: I/O error)", StringComparison.Ordinal));
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            if (cts.IsCancellationRequested) throw new Xunit.Sdk.XunitException($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
