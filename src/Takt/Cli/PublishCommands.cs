using System.CommandLine;
using Spectre.Console;
using Takt.Publishing;
using Takt.Running;

namespace Takt.Cli;

/// <summary><c>publish</c>, <c>published</c>, <c>rollback</c> and <c>gc</c>.</summary>
internal static class PublishCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(Publish(context));
        root.Subcommands.Add(Published(context));
        root.Subcommands.Add(Rollback(context));
        root.Subcommands.Add(Gc(context));
    }

    private static Argument<string> DatasetArgument() => new("dataset") { Description = "A dataset that declares publish targets" };

    private static Command Publish(CliContext context)
    {
        var dataset = DatasetArgument();
        var command = new Command("publish", "Write a new copy of the dataset's current boxes to the targets of this environment and switch readers to it") { dataset };
        command.SetAction(parse =>
        {
            var (definition, _) = Arguments.DatasetAndBox(context.Factory, parse.GetValue(dataset)!);
            using var ws = context.OpenWorkspace(parse);
            var outcome = new PublishService(ws).Publish(definition.Name);
            if (parse.GetValue(context.Json)) context.WriteJson(new { published = outcome.Published, failed = outcome.Failed });
            else foreach (var r in outcome.Published)
            {
                if (r.Note is not null) context.Console.MarkupLineInterpolated($"[yellow]{r.Dataset} on {r.Target}: {r.Note}[/]");
                if (r.Unchanged) context.Console.MarkupLineInterpolated($"{r.Dataset} on {r.Target}: copy {r.Copy} is live and holds exactly these versions; nothing to publish");
                else context.Console.MarkupLineInterpolated($"published {r.Dataset} to {r.Target} as copy {r.Copy} ({r.Rows} rows from {r.Versions} versions)");
            }
            foreach (var failure in outcome.Failed) context.Stderr.WriteLine($"error: {failure}");
            return outcome.Failed.Count > 0 ? ExitCodes.ProcessingError : ExitCodes.Ok;
        });
        return command;
    }

    private static Command Published(CliContext context)
    {
        var dataset = DatasetArgument();
        var command = new Command("published", "The copies of a dataset in its publish targets: which is live, when, from which versions") { dataset };
        command.SetAction(parse =>
        {
            var (definition, _) = Arguments.DatasetAndBox(context.Factory, parse.GetValue(dataset)!);
            if (definition.PublishTargets.Count == 0) throw new UsageException($"{definition.Name} declares no publish target (.PublishTo(...) in its definition).");
            using var ws = context.OpenWorkspace(parse);
            var copies = ws.Ledger.Publications(definition.Name).Select(p => new
            {
                target = p.Target,
                copy = p.Copy,
                live = p.Live,
                kept = p.DroppedAtMs is null,
                env = p.Env,
                publishedAt = DateTimeOffset.FromUnixTimeMilliseconds(p.CreatedAtMs).ToString("u"),
                rows = p.Rows,
                versions = p.Versions.Count,
            }).ToArray();
            if (parse.GetValue(context.Json)) context.WriteJson(new { dataset = definition.Name, copies });
            else
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("target", "copy", "live", "kept", "published", "rows", "versions");
                foreach (var c in copies)
                    table.AddRow(Markup.Escape(c.target), c.copy, c.live ? "[green]live[/]" : "", c.kept ? "yes" : "dropped", c.publishedAt, c.rows.ToString(), c.versions.ToString());
                context.Console.Write(table);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Rollback(CliContext context)
    {
        var dataset = DatasetArgument();
        var copy = new Option<string?>("--to") { Description = "The kept copy to switch to (default: the one before the live copy)" };
        var command = new Command("rollback", "Switch readers back to an older kept copy, at once") { dataset, copy };
        command.SetAction(parse =>
        {
            var (definition, _) = Arguments.DatasetAndBox(context.Factory, parse.GetValue(dataset)!);
            using var ws = context.OpenWorkspace(parse);
            var switched = new PublishService(ws).Rollback(definition.Name, parse.GetValue(copy));
            if (parse.GetValue(context.Json)) context.WriteJson(new { dataset = definition.Name, switched = switched.Select(s => new { target = s.Target, from = s.From, to = s.To }) });
            else foreach (var (target, from, to) in switched)
                context.Console.MarkupLineInterpolated($"{definition.Name} on {target}: readers now see copy {to} (was {from}).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Gc(CliContext context)
    {
        var keepDays = new Option<int>("--keep-days") { Description = "Only versions older than this many days are freed", DefaultValueFactory = _ => 7 };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only say what would be freed" };
        var command = new Command("gc", "Free lake files of versions that nothing points at any more") { keepDays, dryRun };
        command.SetAction(parse =>
        {
            var days = parse.GetValue(keepDays);
            if (days < 0) throw new UsageException($"--keep-days must be 0 or more, not {days}.");
            using var ws = context.OpenWorkspace(parse);
            // More days than a TimeSpan holds keep every version, as any number of days since before 1970 does.
            var keep = days >= TimeSpan.MaxValue.TotalDays ? TimeSpan.MaxValue : TimeSpan.FromDays(days);
            var result = new GarbageCollector(ws).Collect(keep, parse.GetValue(dryRun));
            if (parse.GetValue(context.Json)) context.WriteJson(result);
            else
            {
                context.Console.MarkupLineInterpolated($"{(result.DryRun ? "would free" : "freed")} {result.Versions} version(s), {result.Bytes / 1024.0 / 1024.0:0.0} MiB");
                if (result.Resumed > 0) context.Console.MarkupLineInterpolated($"  of which {result.Resumed} an interrupted gc had begun to free");
                if (result.InUse > 0) context.Console.MarkupLineInterpolated($"  left {result.InUse} that a build pointed at or held after gc listed them");
                foreach (var example in result.Examples) context.Console.MarkupLineInterpolated($"  [grey]{example}[/]");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
