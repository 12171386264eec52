using System.Net;
using Microsoft.Playwright;
using Takt.Composition;
using Takt.Building;
using Takt.Definitions;
using Takt.Running;
using Takt.Server;
using Takt.Tests.EndToEnd;
using Takt.Tests.Support;

namespace Takt.Tests.Dashboard;

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}

/// <summary>
/// The Shop factory built on 8 generated days, with negative amounts landed on the 5th and the 7th (both stopped by
/// core.orders' range check), served in process on a free loopback port; Chromium starts on first use.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public static readonly DateOnly First = E2E.Day(1), Last = E2E.Day(8);
    public static readonly DateOnly Defect = E2E.Day(5), SecondDefect = E2E.Day(7);

    private readonly E2EDirectory _dir = new();
    private readonly SharedChromium _chromium = new();

    public string Home => _dir.Path;
    public Factory Factory { get; } = E2E.ShopFactoryAt();
    public DashboardServer Server { get; private set; } = null!;
    public Uri Url => Server.Url;

    public async Task InitializeAsync()
    {
        E2E.Generate(Home, First, Last);
        using (var ws = WorkspaceBuilder.At(Home).Open(Factory))
        {
            var first = new BuildService(ws).Build([], options: new RunOptions { Parallelism = 2 });
            Assert.False(first.LineStopped, "the first build of clean data must not stop");
            E2E.Generate(Home, Defect, SecondDefect, $"negative-amounts@{E2E.Key(Defect)},negative-amounts@{E2E.Key(SecondDefect)}");
            var second = new BuildService(ws).Build([], options: new RunOptions { Parallelism = 2 });
            Assert.True(second.LineStopped, "negative amounts must stop the line");
        }
        Server = await DashboardServer.StartAsync(Factory, WorkspaceBuilder.At(Home), null,
            new ServeSettings { Bind = IPAddress.Loopback, Port = 0, RunSchedulerLoop = false });
    }

    /// <summary>A new page in the shared headless Chromium (started on first use).</summary>
    public Task<IPage> NewPageAsync() => _chromium.NewPageAsync();

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        if (Server is not null) await Server.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>The system's Chromium (Debian package <c>chromium</c>), as <c>./test</c> installs it, or <c>TAKT_CHROMIUM</c>.</summary>
internal static class Browser
{
    public static BrowserTypeLaunchOptions LaunchOptions()
    {
        if (Components.MissingChromium() is { } missing) Assert.Fail(missing);
        return new BrowserTypeLaunchOptions
        {
            ExecutablePath = Components.ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
        };
    }
}

/// <summary>Screenshots kept as test artefacts under the test output's <c>artifacts/</c>.</summary>
internal static class Artifacts
{
    public static string Directory { get; } = System.IO.Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(Directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        return path;
    }
}
