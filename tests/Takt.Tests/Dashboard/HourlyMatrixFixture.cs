using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using Takt.Building;
using Takt.Composition;
using Takt.Definitions;
using Takt.Running;
using Takt.Server;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Dashboard;

/// <summary>
/// One hourly source, <c>raw.events</c>, landed and built for real from 2026-01-01T00 to 2026-01-03T11 (60 boxes); the
/// box 2026-01-02T13 holds a negative value, so its range check stopped it. Served in process; Chromium on first use.
/// </summary>
public sealed class HourlyMatrixFixture : IAsyncLifetime
{
    public const string Dataset = "raw.events";
    public const string Stopped = "2026-01-02T13";
    public static readonly DateOnly First = new(2026, 1, 1), Last = new(2026, 1, 3);
    public const int Boxes = 60;

    private readonly E2EDirectory _dir = new();
    private readonly SharedChromium _chromium = new();

    public Factory Factory { get; private set; } = null!;
    public DashboardServer Server { get; private set; } = null!;
    public Uri Url => Server.Url;

    public async Task InitializeAsync()
    {
        Factory = new FactoryBuilder("hourly", _dir.Combine("factory"))
            .Dataset(Dataset, d => d.Owner("ops@example.com").Hourly().Schema(s => s.Required("x", ColumnType.Int64))
                .FromLanding("events/{box}.csv", LandingFormat.Csv).Check(Check.Range("x", min: 0)))
            .Build();
        Directory.CreateDirectory(_dir.Combine("landing", "events"));
        var start = First.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        for (var h = 0; h < Boxes; h++)
        {
            var key = start.AddHours(h).ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture);
            File.WriteAllText(_dir.Combine("landing", "events", key + ".csv"), $"x\n{(key == Stopped ? -5 : h)}\n");
        }
        using (var ws = WorkspaceBuilder.At(_dir.Path).Open(Factory))
        {
            var build = new BuildService(ws).Build([], options: new RunOptions { Parallelism = 2 });
            Assert.True(build.LineStopped, "the negative value must stop the line");
        }
        Server = await DashboardServer.StartAsync(Factory, WorkspaceBuilder.At(_dir.Path), null,
            new ServeSettings { Bind = IPAddress.Loopback, Port = 0, RunSchedulerLoop = false });
    }

    public Task<IPage> NewPageAsync() => _chromium.NewPageAsync();

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        if (Server is not null) await Server.DisposeAsync();
        _dir.Dispose();
    }
}
