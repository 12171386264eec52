namespace Takt.Tests.EndToEnd;

/// <summary>Many boxes failing with the same message (apart from the box) are one line of the build's output, with a count and the box range.</summary>
public sealed class ErrorGroupingTests : IDisposable
{
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Identical_failures_of_many_boxes_are_one_line_with_their_count_and_box_range()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(12));
        Assert.Equal(0, E2E.Cli(home, "build").ExitCode);
        // Eight days of orders to recompute, whose landing files are gone: eight boxes fail alike.
        for (var day = 3; day <= 10; day++) File.Delete(Path.Combine(E2E.Landing(home), $"orders/{E2E.Key(E2E.Day(day))}.jsonl"));
        Assert.Equal(0, E2E.Cli(home, "invalidate", "raw.orders", "--from", "2026-01-03", "--to", "2026-01-10", "--reason", "resent").ExitCode);

        var build = E2E.Cli(home, "build", "--no-publish");
        Assert.True(build.ExitCode == 3, build.ToString());
        var lines = build.Console.Split('\n');
        var failures = lines.Where(l => l.Contains("no landing files match", StringComparison.Ordinal)).ToArray();
        Assert.True(failures.Length == 2, build.ToString()); // the first failure as it happens, then the summary's one line
        Assert.Contains("raw.orders@2026-01-03..2026-01-10 (8 boxes)", failures[^1]);
        // Besides the range's ends, only the box whose failure came first (which one depends on the parallel run) is named.
        Assert.True(Enumerable.Range(3, 8).Count(day => build.Console.Contains(E2E.Key(E2E.Day(day)), StringComparison.Ordinal)) <= 3, build.ToString());

        // One box failing is told as it is.
        var one = E2E.Cli(home, "build", "raw.orders", "--from", "2026-01-04", "--to", "2026-01-04");
        Assert.True(one.ExitCode == 3, one.ToString());
        Assert.True(one.Console.Contains("raw.orders@2026-01-04", StringComparison.Ordinal), one.ToString());
        Assert.DoesNotContain("(1 boxes)", one.Console);
    }
}
