using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Takt.Ledger;

namespace Takt.Cli;

/// <summary><c>runs</c>: the newest runs of the home, with a run whose process is gone shown as died.</summary>
internal static class RunCommands
{
    public static void Add(RootCommand root, CliContext context) => root.Subcommands.Add(Runs(context));

    private static Command Runs(CliContext context)
    {
        var limit = new Option<int>("--limit") { Description = "How many of the newest runs to list", DefaultValueFactory = _ => 20 };
        var command = new Command("runs", "The newest builds and ingests: status (a run whose process is gone: died, and when it was last seen), duration, counts") { limit };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(limit);
            if (count < 1) throw new UsageException($"--limit must be at least 1, not {count}.");
            using var ws = context.OpenWorkspace(parse, mustExist: false);
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var runs = ws.Ledger.Runs(count);
            if (parse.GetValue(context.Json))
            {
                context.WriteJson(new
                {
                    runs = runs.Select(r => new
                    {
                        id = r.Id, env = r.Env, command = r.Command, status = r.StatusAt(now).ToText(), startedAt = r.StartedAtMs, finishedAt = r.FinishedAtMs,
                        lastSeenAt = r.LastSeenAtMs, host = r.Process?.Host, pid = r.Process?.Pid, summary = Summary(r),
                    }),
                });
                return ExitCodes.Ok;
            }
            if (runs.Count == 0)
            {
                context.Console.WriteLine("No runs yet: `build` records one.");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("run", "started", "command", "env", "status", "duration", "built", "reused", "stopped", "blocked", "failed");
            foreach (var r in runs)
            {
                var summary = Summary(r);
                string Count(string name) => summary is { } s && s.TryGetProperty(name, out var v) ? v.ToString() : "";
                var status = r.DescribeAt(now);
                table.AddRow(Markup.Escape(r.Id), Instant(r.StartedAtMs), Markup.Escape(r.Command), Markup.Escape(r.Env),
                    r.HasDied(now) ? $"[red]{Markup.Escape(status)}[/]" : Markup.Escape(status),
                    r.FinishedAtMs is { } end ? $"{(end - r.StartedAtMs) / 1000.0:0.0} s" : "",
                    Count("Built"), Count("Reused"), Count("Quarantined"), Count("Blocked"), Count("Failed"));
            }
            context.Console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static JsonElement? Summary(RunRecord run)
    {
        if (string.IsNullOrEmpty(run.SummaryJson)) return null;
        using var document = JsonDocument.Parse(run.SummaryJson);
        return document.RootElement.Clone();
    }

    private static string Instant(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
