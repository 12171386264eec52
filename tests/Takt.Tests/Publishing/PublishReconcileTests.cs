using Microsoft.Data.Sqlite;
using Npgsql;
using Takt.Composition;
using Takt.Tests.EndToEnd;
using Takt.Tests.Support;

namespace Takt.Tests.Publishing;

/// <summary>
/// A publish target that disagrees with the ledger: the copy readers see is adopted when this ledger wrote it, and
/// refused in one line otherwise. Never an unhandled exception.
/// </summary>
public sealed class PublishReconcileTests(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly E2EDirectory _dir = new();
    private string Home => _dir.Combine("home");

    public void Dispose() => _dir.Dispose();

    [PostgresFact]
    public async Task A_crash_between_switching_readers_and_recording_it_is_reconciled_by_adopting_the_copy_readers_see()
    {
        E2E.Generate(Home, E2E.Day(1), E2E.Day(2));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        E2E.Generate(Home, E2E.Day(3), E2E.Day(3));
        Assert.Equal(0, E2E.Cli(Home, "build", "--no-publish").ExitCode);
        using (var dying = ShopProcess.Start(new Dictionary<string, string> { ["TAKT_CRASH_AT"] = "publish-after-switch" }, "publish", "serving.fraud_scores", "--home", Home))
        {
            Assert.NotEqual(0, await dying.WaitAsync(Timeout));
            Assert.Contains("fault injected at publish-after-switch", dying.Output);
        }
        Assert.Equal("fraud_scores__c2", SqliteView(Home)); // readers see c2; the ledger still says c1

        var build = E2E.Cli(Home, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());
        var result = Assert.Single(build.Json.GetProperty("published").EnumerateArray());
        Assert.Equal(("c2", true), (result.GetProperty("copy").GetString(), result.GetProperty("unchanged").GetBoolean()));
        Assert.Contains("readers see copy c2, which this ledger wrote; it is recorded as live now (the ledger had c1)", result.GetProperty("note").GetString());
        Assert.Equal("c2", LiveCopy(Home));
        Assert.Equal("fraud_scores__c2", SqliteView(Home));
        Assert.DoesNotContain("c3", E2E.Cli(Home, "published", "serving.fraud_scores", "--json").Stdout);
        Assert.Empty(E2E.Cli(Home, "plan", "--json").Json.GetProperty("pendingPublishes").EnumerateArray());
    }

    [PostgresFact]
    public void A_copy_readers_see_that_this_ledger_did_not_write_is_refused_in_one_line_and_left_alone()
    {
        E2E.Generate(Home, E2E.Day(1), E2E.Day(2));
        Assert.Equal(0, E2E.Cli(Home, "build").ExitCode);
        E2E.Generate(Home, E2E.Day(3), E2E.Day(3));
        Assert.Equal(0, E2E.Cli(Home, "build", "--no-publish").ExitCode);
        Assert.Equal(0, E2E.Cli(Home, "publish", "serving.fraud_scores").ExitCode);
        // An older Takt switched readers to c2 and died before recording it: this ledger knows nothing of c2.
        using (var ledger = new SqliteConnection($"Data Source={LedgerSnapshot.PathOf(Home)};Pooling=False"))
        {
            ledger.Open();
            using var forget = ledger.CreateCommand();
            forget.CommandText = "DELETE FROM publications WHERE copy = 'c2'; UPDATE publications SET live = 1 WHERE copy = 'c1'";
            forget.ExecuteNonQuery();
        }
        E2E.Generate(Home, E2E.Day(4), E2E.Day(4));

        var build = E2E.Cli(Home, "build", "--json");
        Assert.True(build.ExitCode == 3, build.ToString());
        var line = Assert.Single(build.Json.GetProperty("notPublished").EnumerateArray()).GetString()!;
        Assert.StartsWith("serving.fraud_scores not published to sqlite:fraud_scores: ", line);
        Assert.Contains($"the view fraud_scores in {Path.Combine(Home, "published", "shop.db")} shows copy c2, which this ledger did not write (its live copy is c1)", line);
        Assert.Contains("drop the view fraud_scores there to let this home take the target over", line);
        Assert.Equal("fraud_scores__c2", SqliteView(Home));
        Assert.Equal(4, LedgerSnapshot.Read(Home).Boxes.Count(b => b.Dataset == "serving.fraud_scores" && b.CurrentVersion is not null)); // nothing committed is lost
    }

    [PostgresFact]
    public async Task Two_homes_publishing_to_one_PostgreSQL_table_the_second_is_refused_in_one_line_and_the_first_keeps_its_readers()
    {
        var connection = NewDatabase();
        var env = new Dictionary<string, string> { ["SHOP_POSTGRES"] = connection };
        var (first, second) = (_dir.Combine("first"), _dir.Combine("second"));
        E2E.Generate(first, E2E.Day(1), E2E.Day(2));
        E2E.Generate(second, E2E.Day(1), E2E.Day(3));
        using (var build = ShopProcess.Start(env, "build", "--home", first))
            Assert.True(await build.WaitAsync(Timeout) == 0, build.Output);
        var readersSaw = PostgresRows(connection);

        using (var build = ShopProcess.Start(env, "build", "--home", second))
        {
            Assert.True(await build.WaitAsync(Timeout) == 3, build.Output); // before: an unhandled exception, exit 134
            Assert.DoesNotContain("Unhandled", build.Output);
            Assert.DoesNotContain(" at Takt.", build.Output);
            var line = Assert.Single(build.Output.Split('\n'), l => l.Contains("not published to postgres:fraud_scores", StringComparison.Ordinal));
            Assert.Contains("the view fraud_scores in PostgreSQL at 127.0.0.1:", line);
            Assert.Contains("shows copy c1, which this ledger did not write (it has no live copy there)", line);
            Assert.Contains("published serving.fraud_scores to sqlite:fraud_scores as copy c1", build.Output); // its own target is fine
        }
        Assert.Equal(readersSaw, PostgresRows(connection));
        Assert.Equal(3, LedgerSnapshot.Read(second).Boxes.Count(b => b.Dataset == "serving.fraud_scores" && b.CurrentVersion is not null));
    }

    [PostgresFact]
    public async Task An_old_copy_a_reader_still_holds_is_kept_and_said_the_publish_itself_succeeds_and_a_later_one_drops_it()
    {
        var connection = NewDatabase();
        var env = new Dictionary<string, string> { ["SHOP_POSTGRES"] = connection };
        async Task<string> BuildDay(int day)
        {
            E2E.Generate(Home, E2E.Day(day), E2E.Day(day));
            using var build = ShopProcess.Start(env, "build", "--home", Home);
            Assert.True(await build.WaitAsync(Timeout) == 0, build.Output);
            return build.Output;
        }
        for (var day = 1; day <= 3; day++) await BuildDay(day);

        using (var reader = new NpgsqlConnection(connection))
        {
            reader.Open();
            using (var read = new NpgsqlCommand("BEGIN; SELECT count(*) FROM fraud_scores__c1", reader)) read.ExecuteScalar();
            var output = await BuildDay(4); // before: "not published to postgres:fraud_scores: ... not reachable", exit 3, though readers saw c4
            Assert.Contains("published serving.fraud_scores to postgres:fraud_scores as copy c4", output);
            Assert.Contains("serving.fraud_scores on postgres:fraud_scores: old copy c1 is kept for now: PostgreSQL at 127.0.0.1:", output);
        }
        Assert.Contains("published serving.fraud_scores to postgres:fraud_scores as copy c5 (", await BuildDay(5));
        Assert.Equal(["fraud_scores__c3", "fraud_scores__c4", "fraud_scores__c5"], PostgresCopies(connection));
    }

    /// <summary>A database of this test's own on the shared server: the Shop always publishes to the table fraud_scores.</summary>
    private string NewDatabase()
    {
        var name = "takt_" + Guid.NewGuid().ToString("N");
        using (var connection = server.Open())
        using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection)) create.ExecuteNonQuery();
        return server.ConnectionString.Replace("Database=postgres", $"Database={name}", StringComparison.Ordinal);
    }

    private static List<string> PostgresRows(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var cmd = new NpgsqlCommand("SELECT user_id, score, band FROM fraud_scores ORDER BY user_id, score, band", connection);
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read()) rows.Add($"{r.GetString(0)}|{r.GetDouble(1)}|{r.GetString(2)}");
        return rows;
    }

    private static List<string> PostgresCopies(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var cmd = new NpgsqlCommand("SELECT tablename::text FROM pg_tables WHERE tablename LIKE 'fraud\\_scores\\_\\_c%' ORDER BY tablename", connection);
        using var r = cmd.ExecuteReader();
        var tables = new List<string>();
        while (r.Read()) tables.Add(r.GetString(0));
        return tables;
    }

    /// <summary>The table the view readers query selects from.</summary>
    private static string SqliteView(string home)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(home, "published", "shop.db"), Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'fraud_scores'";
        var sql = (string)cmd.ExecuteScalar()!;
        return sql[(sql.LastIndexOf(" FROM ", StringComparison.Ordinal) + 6)..].Trim('"');
    }

    private static string LiveCopy(string home)
    {
        using var ws = WorkspaceBuilder.At(home).Open(E2E.ShopFactoryAt());
        return ws.Ledger.Publications("serving.fraud_scores").Single(p => p.Live).Copy;
    }
}
