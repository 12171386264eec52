using System.Net;
using System.Net.Http.Headers;
using Spectre.Console;
using Takt.Composition;
using Takt.Cli;
using Takt.Server;
using Takt.Server.Security;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Dashboard;

/// <summary>Who may talk to <c>serve</c>: loopback by default; anywhere else only with a token, checked on every request.</summary>
public sealed class ServeSecurityTests : IAsyncLifetime
{
    private const string Token = "s3cret-token-for-the-tests-0123456789";
    private readonly E2EDirectory _dir = new();
    private DashboardServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await DashboardServer.StartAsync(E2E.ShopFactoryAt(), WorkspaceBuilder.At(_dir.Path), null,
            new ServeSettings { Bind = IPAddress.Loopback, Port = 0, Token = Token, RunSchedulerLoop = false });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("10.1.2.3", null, true)]
    [InlineData("0.0.0.0", null, true)]
    [InlineData("::", null, true)]
    [InlineData("192.168.1.20", "", true)]
    [InlineData("192.168.1.20", "short", true)]
    [InlineData("192.168.1.20", Token, false)]
    [InlineData("0.0.0.0", Token, false)]
    [InlineData("127.0.0.1", null, false)]
    [InlineData("127.0.0.2", null, false)]
    [InlineData("::1", null, false)]
    [InlineData("localhost", null, false)]
    public void Binding_off_loopback_needs_a_token(string bind, string? token, bool refused)
    {
        Assert.True(AccessPolicy.TryParseBind(bind, out var address));
        var refusal = AccessPolicy.Refusal(address, string.IsNullOrEmpty(token) ? null : token);
        Assert.True(refused == (refusal is not null), $"{bind} with token '{token}': {refusal ?? "allowed"}");
        if (token == "short") Assert.Contains("at least 16 characters", refusal);
    }

    [Fact]
    public void Serve_refuses_to_start_on_a_non_loopback_address_without_a_token_with_exit_64()
    {
        var (exit, stderr) = Run("serve", "--bind", "0.0.0.0", "--port", "0");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("refusing to bind to 0.0.0.0, which is not a loopback address, without a token", stderr);
        var (badBind, bindError) = Run("serve", "--bind", "my-laptop");
        Assert.Equal(ExitCodes.Usage, badBind);
        Assert.Contains("--bind: 'my-laptop' is not an IP address", bindError);
        var (badPort, portError) = Run("serve", "--port", "70000");
        Assert.Equal(ExitCodes.Usage, badPort);
        Assert.Contains("--port: 70000 is not a TCP port", portError);
    }

    [Fact]
    public async Task With_a_token_every_request_without_it_is_refused_with_401()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _server.Url };
        foreach (var path in new[] { "/", "/app.js", "/lib/dagre.min.js", "/api/info", "/api/lineage", "/api/quarantines", "/api/nothing" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"GET {path} without the token: {(int)response.StatusCode}");
        }
        using (var post = await anonymous.PostAsync("/api/override", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);

        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/info"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");
            using var response = await anonymous.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using (var right = new HttpRequestMessage(HttpMethod.Get, "/api/info"))
        {
            right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var response = await anonymous.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using (var wrongQuery = await anonymous.GetAsync("/?token=guess"))
            Assert.Equal(HttpStatusCode.Unauthorized, wrongQuery.StatusCode);
        // The API does not take the token from the query string (it would end up in logs and histories).
        using (var apiQuery = await anonymous.GetAsync($"/api/info?token={Token}"))
            Assert.Equal(HttpStatusCode.Unauthorized, apiQuery.StatusCode);
    }

    [Fact]
    public async Task Opening_the_page_with_the_token_once_sets_a_cookie_that_carries_it_from_then_on()
    {
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = _server.Url };
        using (var first = await browser.GetAsync($"/?token={Uri.EscapeDataString(Token)}#matrix"))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
            Assert.Equal("/", first.Headers.Location!.OriginalString); // the token leaves the address bar
            var setCookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
            Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        }
        using (var page = await browser.GetAsync("/"))
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using (var api = await browser.GetAsync("/api/lineage"))
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }

    private (int Exit, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()), Interactive = InteractionSupport.No, Ansi = AnsiSupport.No });
        var exit = TaktCli.Run(() => E2E.ShopFactoryAt(), [.. args, "--home", _dir.Path], (root, ctx) => ServeCommand.Add(root, ctx), console, stdout, stderr);
        return (exit, stderr.ToString());
    }
}
