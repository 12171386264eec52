using Takt.Composition;
using Takt.Building;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Lake;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.Unit;

/// <summary>Ingest through the public pipeline: landing files -> <see cref="BuildService.Ingest"/> -> versions in the ledger and lake.</summary>
public sealed class IngestTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();
    private readonly Workspace _ws;
    private readonly BuildService _service;

    public IngestTests()
    {
        var factory = new FactoryBuilder("ingest", _dir.Path)
            .Dataset("raw.events", d => d.Owner("t")
                .Schema(s => s.Required("id", ColumnType.Int64).Column("name", ColumnType.String).Column("at", ColumnType.Timestamp))
                .FromLanding("events/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("raw.users", d => d.Owner("t")
                .Schema(s => s.Required("user_id", ColumnType.String).Column("age", ColumnType.Int32))
                .FromLanding("users/{box}.csv", LandingFormat.Csv))
            .Dataset("raw.clicks", d => d.Owner("t")
                .Schema(s => s.Required("id", ColumnType.Int64).Column("at", ColumnType.Timestamp))
                .FromLandingSplitBy("clicks/*.jsonl", LandingFormat.JsonLines, "at"))
            .Dataset("raw.visits", d => d.Owner("t")
                .Schema(s => s.Required("id", ColumnType.Int64).Column("at", ColumnType.Timestamp))
                .FromLandingSplitBy("visits/*.csv", LandingFormat.Csv, "at"))
            .Dataset("raw.loose", d => d.Owner("t")
                .Schema(s => s.Required("id", ColumnType.Int64).Column("name", ColumnType.String))
                .FromLanding("loose/{box}.jsonl", LandingFormat.JsonLines, schemaDrift: Severity.Warn))
            .Build();
        _ws = WorkspaceBuilder.At(_dir.Combine("home")).Open(factory);
        _service = new BuildService(_ws);
    }

    public void Dispose()
    {
        _ws.Dispose();
        _dir.Dispose();
    }

    private static readonly RunOptions Options = new() { Parallelism = 2, Attempts = 1 };

    private void Land(string relativePath, params string[] lines) =>
        File.WriteAllText(Path.Combine(_ws.LandingDirectory, relativePath), string.Join("\n", lines) + "\n");

    private void LandDir(string relativePath, params string[] lines)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_ws.LandingDirectory, relativePath))!);
        Land(relativePath, lines);
    }

    private IReadOnlyList<TaskReport> Ingest(string dataset) => _service.Ingest([dataset], Options).Tasks;

    private BoxState Head(string dataset, string boxKey)
    {
        var grain = _ws.Factory[dataset].Grain;
        var box = GrainMath.Parse(grain, boxKey);
        return Assert.Single(_ws.Ledger.Boxes(_ws.Env, dataset, BoxRange.Single(box)));
    }

    private T? Query<T>(string dataset, string boxKey, string versionId, string sql)
    {
        var files = _ws.Files.Paths(new VersionLocation(dataset, boxKey, versionId));
        using var lease = _ws.DuckDb.Rent();
        var list = string.Join(", ", files.Select(f => $"'{f}'"));
        return lease.Session.Scalar<T>(sql.Replace("{data}", $"read_parquet([{list}])"));
    }

    // ------------------------------------------------------------------ JSON lines

    [Fact]
    public void A_malformed_line_quarantines_its_box_naming_file_and_line_while_a_good_box_is_built()
    {
        LandDir("events/2024-01-01.jsonl",
            """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""",
            """{"id": 2, "name": "b", "at": "2024-01-01T11:00:00Z"}""");
        Land("events/2024-01-02.jsonl",
            """{"id": 3, "name": "c", "at": "2024-01-02T10:00:00Z"}""",
            """{"id": 4, "name": "d", "at": """,
            """{"id": 5, "name": "e", "at": "2024-01-02T12:00:00Z"}""");

        var reports = Ingest("raw.events");

        Assert.Equal(2, reports.Count);
        var good = reports.Single(r => r.BoxKey == "2024-01-01");
        Assert.Equal(BuildStatus.Built, good.Outcome.Status);
        Assert.Equal(2, good.Outcome.RowsOut);

        var bad = reports.Single(r => r.BoxKey == "2024-01-02");
        Assert.Equal(BuildStatus.Quarantined, bad.Outcome.Status);
        Assert.Contains("raw.events@2024-01-02", bad.Outcome.Message);
        Assert.Contains("well_formed", bad.Outcome.Message);
        Assert.Contains("events/2024-01-02.jsonl line 2", bad.Outcome.Message);
        var wellFormed = Assert.Single(bad.Outcome.FailedChecks);
        Assert.Equal("well_formed", wellFormed.Name);
        Assert.Equal(1, wellFormed.FailingRows);
        Assert.Equal(2, bad.Outcome.RowsOut); // the readable rows are kept for inspection

        Assert.Null(Head("raw.events", "2024-01-02").CurrentVersion);
        Assert.True(Head("raw.events", "2024-01-02").IsQuarantined);
        Assert.Equal(good.Outcome.VersionId, Head("raw.events", "2024-01-01").CurrentVersion);
        Assert.Contains(_ws.Ledger.Events("raw.events", 10), e => e.Kind == EventKind.Andon && e.BoxKey == "2024-01-02");
    }

    [Fact]
    public void An_unreadable_value_names_file_line_and_value()
    {
        LandDir("events/2024-01-01.jsonl",
            """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""",
            """{"id": 2, "name": "b", "at": "2024-01-01T11:00:00Z"}""",
            """{"id": "three", "name": "c", "at": "2024-01-01T12:00:00Z"}""");

        var report = Assert.Single(Ingest("raw.events"));

        Assert.Equal(BuildStatus.Quarantined, report.Outcome.Status);
        Assert.Contains("events/2024-01-01.jsonl line 3", report.Outcome.Message);
        Assert.Contains("id='three'", report.Outcome.Message);
        Assert.Equal(2, report.Outcome.RowsOut);
    }

    [Fact]
    public void A_line_without_a_required_key_stops_its_box_by_the_implicit_not_null_check()
    {
        LandDir("events/2024-01-01.jsonl",
            """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""",
            """{"name": "no id", "at": "2024-01-01T11:00:00Z"}""");

        var report = Assert.Single(Ingest("raw.events"));

        Assert.Equal(BuildStatus.Quarantined, report.Outcome.Status);
        var notNull = Assert.Single(report.Outcome.FailedChecks);
        Assert.Equal("not_null(id)", notNull.Name);
        Assert.Equal(1, notNull.FailingRows);
        Assert.Contains("raw.events@2024-01-01 stopped by check not_null(id)", report.Outcome.Message);
        Assert.Contains(_ws.Ledger.CheckResults(report.Outcome.VersionId!), c => c.Name == "not_null(id)" && !c.Passed);
    }

    [Fact]
    public void Unchanged_content_re_ingested_is_a_no_op()
    {
        LandDir("events/2024-01-01.jsonl", """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""");
        Land("events/2024-01-02.jsonl", """{"id": 2, "name": "b", "at": "2024-01-02T10:00:00Z"}""");
        var first = Ingest("raw.events");
        Assert.Equal(2, first.Count);
        Assert.All(first, r => Assert.Equal(BuildStatus.Built, r.Outcome.Status));

        Assert.Empty(Ingest("raw.events"));
        Assert.Empty(_service.Plan(["raw.events"]).Tasks);
    }

    [Fact]
    public void Touching_a_file_without_changing_its_content_builds_nothing_new()
    {
        LandDir("events/2024-01-01.jsonl", """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""");
        var first = Assert.Single(Ingest("raw.events"));
        File.SetLastWriteTimeUtc(Path.Combine(_ws.LandingDirectory, "events/2024-01-01.jsonl"), DateTime.UtcNow.AddMinutes(5));

        var again = Ingest("raw.events");

        Assert.Empty(again);
        Assert.Equal(first.Outcome.VersionId, Head("raw.events", "2024-01-01").CurrentVersion);
    }

    [Fact]
    public void Changed_content_gives_a_new_version()
    {
        LandDir("events/2024-01-01.jsonl", """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""");
        Land("events/2024-01-02.jsonl", """{"id": 2, "name": "b", "at": "2024-01-02T10:00:00Z"}""");
        var first = Ingest("raw.events").Single(r => r.BoxKey == "2024-01-01");

        Land("events/2024-01-01.jsonl",
            """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""",
            """{"id": 7, "name": "late", "at": "2024-01-01T23:00:00Z"}""");
        var second = Assert.Single(Ingest("raw.events"));

        Assert.Equal("2024-01-01", second.BoxKey);
        Assert.Equal(BuildStatus.Built, second.Outcome.Status);
        Assert.NotNull(second.Outcome.VersionId);
        Assert.NotEqual(first.Outcome.VersionId, second.Outcome.VersionId);
        Assert.Equal(2, second.Outcome.RowsOut);
        Assert.Equal(second.Outcome.VersionId, Head("raw.events", "2024-01-01").CurrentVersion);
        Assert.Equal(2, _ws.Ledger.Versions("raw.events", BoxRange.Single(GrainMath.Parse(Grain.Daily, "2024-01-01"))).Count);
        Assert.Equal(8L, Query<long>("raw.events", "2024-01-01", second.Outcome.VersionId!, "SELECT CAST(sum(id) AS BIGINT) FROM {data}"));
    }

    [Fact]
    public void Reverting_to_earlier_content_reuses_the_earlier_version()
    {
        LandDir("events/2024-01-01.jsonl", """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""");
        var first = Assert.Single(Ingest("raw.events"));
        Land("events/2024-01-01.jsonl", """{"id": 1, "name": "b", "at": "2024-01-01T10:00:00Z"}""", "");
        Assert.Single(Ingest("raw.events"));
        Land("events/2024-01-01.jsonl", """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""");

        var third = Assert.Single(Ingest("raw.events"));

        Assert.Equal(first.Outcome.VersionId, third.Outcome.VersionId);
        Assert.Equal(first.Outcome.VersionId, Head("raw.events", "2024-01-01").CurrentVersion);
    }

    [Fact]
    public void A_renamed_key_is_schema_drift_and_stops_the_line()
    {
        LandDir("events/2024-01-01.jsonl", """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""");
        Land("events/2024-01-02.jsonl",
            """{"id": 2, "title": "b", "at": "2024-01-02T10:00:00Z"}""",
            """{"id": 3, "title": "c", "at": "2024-01-02T11:00:00Z"}""");

        var reports = Ingest("raw.events");

        Assert.Equal(BuildStatus.Built, reports.Single(r => r.BoxKey == "2024-01-01").Outcome.Status);
        var drifted = reports.Single(r => r.BoxKey == "2024-01-02");
        Assert.Equal(BuildStatus.Quarantined, drifted.Outcome.Status);
        var drift = Assert.Single(drifted.Outcome.FailedChecks);
        Assert.Equal("schema_drift", drift.Name);
        Assert.Equal(2, drift.FailingRows);
        Assert.Contains("column(s) added: title", drift.Message);
        Assert.Contains("column(s) removed: name", drift.Message);
        Assert.Contains("schema_drift", drifted.Outcome.Message);
        Assert.Contains(_ws.Ledger.Events("raw.events", 10), e => e.Kind == EventKind.SchemaDrift && e.BoxKey == "2024-01-02");
    }

    [Fact]
    public void Schema_drift_with_severity_warn_is_recorded_but_does_not_stop_the_line()
    {
        LandDir("loose/2024-01-01.jsonl", """{"id": 1, "title": "a"}""");

        var report = Assert.Single(Ingest("raw.loose"));

        Assert.Equal(BuildStatus.Built, report.Outcome.Status);
        var drift = Assert.Single(report.Outcome.FailedChecks);
        Assert.Equal("schema_drift", drift.Name);
        Assert.Equal("warn", drift.Severity);
        Assert.Contains("warnings: schema_drift", report.Outcome.Message);
        Assert.Equal(report.Outcome.VersionId, Head("raw.loose", "2024-01-01").CurrentVersion);
    }

    [Fact]
    public void Landing_a_fixed_file_releases_a_quarantined_box()
    {
        LandDir("events/2024-01-01.jsonl", """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""", "{not json");
        var bad = Assert.Single(Ingest("raw.events"));
        Assert.Equal(BuildStatus.Quarantined, bad.Outcome.Status);
        Assert.Contains("events/2024-01-01.jsonl line 2: invalid JSON", bad.Outcome.Message);

        Land("events/2024-01-01.jsonl", """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""", """{"id": 2, "name": "b", "at": "2024-01-01T11:00:00Z"}""");
        var fixedReport = Assert.Single(Ingest("raw.events"));

        Assert.Equal(BuildStatus.Built, fixedReport.Outcome.Status);
        var head = Head("raw.events", "2024-01-01");
        Assert.False(head.IsQuarantined);
        Assert.Equal(fixedReport.Outcome.VersionId, head.CurrentVersion);
        Assert.Equal(VersionStatus.Quarantined, _ws.Ledger.FindVersion(bad.Outcome.VersionId!)!.Status);
    }

    // ------------------------------------------------------------------ CSV

    [Fact]
    public void A_csv_source_is_converted_to_the_declared_types()
    {
        LandDir("users/2024-02-01.csv", "user_id,age", "u1,30", "u2,41", "u3,");

        var report = Assert.Single(Ingest("raw.users"));

        Assert.Equal("raw.users", report.Dataset);
        Assert.Equal("2024-02-01", report.BoxKey);
        Assert.Equal(BuildStatus.Built, report.Outcome.Status);
        Assert.Equal(3, report.Outcome.RowsOut);
        var id = report.Outcome.VersionId!;
        Assert.Equal(71L, Query<long>("raw.users", "2024-02-01", id, "SELECT CAST(sum(age) AS BIGINT) FROM {data}"));
        Assert.Equal("INTEGER", Query<string>("raw.users", "2024-02-01", id, "SELECT typeof(age) FROM {data} LIMIT 1"));
        Assert.Equal(1L, Query<long>("raw.users", "2024-02-01", id, "SELECT count(*) FROM {data} WHERE age IS NULL"));
        var version = _ws.Ledger.FindVersion(id)!;
        Assert.Equal(VersionStatus.Committed, version.Status);
        Assert.Equal(3, version.Rows);
        Assert.All(_ws.Ledger.CheckResults(id), c => Assert.True(c.Passed, c.Name));
    }

    [Fact]
    public void A_csv_value_of_the_wrong_type_is_reported_with_its_line()
    {
        LandDir("users/2024-02-01.csv", "user_id,age", "u1,30", "u2,old");

        var report = Assert.Single(Ingest("raw.users"));

        Assert.Equal(BuildStatus.Quarantined, report.Outcome.Status);
        Assert.Contains("users/2024-02-01.csv line 3", report.Outcome.Message);
        Assert.Contains("age='old'", report.Outcome.Message);
    }

    // ------------------------------------------------------------------ split sources

    private static string Click(int id, string at) => $$"""{"id": {{id}}, "at": "{{at}}"}""";

    [Fact]
    public void A_file_spanning_three_days_gives_three_boxes_and_a_late_file_re_ingests_only_its_day()
    {
        LandDir("clicks/batch-1.jsonl",
            Click(1, "2024-03-01T08:00:00Z"),
            Click(2, "2024-03-01T23:59:59Z"),
            Click(3, "2024-03-02T00:00:00Z"),
            Click(4, "2024-03-03T12:00:00Z"),
            Click(5, "2024-03-03T13:00:00Z"),
            Click(6, "2024-03-03T14:00:00Z"));

        var first = Ingest("raw.clicks");

        Assert.Equal(["2024-03-01", "2024-03-02", "2024-03-03"], first.Select(r => r.BoxKey).Order());
        Assert.All(first, r => Assert.Equal(BuildStatus.Built, r.Outcome.Status));
        Assert.Equal(2, first.Single(r => r.BoxKey == "2024-03-01").Outcome.RowsOut);
        Assert.Equal(1, first.Single(r => r.BoxKey == "2024-03-02").Outcome.RowsOut);
        Assert.Equal(3, first.Single(r => r.BoxKey == "2024-03-03").Outcome.RowsOut);
        var before = first.ToDictionary(r => r.BoxKey, r => r.Outcome.VersionId);

        Land("clicks/batch-2.jsonl", Click(7, "2024-03-02T09:00:00Z"), Click(8, "2024-03-02T10:00:00Z"));
        var second = Ingest("raw.clicks");

        var late = Assert.Single(second);
        Assert.Equal("2024-03-02", late.BoxKey);
        Assert.Equal(BuildStatus.Built, late.Outcome.Status);
        Assert.Equal(3, late.Outcome.RowsOut);
        Assert.NotEqual(before["2024-03-02"], late.Outcome.VersionId);
        Assert.Equal(before["2024-03-01"], Head("raw.clicks", "2024-03-01").CurrentVersion);
        Assert.Equal(before["2024-03-03"], Head("raw.clicks", "2024-03-03").CurrentVersion);
        Assert.Equal(18L, Query<long>("raw.clicks", "2024-03-02", late.Outcome.VersionId!, "SELECT CAST(sum(id) AS BIGINT) FROM {data}"));

        Assert.Empty(Ingest("raw.clicks"));
    }

    [Fact]
    public void Split_timestamps_with_offsets_are_cut_into_utc_days()
    {
        LandDir("clicks/batch-1.jsonl",
            Click(1, "2024-03-01T23:30:00-02:00"), // 2024-03-02T01:30Z
            Click(2, "2024-03-02T00:30:00+02:00"), // 2024-03-01T22:30Z
            Click(3, "2024-03-01T12:00:00Z"));

        var reports = Ingest("raw.clicks");

        Assert.Equal(["2024-03-01", "2024-03-02"], reports.Select(r => r.BoxKey).Order());
        var first = reports.Single(r => r.BoxKey == "2024-03-01");
        var second = reports.Single(r => r.BoxKey == "2024-03-02");
        Assert.Equal(5L, Query<long>("raw.clicks", "2024-03-01", first.Outcome.VersionId!, "SELECT CAST(sum(id) AS BIGINT) FROM {data}"));
        Assert.Equal(1L, Query<long>("raw.clicks", "2024-03-02", second.Outcome.VersionId!, "SELECT CAST(sum(id) AS BIGINT) FROM {data}"));
    }

    [Fact]
    public void A_bad_value_on_one_day_of_a_split_file_stops_only_that_day()
    {
        // Errors are local: the box is the unit of quality, so a bad row of 2024-03-01 must not quarantine 2024-03-03.
        LandDir("clicks/batch-1.jsonl",
            Click(1, "2024-03-01T08:00:00Z"),
            """{"id": "x", "at": "2024-03-01T09:00:00Z"}""",
            Click(3, "2024-03-03T12:00:00Z"));

        var reports = Ingest("raw.clicks");

        var bad = reports.Single(r => r.BoxKey == "2024-03-01");
        Assert.Equal(BuildStatus.Quarantined, bad.Outcome.Status);
        Assert.Contains("clicks/batch-1.jsonl line 2", bad.Outcome.Message);
        var good = reports.Single(r => r.BoxKey == "2024-03-03");
        Assert.Equal(BuildStatus.Built, good.Outcome.Status);
        Assert.Equal(1, good.Outcome.RowsOut);
    }

    [Fact]
    public void A_row_of_a_split_file_without_a_timestamp_is_reported_not_silently_dropped()
    {
        LandDir("clicks/batch-1.jsonl",
            Click(1, "2024-03-01T08:00:00Z"),
            """{"id": 2, "at": null}""",
            Click(3, "2024-03-01T12:00:00Z"));

        var reports = Ingest("raw.clicks");

        var report = Assert.Single(reports);
        Assert.Equal(2, report.Outcome.RowsOut);
        Assert.Contains("clicks/batch-1.jsonl line 2", report.Outcome.Message);
    }

    // ------------------------------------------------------------------ landing files no box takes

    private const string Event1 = """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""";

    [Fact]
    public void Misnamed_landing_files_are_reported_with_the_pattern_they_should_match_and_recorded_once()
    {
        LandDir("events/2024-01-01.jsonl", Event1);
        Land("events/2024-1-5.jsonl", Event1);
        Land("events/2024-01-06.JSONL", Event1);
        Directory.CreateDirectory(Path.Combine(_ws.LandingDirectory, "events/2024-01-07.jsonl"));
        LandDir("events/old/2024-01-08.jsonl", Event1);
        Land("events/.2024-01-09.jsonl.part", Event1); // hidden: being landed under a temporary name

        var first = _service.Ingest(["raw.events"], Options);

        Assert.Equal(["2024-01-01"], first.Tasks.Select(t => t.BoxKey));
        Assert.Equal(["events/2024-01-06.JSONL", "events/2024-01-07.jsonl", "events/2024-1-5.jsonl", "events/old/2024-01-08.jsonl"],
            first.LandingProblems.Select(p => p.Path));
        Assert.All(first.LandingProblems, p => Assert.Contains("'events/{box}.jsonl' with {box} as YYYY-MM-DD", p.Problem));
        Assert.Contains("'2024-1-5' is not a daily box", first.LandingProblems.Single(p => p.Path == "events/2024-1-5.jsonl").Problem);
        Assert.Contains("is a directory", first.LandingProblems.Single(p => p.Path == "events/2024-01-07.jsonl").Problem);
        int Recorded() => _ws.Ledger.Events("raw.events", 100).Count(e => e.Kind == EventKind.LandingProblem);
        Assert.Equal(4, Recorded());

        Assert.Equal(4, _service.LandingProblems(["raw.events"]).Count); // what plan and status show: read only
        var second = _service.Ingest(["raw.events"], Options);
        Assert.Equal(4, second.LandingProblems.Count);
        Assert.Equal(4, Recorded()); // once per file, not once per ingest

        File.Move(Path.Combine(_ws.LandingDirectory, "events/2024-1-5.jsonl"), Path.Combine(_ws.LandingDirectory, "events/2024-01-05.jsonl"));
        var renamed = _service.Ingest(["raw.events"], Options);
        Assert.Equal(["2024-01-05"], renamed.Tasks.Select(t => t.BoxKey));
        Assert.Equal(3, renamed.LandingProblems.Count);
    }

    [Fact]
    public void A_landing_file_name_with_a_control_character_is_reported_and_the_other_files_are_ingested()
    {
        LandDir("visits/batch-1.csv", "id,at", "1,2024-03-01T08:00:00Z");
        Land("visits/batch\u0007.csv", "id,at", "2,2024-03-02T08:00:00Z");

        var result = _service.Ingest(["raw.visits"], Options);

        var report = Assert.Single(result.Tasks);
        Assert.Equal(("2024-03-01", BuildStatus.Built), (report.BoxKey, report.Outcome.Status));
        var problem = Assert.Single(result.LandingProblems);
        Assert.Equal("visits/batch\\x07.csv", problem.Path);
        Assert.Contains("control character", problem.Problem);
    }

    [Fact]
    public void A_file_whose_name_ends_in_a_newline_is_not_taken_for_the_box_it_almost_names()
    {
        LandDir("events/2024-01-01.jsonl", Event1);
        Land("events/2024-01-01.jsonl\n", Event1);

        var result = _service.Ingest(["raw.events"], Options);

        Assert.Equal(1, Assert.Single(result.Tasks).Outcome.RowsOut);
        Assert.Equal("events/2024-01-01.jsonl\\x0a", Assert.Single(result.LandingProblems).Path);
    }

    [Fact]
    public void Ingest_of_one_source_does_not_touch_the_others()
    {
        LandDir("events/2024-01-01.jsonl", """{"id": 1, "name": "a", "at": "2024-01-01T10:00:00Z"}""");
        LandDir("users/2024-02-01.csv", "user_id,age", "u1,30");

        var reports = Ingest("raw.users");

        Assert.Equal(["raw.users"], reports.Select(r => r.Dataset).Distinct());
        Assert.Equal(0, _ws.Ledger.Summarize(_ws.Env, "raw.events").Count);
    }
}
