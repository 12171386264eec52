using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// The README's test command on a machine without Chromium or the PostgreSQL server: the tests that need them are
/// skipped with the reason, the rest pass; CI, which must have them, fails instead. The suite's own test classes run
/// in a child <c>dotnet test</c> with the programs pointed at paths that do not exist.
/// </summary>
public sealed partial class TestCommandTests
{
    private const string NeedsPrograms = "FullyQualifiedName~DashboardBrowserTests|FullyQualifiedName~LargeFactoryGraphTests|FullyQualifiedName~PostgresPublisherTests";
    private static readonly Dictionary<string, string> Missing = new()
    {
        ["TAKT_CHROMIUM"] = "/nonexistent/chromium",
        ["TAKT_POSTGRES_BIN"] = "/nonexistent/postgresql/bin",
    };

    [Fact]
    public async Task Without_Chromium_and_PostgreSQL_their_tests_are_skipped_with_the_reason_and_the_run_passes()
    {
        var (exit, output) = await DotnetTestAsync(NeedsPrograms, Missing);

        Assert.True(exit == 0, $"the run failed:\n{output}");
        Assert.Matches(@"Total tests:\s+(?<n>[1-9]\d*)\s+Skipped:\s+\k<n>\s", output); // every one skipped: nothing passed or failed
        Assert.Contains("skipped: Chromium is missing (/nonexistent/chromium)", output);
        Assert.Contains("skipped: the PostgreSQL 15 server is missing (no initdb, pg_ctl in /nonexistent/postgresql/bin)", output);
    }

    [Fact]
    public async Task Where_every_program_is_required_a_missing_one_fails_its_tests()
    {
        var (exit, output) = await DotnetTestAsync("FullyQualifiedName~PostgresPublisherTests",
            new Dictionary<string, string>(Missing) { ["TAKT_TEST_REQUIRE_ALL"] = "1" });

        Assert.True(exit != 0, $"the run passed without the PostgreSQL server:\n{output}");
        Assert.Matches(@"Total tests:\s+(?<n>[1-9]\d*)\s+Failed:\s+\k<n>\s", output); // every one failed
        Assert.Contains("the PostgreSQL 15 server is missing", output);
    }

    [Fact]
    public void The_readme_test_command_is_the_script_that_CI_runs()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var commands = TwoCommands().Match(readme);
        Assert.True(commands.Success, "README.md has no bash block under '## The two commands'");
        var testCommand = commands.Groups["block"].Value.Split('\n').Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0).Last();
        Assert.Equal("./test", testCommand);
        Assert.True(File.Exists(Path.Combine(root, "test")), "the README's ./test is not in the repository");
        Assert.Matches(@"(?m)^TAKT_TEST_REQUIRE_ALL=1 \./test\b", File.ReadAllText(Path.Combine(root, ".ci", "run")));
    }

    [GeneratedRegex(@"## The two commands\s+```bash\n(?<block>.*?)```", RegexOptions.Singleline)]
    private static partial Regex TwoCommands();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Takt.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no Takt.slnx above {AppContext.BaseDirectory}");
    }

    /// <summary>Runs this test assembly's tests matching <paramref name="filter"/> in a child <c>dotnet test</c>.</summary>
    private static async Task<(int Exit, string Output)> DotnetTestAsync(string filter, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "test", Path.Combine(AppContext.BaseDirectory, "Takt.Tests.dll"), "--filter", filter, "--logger", "console;verbosity=normal" })
            info.ArgumentList.Add(arg);
        foreach (var name in new[] { "TAKT_CHROMIUM", "TAKT_POSTGRES_BIN", "TAKT_TEST_REQUIRE_ALL" }) info.Environment.Remove(name);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"the child dotnet test did not end within 5 minutes:\n{await stdout}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
