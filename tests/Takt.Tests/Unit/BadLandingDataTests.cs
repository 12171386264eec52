using System.Text;
using Takt.Composition;
using Takt.Building;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Lake;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.Unit;

/// <summary>
/// Landing data that is wrong in ways a reader could paper over (bytes that are no UTF-8, a key given twice, a number
/// beyond a double, a name Takt uses itself, a file still growing): each is stopped at ingest, located to file and line,
/// never altered or passed on.
/// </summary>
public sealed class BadLandingDataTests : IDisposable
{
    private static readonly RunOptions Options = new() { Parallelism = 2, Attempts = 1 };
    private readonly UnitTempDirectory _dir = new();
    private readonly Workspace _ws;
    private readonly BuildService _service;

    public BadLandingDataTests()
    {
        var factory = new FactoryBuilder("bad-data", _dir.Path)
            .Dataset("raw.payments", d => d.Owner("t")
                .Schema(s => s.Required("id", ColumnType.Int64).Column("amount", ColumnType.Double).Column("note", ColumnType.String))
                .FromLanding("payments/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("raw.loose", d => d.Owner("t")
                .Schema(s => s.Required("id", ColumnType.Int64).Column("name", ColumnType.String))
                .FromLanding("loose/{box}.jsonl", LandingFormat.JsonLines, schemaDrift: Severity.Warn))
            .Dataset("raw.users", d => d.Owner("t")
                .Schema(s => s.Required("user_id", ColumnType.String).Column("age", ColumnType.Int32))
                .FromLanding("users/{box}.csv", LandingFormat.Csv))
            .Dataset("raw.meters", d => d.Owner("t")
                .Schema(s => s.Required("meter", ColumnType.String).Column("reading", ColumnType.Int64).Column("at", ColumnType.Timestamp))
                .FromLanding("meters/{box}.parquet", LandingFormat.Parquet))
            .Build();
        _ws = WorkspaceBuilder.At(_dir.Combine("home")).Open(factory);
        _service = new BuildService(_ws);
    }

    public void Dispose()
    {
        _ws.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private string LandingPath(string relative)
    {
        var path = Path.Combine(_ws.LandingDirectory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    private void Land(string relative, params string[] lines) => File.WriteAllText(LandingPath(relative), string.Join("\n", lines) + "\n");

    private void LandBytes(string relative, byte[] bytes) => File.WriteAllBytes(LandingPath(relative), bytes);

    private TaskReport IngestOne(string dataset, IRunObserver? observer = null) => Assert.Single(_service.Ingest([dataset], Options, observer).Tasks);

    private static void AssertStopped(TaskReport report, string check, params string[] located)
    {
        Assert.True(report.Outcome.Status == BuildStatus.Quarantined, $"{report.Dataset}@{report.BoxKey} should be stopped, is {report.Outcome.Status}: {report.Outcome.Message}");
        var failed = Assert.Single(report.Outcome.FailedChecks, c => c.Name == check);
        foreach (var text in located) Assert.Contains(text, failed.Message);
    }

    // ------------------------------------------------------------------ bytes and syntax

    [Fact]
    public void Invalid_utf8_in_a_json_line_is_rejected_with_its_line_not_replaced()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"id\": 1, \"note\": \"ok\"}\n{\"id\": 2, \"note\": \"caf\u00e9\"}\n{\"id\": 3, \"note\": \"t")
            .Concat(new byte[] { 0xFF }).Concat(Encoding.UTF8.GetBytes("x\"}\n")).ToArray();
        LandBytes("payments/2024-01-01.jsonl", bytes);

        var report = IngestOne("raw.payments");

        AssertStopped(report, "well_formed", "payments/2024-01-01.jsonl line 3: not valid UTF-8");
        Assert.Equal(2, report.Outcome.RowsOut); // the lines that read are kept for inspection, unchanged
        Assert.Equal(0L, Scalar<long>(report, "SELECT count(*) FROM {data} WHERE contains(note, '\uFFFD')"));
    }

    [Fact]
    public void Invalid_utf8_in_a_csv_line_is_rejected_with_its_line()
    {
        LandBytes("users/2024-01-01.csv", Encoding.UTF8.GetBytes("user_id,age\nu1,30\nu")
            .Concat(new byte[] { 0xFE }).Concat(Encoding.UTF8.GetBytes(",31\nu3,32\n")).ToArray());

        var report = IngestOne("raw.users");

        AssertStopped(report, "well_formed", "users/2024-01-01.csv line 3: not valid UTF-8");
        Assert.Equal(2, report.Outcome.RowsOut);
    }

    [Fact]
    public void A_json_line_that_gives_a_key_twice_is_malformed_not_last_one_wins()
    {
        Land("payments/2024-01-01.jsonl", """{"id": 1, "amount": 5}""", """{"id": 2, "amount": 5, "amount": 500}""");

        var report = IngestOne("raw.payments");

        AssertStopped(report, "well_formed", "payments/2024-01-01.jsonl line 2: duplicate key \"amount\"");
        Assert.Equal(1, report.Outcome.RowsOut);
    }

    [Fact]
    public void A_json_line_that_is_no_object_or_repeats_an_undeclared_key_is_malformed()
    {
        Land("loose/2024-01-01.jsonl", """{"id": 1, "name": "a"}""", "[1, 2]", """{"id": 3, "name": "c", "x": 1, "x": 2}""", "{}", """ "text" """);

        var report = IngestOne("raw.loose");

        AssertStopped(report, "well_formed", "loose/2024-01-01.jsonl line 2: not a JSON object", "line 3: duplicate key \"x\"", "line 5: not a JSON object");
        Assert.Equal(3, report.Outcome.FailedChecks.Single(c => c.Name == "well_formed").FailingRows);
    }

    [Fact]
    public void Json_keys_named_like_internal_columns_are_reported_as_undeclared_not_a_processing_error()
    {
        Land("loose/2024-01-01.jsonl", """{"id": 1, "name": "a", "__line": 99, "__file": "elsewhere", "__row": 7}""");

        var report = IngestOne("raw.loose");

        Assert.Equal(BuildStatus.Built, report.Outcome.Status); // this source only warns on drift
        var drift = Assert.Single(report.Outcome.FailedChecks);
        Assert.Equal("schema_drift", drift.Name);
        Assert.Contains("column(s) added: __file, __line, __row", drift.Message);
        Assert.Equal(1L, Scalar<long>(report, "SELECT CAST(sum(id) AS BIGINT) FROM {data}"));
    }

    [Fact]
    public void Line_numbers_stay_right_with_crlf_endings_blank_lines_and_mixed_endings()
    {
        Land("payments/2024-01-01.jsonl", "{\"id\": 1}\r\n\r\n{\"id\": 2}\r\n{\"id\": \"x\"}\r\n{\"id\": 4}\r"); // Land ends it with \n: CRLF throughout
        Land("payments/2024-01-02.jsonl", "{\"id\": 1}\n{\"id\": 2}\r\n\n  \n{\"id\": 3,\r \"note\": \"a\"}\n{\"id\": \"y\"}");

        var reports = _service.Ingest(["raw.payments"], Options).Tasks;

        AssertStopped(reports.Single(r => r.BoxKey == "2024-01-01"), "well_formed", "payments/2024-01-01.jsonl line 4: unreadable value(s): id='x'");
        AssertStopped(reports.Single(r => r.BoxKey == "2024-01-02"), "well_formed", "payments/2024-01-02.jsonl line 6: unreadable value(s): id='y'");
    }

    // ------------------------------------------------------------------ values

    [Fact]
    public void A_number_beyond_a_double_is_rejected_at_ingest_with_its_line_not_read_as_infinity()
    {
        Land("payments/2024-01-01.jsonl", """{"id": 1, "amount": 12.5}""", """{"id": 2, "amount": 1e400}""", """{"id": 3, "amount": -1e999}""");

        var report = IngestOne("raw.payments");

        AssertStopped(report, "well_formed", "payments/2024-01-01.jsonl line 2: unreadable value(s): amount='1e400'", "line 3");
        Assert.Equal(1, report.Outcome.RowsOut);
    }

    [Fact]
    public void An_integer_column_takes_no_fraction_rather_than_rounding_it()
    {
        Land("payments/2024-01-01.jsonl", """{"id": 1}""", """{"id": 1.5}""");

        AssertStopped(IngestOne("raw.payments"), "well_formed", "payments/2024-01-01.jsonl line 2: unreadable value(s): id='1.5'");
    }

    [Fact]
    public void A_null_in_a_required_column_of_a_source_names_file_and_line()
    {
        Land("users/2024-01-01.csv", "user_id,age", "u1,30", ",31", "u3,32");

        AssertStopped(IngestOne("raw.users"), "not_null(user_id)", "1 null value(s): users/2024-01-01.csv line 3");
    }

    [Fact]
    public void A_parquet_source_is_read_with_its_types_and_a_value_that_does_not_fit_names_its_row()
    {
        var file = LandingPath("meters/2024-01-01.parquet");
        using (var lease = _ws.DuckDb.Rent())
            lease.Session.Execute($"""
                COPY (SELECT * FROM (VALUES ('m1', 10.0::DOUBLE, TIMESTAMPTZ '2024-01-01 10:00:00+02'), ('m2', 11.5, TIMESTAMPTZ '2024-01-01 11:00:00+00'),
                                            ('m3', 12.0, NULL)) t(meter, reading, "at"))
                TO '{file}' (FORMAT parquet)
                """);

        var report = IngestOne("raw.meters");

        AssertStopped(report, "well_formed", "meters/2024-01-01.parquet row 2: unreadable value(s): reading='11.5'");
        Assert.Equal(2, report.Outcome.RowsOut);
        Assert.Equal("BIGINT", Scalar<string>(report, "SELECT typeof(reading) FROM {data} LIMIT 1"));
        Assert.Equal(new DateTime(2024, 1, 1, 8, 0, 0), Scalar<DateTime>(report, "SELECT min(\"at\") FROM {data}"));
    }

    [Fact]
    public void A_landing_file_that_cannot_be_read_at_all_stops_its_box_naming_the_file()
    {
        LandBytes("meters/2024-01-01.parquet", Encoding.UTF8.GetBytes("PAR1 this is no parquet file"));

        var report = IngestOne("raw.meters");

        AssertStopped(report, "well_formed", "meters/2024-01-01.parquet: cannot be read:");
    }

    // ------------------------------------------------------------------ files still being written

    /// <summary>Appends to a landing file when its box's task starts: after ingest scanned and hashed it, before the task reads it.</summary>
    private sealed class AppendWhenStarted(string path, string lines) : IRunObserver
    {
        public void Planned(int count) { }
        public void Started(string dataset, string boxKey) => File.AppendAllText(path, lines);
        public void Finished(TaskReport report) { }
    }

    [Fact]
    public void A_file_appended_to_while_it_is_ingested_is_left_for_the_next_build_and_said_so()
    {
        Land("payments/2024-01-01.jsonl", Payment(1), Payment(2));
        var path = LandingPath("payments/2024-01-01.jsonl");

        var first = _service.Ingest(["raw.payments"], Options, new AppendWhenStarted(path, Payment(3) + "\n" + Payment(4) + "\n"));

        var report = Assert.Single(first.Tasks);
        Assert.Equal(BuildStatus.Skipped, report.Outcome.Status);
        Assert.Contains("payments/2024-01-01.jsonl is still being written", report.Outcome.Message);
        Assert.Contains("retried next build", Assert.Single(first.LandingProblems).Problem);
        Assert.Null(_ws.Ledger.Boxes(_ws.Env, "raw.payments", BoxRange.Single(GrainMath.Parse(Grain.Daily, "2024-01-01"))).SingleOrDefault()?.CurrentVersion);

        var second = IngestOne("raw.payments");

        Assert.True(second.Outcome.Status == BuildStatus.Built, second.Outcome.Message);
        Assert.Equal(4, second.Outcome.RowsOut);
        var landed = _ws.Ledger.LandedFiles("raw.payments")["payments/2024-01-01.jsonl"];
        Assert.Equal(Hashing.FileSha256(path), landed.Sha256); // the version is named by the content it was read from
    }

    private static string Payment(int id) => $$"""{"id": {{id}}, "amount": 1.5, "note": "n"}""";

    private T? Scalar<T>(TaskReport report, string sql)
    {
        var files = _ws.Files.Paths(new VersionLocation(report.Dataset, report.BoxKey, report.Outcome.VersionId!));
        using var lease = _ws.DuckDb.Rent();
        return lease.Session.Scalar<T>(sql.Replace("{data}", $"read_parquet([{string.Join(", ", files.Select(f => $"'{f}'"))}])"));
    }
}
