using System.Text.Json;

namespace Takt.Tests.EndToEnd;

/// <summary>The factory program's command line over generated Shop data: build, no-op build, invalidate + plan, usage errors.</summary>
public sealed class CliTests : IDisposable
{
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    public static TheoryData<int, int> InvalidationRanges => new()
    {
        // days in the range, boxes of the window-7 readers (user_features, fraud_scores) after invalidating 10..12:
        // they read D-6..D, so boxes 10..18 read an invalidated box, clipped at the end of the range.
        { 14, 5 }, // boxes 10..14
        { 20, 9 }, // boxes 10..18
    };

    [Theory]
    [MemberData(nameof(InvalidationRanges))]
    public void Build_then_noop_then_invalidate_plans_exactly_the_downstream(int days, int windowReaders)
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(days));

        var first = E2E.Cli(home, "build");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal("", first.Stderr);
        var boxes = E2E.Datasets.Length * days;
        Assert.Contains($"build ok: {boxes} built, 0 reused, 0 quarantined, 0 blocked, 0 failed, 0 skipped", first.Console);

        var again = E2E.Cli(home, "build", "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(0, again.Json.GetProperty("tasks").GetArrayLength());
        Assert.Equal(0, again.Json.GetProperty("summary").GetProperty("built").GetInt32());

        var invalidate = E2E.Cli(home, "invalidate", "raw.orders", "--from", "2026-01-10", "--to", "2026-01-12", "--reason", "x");
        Assert.True(invalidate.ExitCode == 0, invalidate.ToString());

        var plan = E2E.Cli(home, "plan", "--json");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var expected = E2E.Counts(
            ("core.orders", 3), ("mart.daily_revenue", 3), ("mart.user_features", windowReaders), ("raw.orders", 3), ("serving.fraud_scores", windowReaders));
        var planned = E2E.CountByDataset(plan.Json.GetProperty("tasks"));
        Assert.True(expected.SequenceEqual(planned), $"expected plan {E2E.Show(expected)}, got {E2E.Show(planned)}\n{plan}");
        var rawBoxes = plan.Json.GetProperty("tasks").EnumerateArray()
            .Where(t => t.GetProperty("dataset").GetString() == "raw.orders").Select(t => t.GetProperty("box").GetString()).ToArray();
        Assert.Equal(["2026-01-10", "2026-01-11", "2026-01-12"], rawBoxes.Order());
        var lastReader = plan.Json.GetProperty("tasks").EnumerateArray()
            .Where(t => t.GetProperty("dataset").GetString() == "mart.user_features").Max(t => t.GetProperty("box").GetString());
        Assert.Equal(E2E.Key(E2E.Day(Math.Min(days, 18))), lastReader);

        // The build runs exactly what the plan said, all of it new work, and leaves nothing behind.
        var rebuild = E2E.Cli(home, "build", "--json");
        Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
        var built = E2E.CountByDataset(rebuild.Json.GetProperty("tasks"), "built");
        Assert.True(expected.SequenceEqual(built), $"expected built {E2E.Show(expected)}, got {E2E.Show(built)}\n{rebuild}");
        Assert.Equal(expected.Values.Sum(), rebuild.Json.GetProperty("tasks").GetArrayLength());

        var after = E2E.Cli(home, "plan", "--json");
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Equal(0, after.Json.GetProperty("tasks").GetArrayLength());
    }

    public static TheoryData<string[], string[]> UsageErrors => new()
    {
        { ["plan", "raw.nope"], ["'raw.nope'"] },
        { ["plan", "--from", "2026-13-01"], ["2026-13-01", "--from"] },
        { ["plan", "--from", "2026-01-01", "--to", "2026-02-30"], ["2026-02-30", "--to"] },
        { ["plan", "--from", "2026-01-10", "--to", "2026-01-05"], ["2026-01-10", "2026-01-05"] },
        { ["invalidate", "raw.orders", "--from", "2026-01-12", "--to", "2026-01-10", "--reason", "x"], ["2026-01-12", "2026-01-10"] },
        { ["invalidate", "raw.nope", "--from", "2026-01-10", "--to", "2026-01-12", "--reason", "x"], ["'raw.nope'"] },
        { ["override", "core.orders", "--reason", "x"], ["core.orders", "@"] },
        // The message must name the value given, not only a canned example.
        { ["override", "mart.daily_revenue", "--reason", "x"], ["mart.daily_revenue", "@"] },
        { ["override", "core.orders@2026-13-01", "--reason", "x"], ["2026-13-01"] },
    };

    [Theory]
    [MemberData(nameof(UsageErrors))]
    public void Usage_errors_exit_64_with_one_line_naming_the_bad_value(string[] args, string[] named)
    {
        var result = E2E.Cli(_home.Path, args);

        Assert.True(result.ExitCode == 64, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr:\n{result}");
        Assert.StartsWith("error: ", lines[0]);
        foreach (var value in named) Assert.True(lines[0].Contains(value, StringComparison.Ordinal), $"stderr does not name '{value}':\n{result}");
        Assert.DoesNotContain("   at ", result.Stderr + result.Stdout + result.Console);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Usage_error_in_build_on_an_empty_home_has_no_side_effects()
    {
        // The Shop's first-run convenience (generate landing data when there is none) must not run for a mistyped command.
        var result = E2E.Cli(_home.Path, "build", "--from", "2026-13-01");

        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Contains("2026-13-01", result.Stderr);
        var landing = E2E.Landing(_home.Path);
        var written = Directory.Exists(landing) ? Directory.GetFiles(landing, "*", SearchOption.AllDirectories).Length : 0;
        Assert.True(written == 0, $"a rejected command wrote {written} landing file(s):\n{result}");
    }

    [Fact]
    public void Usage_error_leaves_the_ledger_untouched()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(3));
        Assert.Equal(0, E2E.Cli(home, "build").ExitCode);
        var before = LedgerSnapshot.Read(home).CurrentVersions();

        var bad = E2E.Cli(home, "invalidate", "raw.orders", "--from", "2026-01-02", "--to", "2026-01-01", "--reason", "x");
        Assert.Equal(64, bad.ExitCode);

        Assert.Equal(before, LedgerSnapshot.Read(home).CurrentVersions());
        var plan = E2E.Cli(home, "plan", "--json");
        Assert.Equal(0, plan.Json.GetProperty("tasks").GetArrayLength());
    }
}
