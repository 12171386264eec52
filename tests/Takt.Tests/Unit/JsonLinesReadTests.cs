using Takt.Building;
using Takt.Composition;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.Unit;

/// <summary>
/// JSON lines are read by DuckDB's own JSON reader first; a file it rejects, or whose records are not its lines, is read
/// line by line instead, so that its bad lines are still located. The task log says which read was taken and why.
/// </summary>
public sealed class JsonLinesReadTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();
    private readonly Workspace _ws;
    private static readonly RunOptions Options = new() { Parallelism = 2, Attempts = 1 };

    public JsonLinesReadTests()
    {
        _ws = WorkspaceBuilder.At(_dir.Combine("home")).Open(new FactoryBuilder("jsonread", _dir.Path)
            .Dataset("raw.events", d => d.Owner("t")
                .Schema(s => s.Required("id", ColumnType.Int64).Column("name", ColumnType.String))
                .FromLanding("events/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("raw.clicks", d => d.Owner("t")
                .Schema(s => s.Required("id", ColumnType.Int64).Column("at", ColumnType.Timestamp))
                .FromLandingSplitBy("clicks/*.jsonl", LandingFormat.JsonLines, "at"))
            .Build());
    }

    public void Dispose()
    {
        _ws.Dispose();
        _dir.Dispose();
    }

    private void Land(string relativePath, params string[] lines)
    {
        var path = Path.Combine(_ws.LandingDirectory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
    }

    private IReadOnlyList<TaskReport> Ingest(string dataset) => new BuildService(_ws).Ingest([dataset], Options).Tasks;

    private IReadOnlyList<string> LogOf(string boxKey)
    {
        var run = _ws.Ledger.Runs(1)[0];
        var task = Assert.Single(_ws.Ledger.Tasks(run.Id), t => t.BoxKey == boxKey);
        return _ws.Ledger.TaskLog(task.Id);
    }

    private static string Click(int id, string at) => $$"""{"id": {{id}}, "at": "{{at}}"}""";

    [Fact]
    public void A_clean_split_file_is_read_by_DuckDBs_JSON_reader_and_the_task_log_says_so()
    {
        Land("clicks/batch.jsonl", Click(1, "2024-03-01T08:00:00Z"), Click(2, "2024-03-02T08:00:00Z"), Click(3, "2024-03-02T09:00:00Z"));

        var reports = Ingest("raw.clicks");

        Assert.All(reports, r => Assert.Equal(BuildStatus.Built, r.Outcome.Status));
        Assert.Equal(2, reports.Single(r => r.BoxKey == "2024-03-02").Outcome.RowsOut);
        Assert.Contains(LogOf("2024-03-02"), l => l.StartsWith("shared read of clicks/batch.jsonl", StringComparison.Ordinal) && l.Contains("read by DuckDB's JSON reader"));
    }

    [Fact]
    public void A_clean_per_box_file_is_read_by_DuckDBs_JSON_reader_and_the_task_log_says_so()
    {
        Land("events/2024-01-01.jsonl", """{"id": 1, "name": "a"}""", """{"id": 2, "name": null}""");

        var report = Assert.Single(Ingest("raw.events"));

        Assert.Equal(BuildStatus.Built, report.Outcome.Status);
        Assert.Equal(2, report.Outcome.RowsOut);
        Assert.Contains("events/2024-01-01.jsonl: read by DuckDB's JSON reader", LogOf("2024-01-01"));
    }

    [Fact]
    public void A_file_the_JSON_reader_rejects_is_read_line_by_line_its_log_says_why_and_its_bad_line_is_located()
    {
        Land("clicks/batch.jsonl", Click(1, "2024-03-01T08:00:00Z"), Click(2, "2024-03-01T09:00:00Z"), "{not json", Click(4, "2024-03-01T10:00:00Z"));

        var report = Assert.Single(Ingest("raw.clicks"));

        Assert.Equal(BuildStatus.Quarantined, report.Outcome.Status);
        Assert.Contains("clicks/batch.jsonl line 3: invalid JSON", report.Outcome.Message);
        Assert.Contains(LogOf("2024-03-01"), l => l.Contains("read line by line") && l.Contains("DuckDB's JSON reader rejected it"));
    }

    [Fact]
    public void A_file_with_blank_lines_is_read_line_by_line_so_that_a_bad_value_keeps_its_line()
    {
        // DuckDB's JSON reader skips blank lines: its record numbers are not line numbers, so the file is read line by line.
        Land("events/2024-01-01.jsonl", """{"id": 1, "name": "a"}""", "", """{"id": 2, "name": "b"}""", """{"id": "x", "name": "c"}""");

        var report = Assert.Single(Ingest("raw.events"));

        Assert.Equal(BuildStatus.Quarantined, report.Outcome.Status);
        Assert.Contains("events/2024-01-01.jsonl line 4: unreadable value(s): id='x'", report.Outcome.Message);
        Assert.Contains(LogOf("2024-01-01"), l => l.StartsWith("events/2024-01-01.jsonl: read line by line", StringComparison.Ordinal) && l.Contains("3 record(s) in 4 line(s)"));
    }
}
