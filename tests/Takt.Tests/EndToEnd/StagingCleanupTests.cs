using System.Diagnostics;

namespace Takt.Tests.EndToEnd;

/// <summary>What a build killed with kill -9 leaves in the staging area is gone after the next build.</summary>
public sealed class StagingCleanupTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <remarks>
    /// The killed build's parent never waits for it (a shell that exec'ed another program, or a daemon that does not
    /// reap its children), so the dead build stays a zombie: its pid still answers, but it runs no more.
    /// </remarks>
    [Fact]
    public async Task The_next_build_clears_the_staging_area_of_a_build_killed_mid_task_whose_parent_never_reaped_it()
    {
        var home = _dir.Combine("home");
        E2E.Generate(home, E2E.Day(1), E2E.Day(2));
        var release = Path.Combine(home, "never-released");
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("\"$0\" \"$1\" build --home \"$2\" >/dev/null 2>&1 & echo $!; exec sleep 600");
        info.ArgumentList.Add(ShopProcess.DotnetHost());
        info.ArgumentList.Add(ShopProcess.ShopDll);
        info.ArgumentList.Add(home);
        info.Environment["TAKT_PAUSE_AT"] = "after-stage";
        info.Environment["TAKT_PAUSE_FILE"] = release;
        info.Environment.Remove("TAKT_HOME");
        using var parent = Process.Start(info)!;
        try
        {
            var pid = int.Parse(await parent.StandardOutput.ReadLineAsync() ?? throw new Xunit.Sdk.XunitException("no pid from sh"));
            await WaitForAsync(() => File.Exists(release + ".reached"), "the build to stage its first box");
            var staging = Path.Combine(home, "lake", "_staging");
            var killedRuns = Directory.GetDirectories(staging).Select(Path.GetFileName).ToArray();
            Assert.NotEmpty(Directory.GetDirectories(Assert.Single(Directory.GetDirectories(staging))));

            using (var build = Process.GetProcessById(pid)) build.Kill(); // SIGKILL, mid-task, with its files staged
            await WaitForAsync(() => State(pid) == 'Z', "the killed build to be a zombie");

            var next = E2E.Cli(home, "build");
            Assert.True(next.ExitCode == 0, next.ToString());
            Assert.Empty(Directory.GetDirectories(staging).Select(Path.GetFileName).Intersect(killedRuns));
        }
        finally
        {
            parent.Kill(); // the sleep that never reaped the build; the zombie goes with it
            parent.WaitForExit();
        }
    }

    /// <summary>The process state letter in /proc/PID/stat: after the command name in parentheses (which may hold any character).</summary>
    private static char State(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
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
