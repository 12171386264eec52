using System.Globalization;
using Takt.Building;
using Takt.Composition;
using Takt.Definitions;
using Takt.Lake;
using Takt.Ledger;
using Takt.Running;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Unit;

/// <summary>
/// A file split into boxes whose rows all read well: the shared read writes each box's version file, and the box task
/// only verifies and commits it. The version holds the same rows, in file order, as one written by the box task, and a
/// declared check that fails on it still names the file and line of its rows.
/// </summary>
public sealed class SplitFinalTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();
    private static readonly RunOptions Options = new() { Parallelism = 2, Attempts = 1 };

    public void Dispose() => _dir.Dispose();

    private Workspace Open() => WorkspaceBuilder.At(_dir.Combine("home")).Open(new FactoryBuilder("finals", _dir.Path)
        .Dataset("raw.visits", d => d.Owner("t")
            .Schema(s => s.Required("id", ColumnType.Int64).Column("at", ColumnType.Timestamp))
            .FromLandingSplitBy("visits/*.csv", LandingFormat.Csv, "at"))
        .Build());

    private static void Land(Workspace ws, string name, IEnumerable<string> rows)
    {
        var path = Path.Combine(ws.LandingDirectory, "visits", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "id,at\n" + string.Join("\n", rows) + "\n");
    }

    private static IReadOnlyList<TaskReport> Ingest(Workspace ws) => new BuildService(ws).Ingest(["raw.visits"], Options).Tasks;

    private static IReadOnlyList<string> LogOf(Workspace ws, string boxKey)
    {
        var run = ws.Ledger.Runs(1)[0];
        var task = Assert.Single(ws.Ledger.Tasks(run.Id), t => t.BoxKey == boxKey);
        return ws.Ledger.TaskLog(task.Id);
    }

    private static string IdsInFileOrder(Workspace ws, TaskReport report)
    {
        var file = Assert.Single(ws.Files.Paths(new VersionLocation(report.Dataset, report.BoxKey, report.Outcome.VersionId!)));
        using var lease = ws.DuckDb.Rent();
        return lease.Session.Scalar<string>($"SELECT string_agg(id::VARCHAR, ',' ORDER BY file_row_number) FROM read_parquet('{file}', file_row_number = true)")!;
    }

    [Fact]
    public void A_box_whose_rows_all_read_well_commits_the_file_the_shared_read_wrote_with_its_rows_in_file_order()
    {
        using var ws = Open();
        // Two days interleaved, ids not sorted: the order of the file is the only order the version can keep.
        var rows = Enumerable.Range(0, 400_000).Select(i => ((i * 7919) % 400_000, i % 2 == 0 ? "2024-03-01" : "2024-03-02", i % 24)).ToList();
        Land(ws, "big.csv", rows.Select(r => $"{r.Item1},{r.Item2}T{r.Item3:00}:00:00Z"));

        var reports = Ingest(ws).OrderBy(r => r.BoxKey, StringComparer.Ordinal).ToList();

        Assert.Equal(["2024-03-01", "2024-03-02"], reports.Select(r => r.BoxKey));
        foreach (var report in reports)
        {
            Assert.Equal(BuildStatus.Built, report.Outcome.Status);
            Assert.Equal(200_000, report.Outcome.RowsOut);
            var day = report.BoxKey;
            Assert.Equal(string.Join(",", rows.Where(r => r.Item2 == day).Select(r => r.Item1.ToString(CultureInfo.InvariantCulture))), IdsInFileOrder(ws, report));
            Assert.Contains(LogOf(ws, day), l => l.Contains("every row read well, so the shared read wrote this version's file", StringComparison.Ordinal));
            Assert.Contains(LogOf(ws, day), l => l.StartsWith("shared read of visits/big.csv", StringComparison.Ordinal)
                && l.Contains("writing the version files of 2 box(es) whose rows all read well", StringComparison.Ordinal));
            Assert.Contains(ws.Ledger.CheckResults(report.Outcome.VersionId!), c => c.Name == "well_formed" && c.Passed);
        }
    }

    [Fact]
    public void A_declared_check_failing_on_a_box_whose_rows_all_read_well_names_the_file_and_line()
    {
        using var ws = Open();
        Land(ws, "big.csv", ["1,2024-03-01T08:00:00Z", "2,2024-03-02T08:00:00Z", ",2024-03-02T09:00:00Z", "4,2024-03-03T08:00:00Z"]);

        var reports = Ingest(ws).ToDictionary(r => r.BoxKey);

        Assert.Equal(BuildStatus.Built, reports["2024-03-01"].Outcome.Status);
        var stopped = reports["2024-03-02"].Outcome;
        Assert.Equal(BuildStatus.Quarantined, stopped.Status);
        var notNull = Assert.Single(stopped.FailedChecks);
        Assert.Equal("not_null(id)", notNull.Name);
        Assert.Contains("visits/big.csv line 4", notNull.Message);
    }

    [Fact]
    public void A_box_with_a_bad_value_is_read_row_by_row_while_the_other_boxes_of_its_file_take_their_final_file()
    {
        using var ws = Open();
        Land(ws, "big.csv", ["1,2024-03-01T08:00:00Z", "x,2024-03-02T08:00:00Z", "3,2024-03-02T09:00:00Z"]);

        var reports = Ingest(ws).ToDictionary(r => r.BoxKey);

        Assert.Equal(BuildStatus.Built, reports["2024-03-01"].Outcome.Status);
        Assert.Contains(LogOf(ws, "2024-03-01"), l => l.Contains("the shared read wrote this version's file", StringComparison.Ordinal));
        var stopped = reports["2024-03-02"].Outcome;
        Assert.Equal(BuildStatus.Quarantined, stopped.Status);
        Assert.Contains("visits/big.csv line 3", stopped.Message);
        Assert.Equal(1, stopped.RowsOut);
        Assert.DoesNotContain(LogOf(ws, "2024-03-02"), l => l.Contains("the shared read wrote this version's file", StringComparison.Ordinal));
    }

    [Fact]
    public void A_box_fed_by_two_files_whose_rows_all_read_well_joins_their_final_files_in_path_order_each_in_file_order()
    {
        using var ws = Open();
        Land(ws, "a.csv", ["3,2024-03-01T08:00:00Z", "1,2024-03-01T09:00:00Z", "7,2024-03-02T08:00:00Z"]);
        Ingest(ws);
        Land(ws, "b.csv", ["9,2024-03-01T10:00:00Z", "2,2024-03-01T07:00:00Z"]);

        var report = Assert.Single(Ingest(ws));

        Assert.Equal("2024-03-01", report.BoxKey);
        Assert.Equal(BuildStatus.Built, report.Outcome.Status);
        Assert.Equal(4, report.Outcome.RowsOut);
        Assert.Equal("3,1,9,2", IdsInFileOrder(ws, report));
        Assert.Contains(LogOf(ws, "2024-03-01"), l => l.Contains("this version's file joins the 2 files their shared reads wrote", StringComparison.Ordinal));
        Assert.Contains(LogOf(ws, "2024-03-01"), l => l.Contains("from the kept split of visits/a.csv", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_value_in_a_late_file_stops_the_box_naming_its_line_and_counts_the_clean_rows_of_the_first_file_read_again()
    {
        using var ws = Open();
        Land(ws, "a.csv", ["3,2024-03-01T08:00:00Z", "1,2024-03-01T09:00:00Z", "7,2024-03-02T08:00:00Z"]);
        Ingest(ws);
        Land(ws, "b.csv", ["9,2024-03-01T10:00:00Z", "x,2024-03-01T07:00:00Z"]);

        var report = Assert.Single(Ingest(ws));

        Assert.Equal(BuildStatus.Quarantined, report.Outcome.Status);
        Assert.Contains("visits/b.csv line 3", report.Outcome.Message);
        Assert.Equal(3, report.Outcome.RowsOut); // 3 and 1 from a.csv, 9 from b.csv
        Assert.Equal(4, report.Outcome.RowsIn);
        Assert.Contains(LogOf(ws, "2024-03-01"), l => l == "the rows of this box in visits/a.csv were read from the file again: its shared read wrote them to this box's version file only");
    }

    [Fact]
    public void A_full_disk_while_the_shared_read_writes_its_files_stops_the_ingest_in_one_line_naming_the_file_and_the_cause()
    {
        using var ws = Open();
        Land(ws, "big.csv", Enumerable.Range(0, 200_000).Select(i => $"{i},2024-03-0{1 + i % 2}T{i % 24:00}:00:00Z"));
        using var faults = new FileSystemFaults();
        faults.Tmpfs(Path.Combine(Path.GetDirectoryName(ws.Lake.KeptDirectory)!, "_staging"), "64k");

        // A processing error (exit 3), not the file reported unreadable nor an AggregateException around DuckDB's error.
        var error = Assert.Throws<ProcessingException>(() => Ingest(ws));

        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith("raw.visits: the shared read of visits/big.csv could not write its files: IO Error: ", error.Message);
        Assert.EndsWith("No space left on device", error.Message);
    }
}
