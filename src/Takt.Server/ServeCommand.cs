using System.CommandLine;
using Takt.Cli;
using Takt.Server.Scheduling;
using Takt.Server.Security;

namespace Takt.Server;

/// <summary>
/// <c>serve [--port P] [--bind ADDRESS] [--token T]</c>: the web dashboard, its JSON API and the scheduler. A factory
/// program registers it next to its own verbs:
/// <code>TaktCli.Run(MyFactory.Build, args, (root, ctx) => ServeCommand.Add(root, ctx, new Schedules().Cron("nightly", "0 6 * * *")));</code>
/// </summary>
public static class ServeCommand
{
    public const int DefaultPort = 8642;
    public const string DefaultBind = "127.0.0.1";
    public const string TokenVariable = "TAKT_TOKEN";

    /// <param name="schedules">Cron schedules, landing sensors and SLAs run while serving; datasets' own <c>ReadyWithin</c> SLAs are tracked in any case.</param>
    public static void Add(RootCommand root, CliContext context, Schedules? schedules = null)
    {
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one)", DefaultValueFactory = _ => DefaultPort };
        var bind = new Option<string>("--bind")
        {
            Description = "Address to listen on; any but loopback requires a token",
            DefaultValueFactory = _ => DefaultBind,
        };
        var token = new Option<string?>("--token") { Description = $"Every request must carry this token (default: ${TokenVariable}); required off loopback" };
        var command = new Command("serve", "Web dashboard (lineage, box matrix, runs, checks), JSON API and scheduler") { port, bind, token };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = Settings(parse.GetValue(bind) ?? DefaultBind, parse.GetValue(port), parse.GetValue(token) ?? context.Settings.ServeToken);
            var env = context.EnvironmentName(parse);
            var problems = schedules?.Problems(context.Factory) ?? [];
            if (problems.Count > 0) throw new UsageException("the schedules do not fit the factory: " + string.Join("; ", problems));
            var workspaces = context.Workspaces(parse);
            var home = workspaces.HomeDirectory;
            await using var server = await DashboardServer.StartAsync(context.Factory, workspaces, schedules,
                settings with { Log = context.Stdout, BuildOptions = context.RunOptions(parse) }, cancellationToken: cancellationToken);
            var url = server.Url;
            var where = settings.Bind.Equals(System.Net.IPAddress.Any) || settings.Bind.Equals(System.Net.IPAddress.IPv6Any)
                ? $"all addresses, port {url.Port} ({url} from this machine)" : url.ToString();
            context.Stdout.WriteLine($"Takt dashboard of factory '{context.Factory.Name}' (env {env}, home {home}) on {where}");
            if (settings.Token is not null) context.Stdout.WriteLine($"Every request needs the token: open {url}?token=TOKEN once (a cookie keeps it), or send Authorization: Bearer TOKEN.");
            foreach (var s in server.Scheduler?.Status() ?? [])
                context.Stdout.WriteLine($"  schedule {s.Name}: {s.Definition} -> {string.Join(", ", s.Targets)}{(s.NextDue is { } next ? $" (next {next.UtcDateTime:yyyy-MM-dd HH:mm}Z)" : "")}");
            foreach (var sla in server.Scheduler?.Slas ?? [])
                context.Stdout.WriteLine($"  SLA {sla.Dataset}: each box ready within {sla.ReadyWithin.TotalHours:0.##} h of its end");
            context.Stdout.WriteLine("Ctrl+C stops.");
            await server.RunUntilCancelledAsync(cancellationToken);
            return ExitCodes.Ok;
        });
        root.Subcommands.Add(command);
    }

    /// <summary>Validates <c>--bind</c>, <c>--port</c> and the token; refuses a non-loopback address without a token.</summary>
    public static ServeSettings Settings(string bind, int port, string? token)
    {
        if (!AccessPolicy.TryParseBind(bind, out var address))
            throw new UsageException($"--bind: '{bind}' is not an IP address (e.g. 127.0.0.1, ::1 or 0.0.0.0).");
        if (port is < 0 or > 65535) throw new UsageException($"--port: {port} is not a TCP port (0 to 65535).");
        token = string.IsNullOrEmpty(token) ? null : token;
        if (AccessPolicy.Refusal(address, token) is { } refusal) throw new UsageException(refusal);
        return new ServeSettings { Bind = address, Port = port, Token = token };
    }
}
