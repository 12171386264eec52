using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Takt.Composition;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;
using Takt.Server.Api;
using Takt.Server.Scheduling;
using Takt.Server.Security;
using Takt.Storage;

namespace Takt.Server;

/// <summary>How <c>serve</c> listens and who may talk to it.</summary>
public sealed record ServeSettings
{
    public IPAddress Bind { get; init; } = IPAddress.Loopback;

    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = ServeCommand.DefaultPort;

    public string? Token { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>False leaves the scheduler to whoever calls <see cref="Scheduler.Tick"/> (tests).</summary>
    public bool RunSchedulerLoop { get; init; } = true;

    /// <summary>How scheduled builds run (parallelism).</summary>
    public RunOptions? BuildOptions { get; init; }

    /// <summary>Where request errors and scheduler decisions are logged; nothing when null.</summary>
    public TextWriter? Log { get; init; }
}


/// <summary>
/// The dashboard, its JSON API and the scheduler on Kestrel, listening on one address only. Started by <c>serve</c>,
/// and in process by the tests.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Workspace _workspace;

    private DashboardServer(WebApplication app, Workspace workspace, DashboardContext context, Uri url)
    {
        _app = app;
        _workspace = workspace;
        Context = context;
        Url = url;
    }

    public Uri Url { get; }
    public DashboardContext Context { get; }
    public Scheduler? Scheduler => Context.Scheduler;

    /// <summary>Opens the workspace <paramref name="workspaces"/> chooses, starts listening and returns once requests are served.</summary>
    /// <exception cref="ArgumentException">The address and token are refused by <see cref="AccessPolicy.Refusal"/>, or the schedules do not fit the factory.</exception>
    public static async Task<DashboardServer> StartAsync(Factory factory, WorkspaceBuilder workspaces, Schedules? schedules, ServeSettings settings,
        IScheduledBuilds? builds = null, CancellationToken cancellationToken = default)
    {
        if (AccessPolicy.Refusal(settings.Bind, settings.Token) is { } refusal) throw new ArgumentException(refusal, nameof(settings));
        var policy = new AccessPolicy(settings.Bind, settings.Token);
        var clock = settings.Clock;
        var env = workspaces.EnvironmentName;
        var workspace = workspaces.Clock(clock).Open(factory);
        try
        {
            workspace.Ledger.EnsureEnvironment(env);
            Scheduler? scheduler = null;
            if (schedules is not null && !schedules.IsEmpty || factory.Datasets.Any(d => d.ReadyWithin is not null))
            {
                schedules ??= new Schedules();
                builds ??= new WorkspaceBuilds(() => workspaces.Open(factory), settings.BuildOptions);
                scheduler = new Scheduler(factory, schedules, workspace.Ledger, env, workspace.Landing, builds, clock);
            }
            var context = new DashboardContext(factory, workspace, new FactoryView(factory, workspace.Ledger, workspace.Ledger, env), scheduler, clock);

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                ApplicationName = typeof(DashboardServer).Assembly.GetName().Name,
                ContentRootPath = AppContext.BaseDirectory,
                EnvironmentName = Microsoft.Extensions.Hosting.Environments.Production,
            });
            builder.Logging.ClearProviders();
            if (settings.Log is { } log) builder.Logging.AddProvider(new WriterLoggerProvider(log)).SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = DashboardApi.MaxBodyBytes;
                kestrel.Listen(settings.Bind, settings.Port);
            });
            if (scheduler is not null && settings.RunSchedulerLoop)
                builder.Services.AddHostedService(sp => new SchedulerLoop(scheduler, (schedules ?? new Schedules()).TickInterval, clock,
                    sp.GetRequiredService<ILogger<SchedulerLoop>>()));

            var app = builder.Build();
            app.Use(SecurityHeaders);
            app.Use((http, next) => Guard(http, next, policy));
            app.Use(ApiErrors);
            DashboardApi.Map(app, context);
            EmbeddedAssets.Map(app);

            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var port = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
            var host = settings.Bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{settings.Bind}]" : settings.Bind.ToString();
            if (settings.Bind.Equals(IPAddress.Any) || settings.Bind.Equals(IPAddress.IPv6Any)) host = "127.0.0.1";
            return new DashboardServer(app, workspace, context, new Uri($"http://{host}:{port}/"));
        }
        catch
        {
            workspace.Dispose();
            throw;
        }
    }

    /// <summary>Serves until <paramref name="cancellationToken"/> is cancelled, then stops.</summary>
    public async Task RunUntilCancelledAsync(CancellationToken cancellationToken)
    {
        try { await Task.Delay(Timeout.Infinite, cancellationToken); }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        try { await _app.StopAsync(); }
        finally
        {
            await _app.DisposeAsync();
            if (Scheduler is not null) await Task.WhenAny(Scheduler.WhenIdle(), Task.Delay(TimeSpan.FromSeconds(10)));
            _workspace.Dispose();
        }
    }

    private static Task SecurityHeaders(HttpContext http, Func<Task> next)
    {
        var headers = http.Response.Headers;
        headers["Content-Security-Policy"] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
        headers["X-Content-Type-Options"] = "nosniff";
        headers["X-Frame-Options"] = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cache-Control"] = "no-store";
        return next();
    }

    /// <summary>The host check and, when a token is configured, the token on every request.</summary>
    private static async Task Guard(HttpContext http, Func<Task> next, AccessPolicy policy)
    {
        var request = http.Request;
        if (!policy.HostAllowed(request))
        {
            await Refuse(http, StatusCodes.Status421MisdirectedRequest, "this dashboard answers only to loopback host names (localhost, 127.0.0.1, [::1])");
            return;
        }
        if (policy.RequiresToken)
        {
            var isApi = request.Path.StartsWithSegments("/api");
            if (!isApi && HttpMethods.IsGet(request.Method) && request.Query.TryGetValue("token", out var offered))
            {
                if (!policy.TokenMatches(offered.ToString()))
                {
                    await Refuse(http, StatusCodes.Status401Unauthorized, "wrong token");
                    return;
                }
                http.Response.Cookies.Append(AccessPolicy.CookieName, offered.ToString(), new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Secure = request.IsHttps,
                    Path = "/",
                    IsEssential = true,
                });
                // Drop the token from the address bar and history.
                var rest = QueryString.Create(request.Query.Where(q => q.Key != "token").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v))));
                http.Response.Redirect(request.PathBase + request.Path + rest);
                return;
            }
            if (!policy.IsAuthenticated(request))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer realm=\"takt\"";
                await Refuse(http, StatusCodes.Status401Unauthorized,
                    isApi ? "this API needs the token: Authorization: Bearer TOKEN" : "this dashboard needs its token: open it once with ?token=TOKEN");
                return;
            }
        }
        await next();
    }

    private static async Task ApiErrors(HttpContext http, Func<Task> next)
    {
        try
        {
            await next();
        }
        catch (ApiInputException e) when (!http.Response.HasStarted)
        {
            http.Response.Clear();
            await e.ToResult().ExecuteAsync(http);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            http.Response.Clear();
            await Results.Json(new ApiError(e.Message, "body"), statusCode: e.StatusCode).ExecuteAsync(http);
        }
        catch (StorageException e) when (!http.Response.HasStarted)
        {
            http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Takt.Server").LogError("{Method} {Path} failed: {Error}", http.Request.Method, http.Request.Path, e.Message);
            http.Response.Clear();
            await Results.Json(new ApiError(e.Message, null), statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(http);
        }
        catch (LedgerDataException e) when (!http.Response.HasStarted)
        {
            http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Takt.Server").LogError("{Method} {Path} failed: {Error}", http.Request.Method, http.Request.Path, e.Message);
            http.Response.Clear();
            await Results.Json(new ApiError(e.Message, null), statusCode: StatusCodes.Status500InternalServerError).ExecuteAsync(http);
        }
        catch (Exception e) when (!http.Response.HasStarted && e is not OperationCanceledException)
        {
            http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Takt.Server").LogError(e, "{Method} {Path} failed", http.Request.Method, http.Request.Path);
            http.Response.Clear();
            await Results.Json(new ApiError($"the server could not answer: {e.GetType().Name}", null), statusCode: StatusCodes.Status500InternalServerError).ExecuteAsync(http);
        }
    }

    private static Task Refuse(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        return http.Request.Path.StartsWithSegments("/api")
            ? http.Response.WriteAsJsonAsync(new ApiError(message, null))
            : WriteText(http, message);
    }

    private static Task WriteText(HttpContext http, string message)
    {
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(message + "\n");
    }

    /// <summary>Log lines to a text writer (the console of <c>serve</c>), one per line with the level.</summary>
    private sealed class WriterLoggerProvider(TextWriter writer) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new WriterLogger(writer, categoryName);

        public void Dispose() { }

        private sealed class WriterLogger(TextWriter writer, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return;
                var source = category.StartsWith("Takt", StringComparison.Ordinal) ? "" : $" {category}";
                var line = $"{DateTime.UtcNow:HH:mm:ss} {logLevel.ToString().ToLowerInvariant()}{source}: {formatter(state, exception)}";
                if (exception is not null) line += $" ({exception.GetType().Name}: {exception.Message})";
                lock (writer) writer.WriteLine(line);
            }
        }
    }
}
