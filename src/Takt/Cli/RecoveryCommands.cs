using System.CommandLine;
using Spectre.Console;
using Takt.Building;

namespace Takt.Cli;

/// <summary><c>invalidate</c> and <c>override</c>: the two ways a person changes what the line does.</summary>
internal static class RecoveryCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(Invalidate(context));
        root.Subcommands.Add(Override(context));
    }

    private static Option<string> Reason() => new("--reason") { Description = "Why; recorded in the ledger", Required = true };

    private static Command Invalidate(CliContext context)
    {
        var dataset = new Argument<string>("dataset") { Description = "The dataset whose boxes were wrong" };
        var (from, to) = (Arguments.From(), Arguments.To());
        from.Required = true;
        to.Required = true;
        var reason = Reason();
        var command = new Command("invalidate", "Mark boxes to be recomputed, with their whole downstream, although nothing changed") { dataset, from, to, reason };
        command.SetAction(parse =>
        {
            var (definition, _) = Arguments.DatasetAndBox(context.Factory, parse.GetValue(dataset)!);
            var (f, t) = Arguments.Range(parse, from, to);
            var why = ReasonOf(parse.GetValue(reason), "--reason");
            using var ws = context.OpenWorkspace(parse);
            var result = new BuildService(ws).Invalidate(definition.Name, f!.Value, t!.Value, why);
            if (parse.GetValue(context.Json))
                context.WriteJson(new { dataset = definition.Name, boxes = result.Boxes, requested = result.Requested, invalidated = result.Invalidated, reason = why });
            else if (result.Invalidated is null)
                context.Console.MarkupLineInterpolated(
                    $"[yellow]{definition.Name} has no boxes in {result.Requested} ({(result.Extent is null ? "it has none yet" : $"its boxes: {result.Extent}")}): nothing invalidated.[/]");
            else
                context.Console.MarkupLineInterpolated($"invalidated {result.Boxes} box(es) of {definition.Name} ({result.Invalidated}); `plan` shows what the next build recomputes.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Override(CliContext context)
    {
        var target = new Argument<string>("box") { Description = "DATASET@BOX of a quarantined box" };
        var reason = Reason();
        var command = new Command("override", "Release one quarantined version, with a recorded reason") { target, reason };
        command.SetAction(parse =>
        {
            var (definition, box) = Arguments.DatasetAndBox(context.Factory, parse.GetValue(target)!);
            if (box is null)
                throw new UsageException($"'{definition.Name}' names no box: override needs DATASET@BOX, e.g. {definition.Name}@{Boxes.GrainMath.Example(definition.Grain)}.");
            var why = ReasonOf(parse.GetValue(reason), "--reason");
            using var ws = context.OpenWorkspace(parse);
            var version = ws.Ledger.Override(ws.Env, definition.Name, box.Value, why);
            if (version is null) throw new UsageException($"{definition.Name}@{definition.BoxKey(box.Value)} is not quarantined; nothing to override.");
            if (parse.GetValue(context.Json)) context.WriteJson(new { dataset = definition.Name, box = version.BoxKey, version = version.Id, reason = why });
            else context.Console.MarkupLineInterpolated($"released {definition.Name}@{version.BoxKey} (version {version.Id}); its downstream builds on the next `build`.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string ReasonOf(string? text, string option) =>
        Ledger.Reasons.Check(text, out var problem) ?? throw new UsageException($"{option} {problem}.");
}
