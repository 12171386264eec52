using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Profiling;

namespace Takt.Cli;

/// <summary><c>profile</c> and <c>suggest-checks</c>: statistics per column and box, and checks proposed from them.</summary>
internal static class ProfileCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(Profile(context));
        root.Subcommands.Add(SuggestChecks(context));
    }

    private static Argument<string> DatasetArgument() => new("dataset") { Description = "DATASET, or DATASET@BOX for one box" };

    /// <summary>The dataset and its boxes: one box from DATASET@BOX, else --from/--to (every box when neither is given).</summary>
    private static (Dataset Dataset, BoxRange Range, string Described) Select(CliContext context, ParseResult parse, Argument<string> argument,
        Option<string?> from, Option<string?> to)
    {
        var (dataset, box) = Arguments.DatasetAndBox(context.Factory, parse.GetValue(argument)!);
        var (f, t) = Arguments.Range(parse, from, to);
        if (box is not null)
        {
            if (f is not null || t is not null) throw new UsageException($"give either {dataset.Name}@BOX or --from/--to, not both.");
            return (dataset, BoxRange.Single(box.Value), dataset.BoxKey(box.Value));
        }
        var described = f is null && t is null ? "every box" : $"{f?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "first"}..{t?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "last"}";
        return (dataset, ProfileService.RangeOf(dataset, f, t), described);
    }

    private static Command Profile(CliContext context)
    {
        var dataset = DatasetArgument();
        var (from, to) = (Arguments.From(), Arguments.To());
        var force = new Option<bool>("--force") { Description = "Profile versions again even when the ledger already holds their profile" };
        var command = new Command("profile", "Per column and box: row count, null rate, distinct count, min, max, mean and top values, kept in the ledger")
            { dataset, from, to, force };
        command.SetAction(parse =>
        {
            var (definition, range, described) = Select(context, parse, dataset, from, to);
            var options = context.RunOptions(parse);
            var json = parse.GetValue(context.Json);
            using var ws = context.OpenWorkspace(parse);
            var service = new ProfileService(ws);
            var run = ShowProgress(context.Console, json, progress =>
                service.Profile(definition.Name, range, options.Parallelism, parse.GetValue(force), progress));
            var summary = ProfileSummary.Summarize(run.Profiles);
            if (json)
            {
                context.WriteJson(new
                {
                    dataset = run.Dataset,
                    env = run.Env,
                    boxes = run.Profiles.Count,
                    profiled = run.Profiled,
                    alreadyProfiled = run.AlreadyProfiled,
                    columns = summary.Select(SummaryJson),
                    profiles = run.Profiles.Select(p => new
                    {
                        box = p.BoxKey,
                        version = p.VersionId,
                        rows = p.Rows,
                        columns = p.Columns.Select(c => new
                        {
                            column = c.Column,
                            type = c.Type,
                            nulls = c.Nulls,
                            nullRate = c.NullRate,
                            distinct = c.Distinct,
                            min = c.Min,
                            max = c.Max,
                            mean = c.Mean,
                            top = c.TopValues.Select(v => new { value = v.Value, count = v.Count }),
                        }),
                    }),
                });
                return ExitCodes.Ok;
            }
            if (run.Profiles.Count == 0)
            {
                context.Console.MarkupLineInterpolated($"{definition.Name} has no built box in {described} in env [bold]{run.Env}[/]; `build` it first.");
                return ExitCodes.Ok;
            }
            var rows = run.Profiles.Select(p => p.Rows).ToList();
            context.Console.MarkupLineInterpolated(
                $"{definition.Name} in env [bold]{run.Env}[/]: {run.Profiles.Count} box(es) {run.Profiles[0].BoxKey}..{run.Profiles[^1].BoxKey}, {rows.Sum()} rows ({rows.Min()}..{rows.Max()} per box); profiled {run.Profiled} version(s) now, {run.AlreadyProfiled} already had a profile.");
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("column", "type", "null %", "distinct per box", "min", "max", "mean", "top values");
            foreach (var c in summary)
            {
                table.AddRow(Markup.Escape(c.Column), Markup.Escape(c.Type), Percent(c.NullRate),
                    c.MinDistinct is null ? "-" : c.MinDistinct == c.MaxDistinct ? $"{c.MinDistinct}" : $"{c.MinDistinct}..{c.MaxDistinct}",
                    Markup.Escape(Short(c.Min)), Markup.Escape(Short(c.Max)), c.Mean is { } m ? m.ToString("0.####", CultureInfo.InvariantCulture) : "-",
                    Markup.Escape(TopValues(c)));
            }
            context.Console.Write(table);
            context.Console.MarkupLineInterpolated($"[grey]`suggest-checks {definition.Name}` proposes checks from these profiles.[/]");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command SuggestChecks(CliContext context)
    {
        var dataset = DatasetArgument();
        var (from, to) = (Arguments.From(), Arguments.To());
        var command = new Command("suggest-checks", "Propose checks (C# to paste into the factory) from the profiles `profile` kept, with the evidence behind each")
            { dataset, from, to };
        command.SetAction(parse =>
        {
            var (definition, range, described) = Select(context, parse, dataset, from, to);
            using var ws = context.OpenWorkspace(parse);
            var profiles = ws.Ledger.CurrentProfiles(ws.Env, definition.Name, range);
            var unprofiled = ws.Ledger.CurrentRowCounts(ws.Env, definition.Name, range).Count - profiles.Count;
            var suggestions = CheckSuggester.Suggest(definition, profiles);
            if (parse.GetValue(context.Json))
            {
                context.WriteJson(new
                {
                    dataset = definition.Name,
                    env = ws.Env,
                    boxes = profiles.Count,
                    unprofiledBoxes = unprofiled,
                    suggestions = suggestions.Select(s => new { name = s.Name, kind = s.Kind, code = s.Code, evidence = s.Evidence, declared = s.Declared }),
                });
                return ExitCodes.Ok;
            }
            if (profiles.Count == 0)
            {
                context.Console.MarkupLineInterpolated(
                    $"no profiles of {definition.Name} in {described} in env [bold]{ws.Env}[/] to learn from: run `profile {definition.Name}` first.");
                return ExitCodes.Ok;
            }
            context.Console.MarkupLineInterpolated(
                $"{suggestions.Count} check(s) suggested for {definition.Name} from the profiles of {profiles.Count} box(es) {profiles[0].BoxKey}..{profiles[^1].BoxKey} in env [bold]{ws.Env}[/].");
            if (unprofiled > 0)
                context.Console.MarkupLineInterpolated($"[yellow]{unprofiled} built box(es) have no profile yet; `profile {definition.Name}` adds them.[/]");
            var table = new Table().Border(TableBorder.Rounded).AddColumns("check", "evidence", "");
            foreach (var s in suggestions)
                table.AddRow(Markup.Escape(s.Code), Markup.Escape(s.Evidence), s.Declared ? "[grey]declared[/]" : "[green]new[/]");
            context.Console.Write(table);
            var fresh = suggestions.Where(s => !s.Declared).ToList();
            if (fresh.Count == 0) context.Console.MarkupLine("every suggested check is declared already.");
            else
            {
                context.Console.MarkupLineInterpolated($"to add them, paste into the declaration of {definition.Name}:");
                foreach (var s in fresh) context.Console.WriteLine("    " + s.Code);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static object SummaryJson(ColumnSummary c) => new
    {
        column = c.Column,
        type = c.Type,
        boxes = c.Boxes,
        rows = c.Rows,
        nulls = c.Nulls,
        nullRate = c.NullRate,
        minDistinct = c.MinDistinct,
        maxDistinct = c.MaxDistinct,
        min = c.Min,
        max = c.Max,
        mean = c.Mean,
        top = c.TopValues.Select(v => new { value = v.Value, count = v.Count }),
    };

    private static T ShowProgress<T>(IAnsiConsole console, bool quiet, Func<Action<int, int>?, T> work)
    {
        if (quiet || !console.Profile.Capabilities.Interactive) return work(null);
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var bar = ctx.AddTask("profiling", maxValue: 1);
                return work((done, total) =>
                {
                    bar.MaxValue = Math.Max(1, total);
                    bar.Value = done;
                });
            });
    }

    /// <summary>The three most frequent values, or a note when every value is distinct (keys, timestamps).</summary>
    private static string TopValues(ColumnSummary c) =>
        c.TopValues.Count == 0 ? "-"
        : c.TopValues[0].Count == 1 ? "(all distinct)"
        : string.Join(", ", c.TopValues.Take(3).Select(v => $"{Short(v.Value, 24)} ({v.Count})"));

    private static string Percent(double fraction) => (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Short(string? text, int length = 32) => text is null ? "-" : text.Length <= length ? text : text[..(length - 1)] + "…";
}
