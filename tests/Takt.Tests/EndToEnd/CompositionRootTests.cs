using System.Net;
using Takt.Building;
using Takt.Composition;
using Takt.Landing;
using Takt.Server;
using Takt.Server.Scheduling;
using Takt.Tests.Scheduling;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// The composition root places ledger, lake and landing zone where <c>--ledger</c>, <c>--lake</c> and <c>--landing</c>
/// (or <c>TAKT_LEDGER</c>, <c>TAKT_LAKE</c> and <c>TAKT_LANDING</c>) say, as URIs or paths, runs tasks with the executor
/// <c>--executor</c> / <c>TAKT_EXECUTOR</c> names, and refuses a scheme or executor it does not know in one line.
/// </summary>
public sealed class CompositionRootTests : IDisposable
{
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Stores_given_as_uris_and_paths_on_the_command_line_are_where_the_build_reads_and_writes()
    {
        var (home, stores) = (_dir.Combine("home"), _dir.Combine("stores"));
        E2E.Generate(stores, E2E.Day(1), E2E.Day(1)); // into stores/landing

        var build = E2E.Cli(home, "build", "--ledger", $"sqlite://{stores}/ledger.db", "--lake", $"file://{stores}/lake", "--landing", Path.Combine(stores, "landing"));

        Assert.True(build.ExitCode == 0, build.ToString());
        AssertStoresAt(stores, home);
        var again = E2E.Cli(home, "build", "--ledger", Path.Combine(stores, "ledger.db"), "--lake", Path.Combine(stores, "lake"), "--landing", $"file://{stores}/landing", "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(0, System.Text.Json.JsonDocument.Parse(again.Stdout).RootElement.GetProperty("summary").GetProperty("built").GetInt32());
    }

    [Fact]
    public async Task Stores_given_by_TAKT_variables_are_where_the_build_reads_and_writes()
    {
        var (home, stores) = (_dir.Combine("home"), _dir.Combine("stores"));
        E2E.Generate(stores, E2E.Day(1), E2E.Day(1));
        using var build = ShopProcess.Start(new Dictionary<string, string>
        {
            ["TAKT_LEDGER"] = $"sqlite://{stores}/ledger.db",
            ["TAKT_LAKE"] = Path.Combine(stores, "lake"),
            ["TAKT_LANDING"] = $"file://{stores}/landing",
        }, "build", "--home", home);

        Assert.True(await build.WaitAsync(TimeSpan.FromMinutes(3)) == 0, build.Output);
        AssertStoresAt(stores, home);
    }

    [Fact]
    public void A_scheme_without_a_backend_is_one_usage_line_naming_the_option_and_the_known_schemes()
    {
        var result = E2E.Cli(_dir.Combine("home"), "status", "--lake", "s3://bucket/lake");

        Assert.True(result.ExitCode == 64, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--lake / TAKT_LAKE: unknown scheme 's3'", line);
        Assert.Contains("known: file", line);
    }

    [Fact]
    public async Task The_landing_zone_the_root_opens_is_the_one_ingest_and_the_schedulers_sensors_read()
    {
        var (home, stores) = (_dir.Combine("home"), _dir.Combine("stores"));
        E2E.Generate(stores, E2E.Day(1), E2E.Day(1)); // into stores/landing, not the home's
        var opened = 0;
        var workspaces = WorkspaceBuilder.At(home)
            .AddLanding("drop", address => { Interlocked.Increment(ref opened); return new LocalLandingZone(address.Path); }, _ => null)
            .Landing($"drop://{stores}/landing");
        var factory = E2E.ShopFactoryAt();

        await using (var server = await DashboardServer.StartAsync(factory, workspaces, new Schedules().OnLanding("orders-arrive", "raw.orders"),
            new ServeSettings { Bind = IPAddress.Loopback, Port = 0, RunSchedulerLoop = false }, new FakeBuilds()))
        {
            var sensor = Assert.Single(server.Scheduler!.Tick().Decisions);
            Assert.Equal(("orders-arrive", "started"), (sensor.Schedule, sensor.Action));
            await server.Scheduler.WhenIdle();
        }
        using (var ws = workspaces.Open(factory))
        {
            var ingested = new BuildService(ws).Ingest(["raw.orders"]);
            Assert.Contains(ingested.Tasks, t => t.Dataset == "raw.orders" && t.Outcome.Status == Takt.Ledger.BuildStatus.Built);
        }
        Assert.Equal(2, opened);
    }

    [Fact]
    public void An_unknown_executor_is_one_usage_line_naming_the_executors_known()
    {
        var result = E2E.Cli(_dir.Combine("home"), "status", "--executor", "kubernetes");

        Assert.True(result.ExitCode == 64, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--executor / TAKT_EXECUTOR: unknown executor 'kubernetes' (known: local)", line);
    }

    [Fact]
    public void The_executor_is_chosen_by_name_on_the_command_line_or_by_TAKT_EXECUTOR()
    {
        var home = _dir.Combine("home");
        E2E.Generate(home, E2E.Day(1), E2E.Day(1));

        var local = E2E.Cli(home, "build", "--executor", "local:");
        Assert.True(local.ExitCode == 0, local.ToString());
        Assert.Equal("local", WorkspaceBuilder.At(home).With(TaktSettings.FromEnvironment(v => v == "TAKT_EXECUTOR" ? "LOCAL" : null)).ExecutorName);
        var refused = Assert.Throws<ArgumentException>(() =>
            WorkspaceBuilder.At(home).With(TaktSettings.FromEnvironment(v => v == "TAKT_EXECUTOR" ? "ray" : null)).Open(E2E.ShopFactoryAt()));
        Assert.Contains("unknown executor 'ray' (known: local)", refused.Message);
    }

    [Fact]
    public void Addresses_are_uris_or_plain_paths()
    {
        Assert.Equal(new StoreAddress("sqlite", "/var/takt/ledger.db", "sqlite:///var/takt/ledger.db"), StoreAddress.Parse("sqlite:///var/takt/ledger.db", "sqlite"));
        Assert.Equal("sqlite:///var/takt/ledger.db", StoreAddress.Parse("/var/takt/ledger.db", "sqlite").ToString());
        Assert.Equal(Path.GetFullPath("lake"), StoreAddress.Parse("file:lake", "file").Path);
        Assert.Equal(("postgres", "//db.example/takt"), (StoreAddress.Parse("postgres://db.example/takt", "sqlite").Scheme, StoreAddress.Parse("postgres://db.example/takt", "sqlite").Path));
        Assert.Throws<ArgumentException>(() => StoreAddress.Parse("file:", "file"));
    }

    private static void AssertStoresAt(string stores, string home)
    {
        Assert.True(File.Exists(Path.Combine(stores, "ledger.db")), "the ledger is not where --ledger / TAKT_LEDGER said");
        Assert.NotEmpty(Directory.GetDirectories(Path.Combine(stores, "lake", "core.orders")));
        Assert.False(File.Exists(Path.Combine(home, "ledger.db")), "a ledger was made in the home directory as well");
        Assert.False(Directory.Exists(Path.Combine(home, "lake", "core.orders")), "versions were written into the home's lake as well");
    }
}
