using System.CommandLine;
using Spectre.Console;
using Takt.Definitions;
using Takt.Environments;

namespace Takt.Cli;

/// <summary><c>envs</c>, <c>env drop</c> and <c>diff</c>: environments are pointers over one lake, compared on real data.</summary>
internal static class EnvironmentCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(List(context));
        root.Subcommands.Add(Env(context));
        root.Subcommands.Add(Diff(context));
    }

    private static Command List(CliContext context)
    {
        var command = new Command("envs", "List environments and how many boxes differ from prod");
        command.SetAction(parse =>
        {
            using var ws = context.OpenWorkspace(parse, mustExist: false);
            var rows = ws.Ledger.Environments().Select(e => new { env = e, differingFromProd = e == "prod" ? 0 : ws.Ledger.DifferingBoxes(e, "prod") }).ToArray();
            if (parse.GetValue(context.Json)) context.WriteJson(new { environments = rows });
            else
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("environment", "boxes differing from prod");
                foreach (var r in rows) table.AddRow(Markup.Escape(r.env), r.differingFromProd.ToString());
                context.Console.Write(table);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Env(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The environment to drop" };
        var drop = new Command("drop", "Remove an environment's pointers (no data is deleted; `gc` frees what nothing points at)") { name };
        drop.SetAction(parse =>
        {
            var env = parse.GetValue(name)!;
            if (!Names.IsEnvironmentName(env)) throw new UsageException($"'{env}' is not an environment name ({Names.EnvironmentRule}).");
            if (env == "prod") throw new UsageException("prod cannot be dropped.");
            using var ws = context.OpenWorkspace(parse, mustExist: false);
            if (!ws.Ledger.EnvironmentExists(env))
                throw new UsageException($"unknown environment '{env}' (known: {string.Join(", ", ws.Ledger.Environments())}).");
            ws.Ledger.DropEnvironment(env);
            context.Console.MarkupLineInterpolated($"dropped environment {env} (pointers only).");
            return ExitCodes.Ok;
        });
        var command = new Command("env", "Manage environments");
        command.Subcommands.Add(drop);
        return command;
    }

    private static Command Diff(CliContext context)
    {
        var targets = Arguments.Targets();
        var (from, to) = (Arguments.From(), Arguments.To());
        var against = new Option<string>("--against") { Description = "The environment to compare with (default prod)", DefaultValueFactory = _ => "prod" };
        var command = new Command("diff", "Compare the data of --env with another environment, box by box, where they point at different versions") { targets, from, to, against };
        command.SetAction(parse =>
        {
            var names = Arguments.ResolveTargets(context.Factory, parse.GetValue(targets) ?? []);
            var (f, t) = Arguments.Range(parse, from, to);
            using var ws = context.OpenWorkspace(parse);
            var other = parse.GetValue(against)!;
            if (!Names.IsEnvironmentName(other) || !ws.Ledger.EnvironmentExists(other))
                throw new UsageException($"unknown environment '{other}' (known: {string.Join(", ", ws.Ledger.Environments())}).");
            var diffs = new DataDiff(ws).Compare(ws.Env, other, names, f, t);
            if (parse.GetValue(context.Json)) context.WriteJson(new { env = ws.Env, against = other, boxes = diffs });
            else Print(context.Console, ws.Env, other, diffs);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(IAnsiConsole console, string env, string against, IReadOnlyList<BoxDiff> diffs)
    {
        if (diffs.Count == 0)
        {
            console.MarkupLineInterpolated($"{env} and {against} point at the same versions.");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns("box", $"rows {env}", $"rows {against}", "schema", $"only {env}", $"only {against}", "changed", "sample keys");
        foreach (var d in diffs)
        {
            var schema = d.Schema.IsEmpty ? "" : $"{(d.Schema.Breaking ? "[red]breaking[/]" : "additive")} " +
                Markup.Escape(string.Join("; ", d.Schema.Added.Select(c => "+" + c).Concat(d.Schema.Removed.Select(c => "-" + c)).Concat(d.Schema.Retyped)));
            var samples = d.SampleChanged.Concat(d.SampleOnlyInA).Concat(d.SampleOnlyInB).Take(3);
            table.AddRow(Markup.Escape($"{d.Dataset}@{d.Box}"), d.RowsA.ToString(), d.RowsB.ToString(), schema, d.OnlyInA.ToString(), d.OnlyInB.ToString(),
                d.Changed?.ToString() ?? "-", Markup.Escape(string.Join(", ", samples)));
        }
        console.Write(table);
        console.MarkupLineInterpolated($"{diffs.Count} box(es) differ between {env} and {against}.");
    }
}
