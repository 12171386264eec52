using System.Diagnostics;
using Xunit.Abstractions;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// Real faults under the ledger of a running Shop build (a child process): a full file system, immutable ledger files,
/// a read-only home. The build stops in one line naming the ledger and the cause, with exit code 3 (never a stack trace,
/// exit 134 or a SIGBUS), and what it committed before is kept: the ledger is consistent and the next build finishes.
/// </summary>
/// <remarks>Needs root (mount, chattr) and an ext4-like /tmp, as the machines and CI have; mounts and flags are undone even when a test fails.</remarks>
public sealed class LedgerFaultTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    private readonly E2EDirectory _dir = new();
    private readonly FileSystemFaults _faults = new();

    public void Dispose()
    {
        _faults.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_full_disk_stops_the_build_in_one_line_naming_the_ledger_and_keeps_what_was_committed()
    {
        var landing = _dir.Combine("landing");
        Shop.Generator.LandingGenerator.Generate(landing, E2E.Day(1), E2E.Day(30), []);
        var home = _dir.Combine("home");
        _faults.Tmpfs(home, "2m"); // the ledger, the lake and the lineage events of 30 days need about 6 MB

        var (exit, stderr) = await RunAsync("build", "--home", home, "--landing", landing);

        AssertStoppedByLedger(exit, stderr, home, "database or disk is full");
        var committed = LedgerSnapshot.Read(home).CurrentVersions();
        Assert.NotEmpty(committed);
        _faults.Resize(home, "64m");
        await AssertRecoversAsync(home, committed, "--landing", landing);
    }

    [Theory]
    [InlineData("ledger.db")]
    [InlineData("ledger.db-wal")]
    [InlineData("ledger.db-shm")] // mapped into memory by SQLite: a write to it is a SIGBUS, not an error code
    public async Task An_immutable_ledger_file_stops_the_build_in_one_line_naming_the_ledger(string file)
    {
        var home = _dir.Combine("home");
        E2E.Generate(home, E2E.Day(1), E2E.Day(1).AddDays(59));
        using var build = ShopProcess.Start(null, "build", "--home", home, "-j", "1");
        var exited = build.WaitAsync(Timeout);
        // Some boxes are committed and most are not: then the file stops taking writes.
        while (!build.HasExited && CommittedFiles(home) < 20) await Task.Delay(20);
        Assert.False(build.HasExited, $"the build ended before the fault was injected:\n{build.Output}");
        _faults.Immutable(Path.Combine(home, file));

        var exit = await exited;
        output.WriteLine(build.Output);
        var stderr = string.Join('\n', build.Output.Split('\n').Where(l => l.StartsWith("stderr: ", StringComparison.Ordinal)).Select(l => l["stderr: ".Length..]));
        AssertStoppedByLedger(exit, stderr, home, file == "ledger.db-shm" ? "SIGBUS" : Path.Combine(home, file));

        _faults.Mutable(Path.Combine(home, file));
        await AssertRecoversAsync(home, LedgerSnapshot.Read(home).CurrentVersions());
    }

    [Theory]
    [InlineData("plan")]
    [InlineData("status")]
    public async Task Plan_and_status_on_a_read_only_home_name_the_path_that_is_not_writable(string verb)
    {
        var home = _dir.Combine("home");
        E2E.Generate(home, E2E.Day(1), E2E.Day(2));
        Assert.Equal(0, E2E.Cli(home, "build").ExitCode);
        var readOnly = _dir.Combine("read-only");
        _faults.ReadOnlyView(home, readOnly);

        var (exit, stderr) = await RunAsync(verb, "--home", readOnly);

        Assert.True(exit == 3, $"exit {exit}:\n{stderr}");
        var line = Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Equal($"error: cannot open the ledger {Path.Combine(readOnly, "ledger.db")}: its directory {readOnly} is not writable (Read-only file system).", line);
    }

    private static void AssertStoppedByLedger(int exit, string stderr, string home, string cause)
    {
        Assert.True(exit == 3, $"exit {exit}, expected 3:\n{stderr}");
        Assert.DoesNotContain("Unhandled", stderr);
        Assert.DoesNotContain("   at ", stderr);
        var line = Assert.Single(stderr.TrimEnd().Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith($"error: the ledger {Path.Combine(home, "ledger.db")} could not be written", line);
        Assert.Contains(cause, line);
    }

    /// <summary>The home is consistent, keeps every version it had, and the next build finishes the work.</summary>
    private async Task AssertRecoversAsync(string home, IReadOnlyDictionary<string, string> committedBefore, params string[] args)
    {
        LedgerSnapshot.AssertConsistent(home, "after the fault");
        var (exit, stderr) = await RunAsync(["build", "--home", home, .. args]);
        Assert.True(exit == 0, $"the build after the fault exited {exit}:\n{stderr}");
        var after = LedgerSnapshot.Read(home).CurrentVersions();
        Assert.All(committedBefore, c => Assert.Equal(c.Value, after.GetValueOrDefault(c.Key)));
        LedgerSnapshot.AssertConsistent(home, "after the build that followed the fault");
    }

    private async Task<(int Exit, string Stderr)> RunAsync(params string[] args)
    {
        using var shop = ShopProcess.Start(null, args);
        var exit = await shop.WaitAsync(Timeout);
        output.WriteLine($"{shop.Description} -> {exit}\n{shop.Output}");
        var stderr = shop.Output.Split('\n').Where(l => l.StartsWith("stderr: ", StringComparison.Ordinal)).Select(l => l["stderr: ".Length..]);
        return (exit, string.Join('\n', stderr));
    }

    private static int CommittedFiles(string home)
    {
        var lake = Path.Combine(home, "lake");
        if (!Directory.Exists(lake)) return 0;
        try
        {
            return Directory.EnumerateDirectories(lake).Where(d => Path.GetFileName(d) != "_staging")
                .Sum(d => Directory.EnumerateFiles(d, "*.parquet", SearchOption.AllDirectories).Count());
        }
        catch (DirectoryNotFoundException) { return 0; } // a box directory promoted while listed
    }
}

/// <summary>Mounts and file flags that a test sets up, undone on dispose whatever happened (unmounted lazily if busy).</summary>
internal sealed class FileSystemFaults : IDisposable
{
    private readonly List<string> _mounts = [];
    private readonly HashSet<string> _immutable = [];

    /// <summary>A small tmpfs at <paramref name="directory"/>: a disk that fills.</summary>
    public void Tmpfs(string directory, string size)
    {
        Directory.CreateDirectory(directory);
        Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", directory);
        _mounts.Add(directory);
    }

    public void Resize(string directory, string size) => Run("mount", "-o", $"remount,size={size}", directory);

    /// <summary><paramref name="source"/> seen read-only at <paramref name="directory"/> (a read-only bind mount: even root cannot write).</summary>
    public void ReadOnlyView(string source, string directory)
    {
        Directory.CreateDirectory(directory);
        Run("mount", "--bind", source, directory);
        _mounts.Add(directory);
        Run("mount", "-o", "remount,ro,bind", directory);
    }

    /// <summary>chattr +i: not even root can write, extend or truncate it.</summary>
    public void Immutable(string path)
    {
        _immutable.Add(path);
        Run("chattr", "+i", path);
    }

    public void Mutable(string path)
    {
        Run("chattr", "-i", path);
        _immutable.Remove(path);
    }

    public void Dispose()
    {
        foreach (var path in _immutable) Try("chattr", "-i", path);
        for (var i = _mounts.Count - 1; i >= 0; i--)
            if (!Try("umount", _mounts[i])) Try("umount", "-l", _mounts[i]);
    }

    private static void Run(params string[] command)
    {
        var (exit, output) = Execute(command);
        Assert.True(exit == 0, $"`{string.Join(' ', command)}` exited {exit} (these tests need root): {output}");
    }

    private static bool Try(params string[] command) => Execute(command).Exit == 0;

    private static (int Exit, string Output) Execute(string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command[1..]) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, text);
    }
}
