using Microsoft.Data.Sqlite;
using Spectre.Console;
using Takt.Boxes;
using Takt.Cli;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Ledger.Sqlite;
using Takt.Tests.Unit;

namespace Takt.Tests.Contracts;

/// <summary>
/// The embedded ledger stores statuses as the words every earlier version of Takt wrote, so old ledgers still read
/// (no migration), and a word it does not know is an error naming the row and the word, never a guess.
/// </summary>
public sealed class SqliteStatusWordsTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();

    private string LedgerPath => _dir.Combine("ledger.db");

    public void Dispose() => _dir.Dispose();

    // Written out here, not taken from Takt: these are the words ledgers in use already hold.
    public static TheoryData<RunStatus, string> RunWords => new()
    {
        { RunStatus.Running, "running" }, { RunStatus.Ok, "ok" }, { RunStatus.Stopped, "stopped" }, { RunStatus.Failed, "failed" },
    };

    public static TheoryData<BuildStatus, string> TaskWords => new()
    {
        { BuildStatus.Running, "running" }, { BuildStatus.Built, "built" }, { BuildStatus.Reused, "reused" }, { BuildStatus.Blocked, "blocked" },
        { BuildStatus.Failed, "failed" }, { BuildStatus.Quarantined, "quarantined" }, { BuildStatus.Skipped, "skipped" },
    };

    public static TheoryData<EventKind, string> EventWords => new()
    {
        { EventKind.Andon, "andon" }, { EventKind.Override, "override" }, { EventKind.Deploy, "deploy" }, { EventKind.Publish, "publish" },
        { EventKind.Rollback, "rollback" }, { EventKind.Invalidate, "invalidate" }, { EventKind.EnvDrop, "env_drop" },
        { EventKind.LandingProblem, "landing_problem" }, { EventKind.Lost, "lost" }, { EventKind.SlaMiss, "sla_miss" },
        { EventKind.SchemaDrift, "schema_drift" }, { EventKind.LineageExportFailed, "lineage_export_failed" },
        { EventKind.ScheduleRun, "schedule_run" }, { EventKind.ScheduleSkipped, "schedule_skipped" },
        { EventKind.StagingLeftover, "staging_leftover" },
    };

    [Fact]
    public void Every_status_and_event_kind_has_its_word_written_out_here()
    {
        Assert.Equal(Enum.GetValues<RunStatus>().Length - 1, RunWords.Count); // died is never stored
        Assert.Equal(Enum.GetValues<BuildStatus>().Length, TaskWords.Count);
        Assert.Equal(Enum.GetValues<EventKind>().Length, EventWords.Count);
    }

    [Theory, MemberData(nameof(RunWords))]
    public void A_run_status_is_stored_as_its_word_and_the_word_an_older_ledger_holds_is_read(RunStatus status, string word)
    {
        using (var ledger = new SqliteLedger(LedgerPath))
        {
            ledger.StartRun("run-1", "prod", "build");
            if (status != RunStatus.Running) ledger.FinishRun("run-1", status, "{}");
        }
        Assert.Equal(word, Scalar("SELECT status FROM runs WHERE id = 'run-1'"));

        Execute($"INSERT INTO runs (id, env, command, started_at_ms, status) VALUES ('old-run', 'prod', 'build', 1, '{word}')");
        using var reopened = new SqliteLedger(LedgerPath);
        Assert.Equal(status, reopened.FindRun("old-run")!.Status);
    }

    [Theory, MemberData(nameof(TaskWords))]
    public void A_task_status_is_stored_as_its_word_and_the_word_an_older_ledger_holds_is_read(BuildStatus status, string word)
    {
        using (var ledger = new SqliteLedger(LedgerPath))
        {
            ledger.StartRun("run-1", "prod", "build");
            var task = ledger.StartTask("run-1", "raw.a", 1, "box-1", "missing");
            if (status != BuildStatus.Running) ledger.FinishTask(task, status, null, 1, 5, 0, 0, null, []);
        }
        Assert.Equal(word, Scalar("SELECT status FROM tasks WHERE run_id = 'run-1'"));

        Execute($"INSERT INTO tasks (run_id, dataset, box, box_key, reason, status, started_at_ms) VALUES ('old-run', 'raw.a', 1, 'box-1', 'missing', '{word}', 1)");
        using var reopened = new SqliteLedger(LedgerPath);
        Assert.Equal(status, Assert.Single(reopened.Tasks("old-run")).Status);
    }

    [Theory, MemberData(nameof(EventWords))]
    public void An_event_kind_is_stored_as_its_word_and_the_word_an_older_ledger_holds_is_read(EventKind kind, string word)
    {
        using (var ledger = new SqliteLedger(LedgerPath)) ledger.RecordEvent(kind, "prod", "raw.a", null, null, "new");
        Assert.Equal(word, Scalar("SELECT kind FROM events WHERE message = 'new'"));

        Execute($"INSERT INTO events (at_ms, kind, env, message) VALUES (1, '{word}', 'prod', 'old')");
        using var reopened = new SqliteLedger(LedgerPath);
        Assert.Equal([kind, kind], reopened.Events(null, 10).Select(e => e.Kind));
    }

    [Fact]
    public void A_task_status_the_ledger_does_not_know_is_an_error_naming_the_ledger_the_task_its_run_and_the_word()
    {
        using var ledger = new SqliteLedger(LedgerPath);
        ledger.StartRun("run-1", "prod", "build");
        Execute("INSERT INTO tasks (id, run_id, dataset, box, box_key, reason, status, started_at_ms) VALUES (4242, 'run-1', 'raw.a', 1, 'box-1', 'missing', 'paused', 1)");

        var error = Assert.Throws<LedgerDataException>(() => ledger.Tasks("run-1"));

        Assert.Contains(LedgerPath, error.Message);
        Assert.Contains("task 4242 of run run-1", error.Message);
        Assert.Contains("'paused'", error.Message);
        Assert.Contains("'paused'", Assert.Throws<LedgerDataException>(() => ledger.TasksSince(0)).Message);
    }

    [Fact]
    public void An_event_kind_the_ledger_does_not_know_is_an_error_naming_the_event_and_the_word()
    {
        using var ledger = new SqliteLedger(LedgerPath);
        Execute("INSERT INTO events (id, at_ms, kind, env, message) VALUES (77, 1, 'earthquake', 'prod', 'shaken')");

        var error = Assert.Throws<LedgerDataException>(() => ledger.Events(null, 10));

        Assert.Contains("event 77", error.Message);
        Assert.Contains("'earthquake'", error.Message);
    }

    [Fact]
    public void A_version_status_the_ledger_does_not_know_is_an_error_naming_the_ledger_the_version_and_the_word()
    {
        using var ledger = new SqliteLedger(LedgerPath);
        var version = CommitOneVersion(ledger);
        Execute($"UPDATE version_rows SET status = 'frozen' WHERE id = '{version}'");

        var error = Assert.Throws<LedgerDataException>(() => ledger.FindVersion(version));

        Assert.Contains(LedgerPath, error.Message);
        Assert.Contains($"version {version}", error.Message);
        Assert.Contains("'frozen'", error.Message);
    }

    [Fact]
    public void A_box_head_status_the_ledger_does_not_know_is_an_error_naming_the_ledger_the_box_and_the_word()
    {
        using var ledger = new SqliteLedger(LedgerPath);
        CommitOneVersion(ledger);
        Execute("UPDATE box_rows SET head_status = 'melted'");

        var boxes = Assert.Throws<LedgerDataException>(() => ledger.Boxes("prod", "raw.a", BoxRange.Single(1)));
        var facts = Assert.Throws<LedgerDataException>(() => ledger.PlanningFacts("prod", "raw.a", BoxRange.Single(1), "code"));

        foreach (var error in new[] { boxes, facts })
        {
            Assert.Contains(LedgerPath, error.Message);
            Assert.Contains("box 1 of raw.a in prod", error.Message);
            Assert.Contains("'melted'", error.Message);
        }
    }

    [Fact]
    public void A_run_status_the_ledger_does_not_know_stops_runs_with_one_line_naming_the_run_and_the_word_and_exit_code_3()
    {
        using (var ledger = new SqliteLedger(LedgerPath)) ledger.StartRun("run-1", "prod", "build");
        Execute("UPDATE runs SET status = 'paused' WHERE id = 'run-1'");

        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No });
        var exit = TaktCli.Run(TinyFactory, ["runs", "--home", _dir.Path], null, console, stdout, stderr);

        Assert.Equal(3, exit);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("run run-1", line);
        Assert.Contains("'paused'", line);
        Assert.Contains(LedgerPath, line);
    }

    private static string CommitOneVersion(SqliteLedger ledger)
    {
        var version = new VersionRecord("v-1", "raw.a", 1, "box-1", "code", 0, VersionStatus.Committed, 10, 100, "[]", 1, null);
        ledger.Commit(new CommitRequest("prod", version, [], [], null) { Files = [new VersionFile("part-0.parquet", 100, new string('a', 64))] });
        return version.Id;
    }

    private Factory TinyFactory() => new FactoryBuilder("tiny", _dir.Path)
        .Dataset("raw.a", d => d.Owner("a@example.com").Daily()
            .Schema(s => s.Required("id", ColumnType.String))
            .FromLanding("a/{box}.csv", LandingFormat.Csv))
        .Build();

    private string? Scalar(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    private void Execute(string sql)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = LedgerPath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
