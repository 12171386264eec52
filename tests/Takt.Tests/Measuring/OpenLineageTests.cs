using System.Text.Json;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Measuring;

/// <summary>Every task of a build is exported as OpenLineage START and COMPLETE (or FAIL) events with versions and boxes.</summary>
public sealed class OpenLineageTests : IDisposable
{
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_build_writes_start_and_complete_events_with_exact_input_versions_and_a_fail_for_a_stopped_box()
    {
        var home = _dir.Combine("home");
        E2E.Generate(home, E2E.Day(1), E2E.Day(3), "negative-amounts@2026-01-02");
        Assert.Equal(2, E2E.Cli(home, "build").ExitCode);

        var events = File.ReadAllLines(Path.Combine(home, "openlineage", "events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var byRun = events.GroupBy(e => e.GetProperty("run").GetProperty("runId").GetString()).ToList();
        Assert.All(byRun, run => Assert.Equal("START", run.First().GetProperty("eventType").GetString()));
        Assert.All(byRun, run => Assert.Contains(run.Last().GetProperty("eventType").GetString(), new[] { "COMPLETE", "FAIL" }));

        var features = events.Single(e => e.GetProperty("eventType").GetString() == "COMPLETE"
            && e.GetProperty("job").GetProperty("name").GetString() == "mart.user_features"
            && Partitions(e.GetProperty("outputs")[0]).SequenceEqual(["2026-01-01"]));
        var inputs = features.GetProperty("inputs").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!);
        Assert.Equal(["core.orders", "core.users"], inputs.Keys.Order());
        using var ws = Takt.Composition.WorkspaceBuilder.At(home).Open(E2E.ShopFactoryAt());
        var ordersDay1 = ws.Ledger.Boxes("prod", "core.orders", new Takt.Boxes.BoxRange(E2E.Day(1).DayNumber, E2E.Day(1).DayNumber)).Single().CurrentVersion;
        Assert.Equal(ordersDay1, inputs["core.orders"].GetProperty("facets").GetProperty("version").GetProperty("datasetVersion").GetString());
        var output = features.GetProperty("outputs")[0];
        Assert.True(output.GetProperty("outputFacets").GetProperty("outputStatistics").GetProperty("rowCount").GetInt64() > 0);
        var checks = events.Single(e => e.GetProperty("eventType").GetString() == "COMPLETE"
            && e.GetProperty("job").GetProperty("name").GetString() == "mart.user_features.checks"
            && Partitions(e.GetProperty("inputs")[0], "inputFacets", "inputCondition").SequenceEqual(["2026-01-01"]));
        Assert.Equal(output.GetProperty("facets").GetProperty("version").GetProperty("datasetVersion").GetString(),
            checks.GetProperty("inputs")[0].GetProperty("facets").GetProperty("version").GetProperty("datasetVersion").GetString());
        Assert.Contains(checks.GetProperty("inputs")[0].GetProperty("inputFacets").GetProperty("dataQualityAssertions").GetProperty("assertions").EnumerateArray(),
            a => a.GetProperty("name").GetString() == "unique(user_id)" && a.GetProperty("assertion").GetString() == "unique" && a.GetProperty("success").GetBoolean());

        var fail = Assert.Single(events, e => e.GetProperty("eventType").GetString() == "FAIL" && E2E.Datasets.Contains(e.GetProperty("job").GetProperty("name").GetString()));
        Assert.Equal("core.orders", fail.GetProperty("job").GetProperty("name").GetString());
        Assert.Equal(["2026-01-02"], Partitions(fail.GetProperty("outputs")[0]));
        Assert.Contains("range(amount)", fail.GetProperty("run").GetProperty("facets").GetProperty("errorMessage").GetProperty("message").GetString());
    }

    [Fact]
    public void The_file_sink_appends_whole_lines_in_batches_even_when_two_builds_share_the_file()
    {
        var path = _dir.Combine("openlineage", "events.jsonl");
        var sinks = new[] { new Takt.Telemetry.FileLineageSink(path), new Takt.Telemetry.FileLineageSink(path) };
        sinks[0].Send("""{"n":-1}"""u8.ToArray());
        Assert.False(File.Exists(path)); // held until the exporter catches up
        Parallel.For(0, 2, s =>
        {
            for (var n = 0; n < 3000; n++)
            {
                sinks[s].Send(JsonSerializer.SerializeToUtf8Bytes(new { sink = s, n, padding = new string('x', 200) }));
                if (n % 7 == 0) sinks[s].Flush();
            }
            sinks[s].Flush();
        });

        var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(6001, lines.Count);
        for (var s = 0; s < 2; s++)
            Assert.Equal(Enumerable.Range(0, 3000), lines.Where(l => l.TryGetProperty("sink", out var v) && v.GetInt32() == s).Select(l => l.GetProperty("n").GetInt32()));
    }

    private static string[] Partitions(JsonElement dataset, string facets = "outputFacets", string condition = "outputCondition") =>
        dataset.GetProperty(facets).GetProperty("subset").GetProperty(condition).GetProperty("partitions")
            .EnumerateArray().Select(p => p.GetProperty("identifier").GetString()!).ToArray();
}
