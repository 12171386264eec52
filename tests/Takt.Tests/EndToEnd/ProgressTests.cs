namespace Takt.Tests.EndToEnd;

/// <summary>A build whose output is not a terminal prints plain progress lines: done of total, rate and time left, phase by phase.</summary>
public sealed class ProgressTests : IDisposable
{
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void A_build_to_a_log_prints_done_of_total_rate_and_time_left_through_ingest_then_transforms()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(3));

        // A line at every finished task instead of every few seconds, so that the test sees all of them.
        var build = E2E.Cli(home, context => context.ProgressEvery = TimeSpan.Zero, "build");
        Assert.True(build.ExitCode == 0, build.ToString());
        var lines = build.Console.Split('\n').Select(l => l.TrimEnd()).Where(l => l.StartsWith("progress: ", StringComparison.Ordinal)).ToArray();

        // 2 sources x 3 days are ingested, then 6 transforms x 3 days run: counted per phase and in all.
        string[] expected =
        [
            .. Enumerable.Range(1, 6).Select(i => $"progress: ingest {i}/6,"),
            .. Enumerable.Range(1, 18).Select(i => $"progress: transforms {i}/18 ({6 + i}/24 in all),"),
        ];
        Assert.Equal(expected, lines.Select(l => l[..(l.IndexOf(',') + 1)]).ToArray());
        Assert.All(lines, l => Assert.Matches(@", [0-9.]+/s, (about [0-9]+ (s|min) left|time left not known yet|done)$", l));
        Assert.EndsWith(", done", lines[5]);
        Assert.EndsWith(", done", lines[^1]);
        Assert.Contains("ingest: 6 task(s) to run", build.Console);
        Assert.Contains("transforms: 18 task(s) to run", build.Console);
    }
}
