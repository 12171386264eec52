using System.Net;
using Microsoft.Data.Sqlite;
using Takt.Composition;
using Takt.Server;
using Takt.Server.Scheduling;
using Takt.Storage;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// A ledger that fails under the server is reported as the ledger's storage error, naming it, by the API and by the
/// scheduler alike, not as the backend's own exception type (which the SQLite publisher raises too).
/// </summary>
public sealed class StorageErrorTests : IDisposable
{
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_api_meeting_a_damaged_ledger_answers_with_a_storage_error_naming_the_ledger()
    {
        var home = _dir.Combine("home");
        await using var server = await DashboardServer.StartAsync(E2E.ShopFactoryAt(), WorkspaceBuilder.At(home), null,
            new ServeSettings { Bind = IPAddress.Loopback, Port = 0, RunSchedulerLoop = false });
        Damage(home, "events");

        using var http = new HttpClient { BaseAddress = server.Url };
        var response = await http.GetAsync(new Uri("api/events", UriKind.Relative));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Contains($"the ledger sqlite://{home}/ledger.db failed: no such table: events", body);
    }

    [Fact]
    public async Task The_api_meeting_a_ledger_row_it_cannot_read_answers_with_the_line_naming_the_row()
    {
        var home = _dir.Combine("home");
        await using var server = await DashboardServer.StartAsync(E2E.ShopFactoryAt(), WorkspaceBuilder.At(home), null,
            new ServeSettings { Bind = IPAddress.Loopback, Port = 0, RunSchedulerLoop = false });
        Execute(home, "INSERT INTO runs (id, env, command, started_at_ms, status) VALUES ('run-from-the-future', 'prod', 'build', 1, 'paused')");

        using var http = new HttpClient { BaseAddress = server.Url };
        var response = await http.GetAsync(new Uri("api/runs", UriKind.Relative));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.InternalServerError, $"{(int)response.StatusCode}: {body}");
        Assert.Contains("holds run run-from-the-future with run status 'paused', which this version of Takt does not know", body);
    }

    [Fact]
    public async Task The_scheduler_meeting_a_damaged_ledger_fails_its_tick_with_a_storage_error_naming_the_ledger()
    {
        var home = _dir.Combine("home");
        E2E.Generate(home, E2E.Day(1), E2E.Day(1));
        await using var server = await DashboardServer.StartAsync(E2E.ShopFactoryAt(), WorkspaceBuilder.At(home),
            new Schedules().OnLanding("orders-arrive", "raw.orders"),
            new ServeSettings { Bind = IPAddress.Loopback, Port = 0, RunSchedulerLoop = false }, new Scheduling.FakeBuilds());
        Damage(home, "landed_files");

        var failure = Assert.Throws<StorageException>(() => server.Scheduler!.Tick());

        Assert.Equal("ledger", failure.Store);
        Assert.Contains($"the ledger sqlite://{home}/ledger.db failed: no such table: landed_files", failure.Message);
    }

    /// <summary>Another process drops a table the server reads: every later read of it fails.</summary>
    private static void Damage(string home, string table) => Execute(home, $"DROP TABLE {table}"); // a test constant, not user input

    private static void Execute(string home, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(home, "ledger.db")};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
