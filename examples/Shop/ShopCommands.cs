using System.CommandLine;
using Shop.Generator;
using Spectre.Console;
using Takt.Cli;

namespace Shop;

/// <summary>The example's own verb, <c>generate</c>, and the first-run convenience of <c>build</c> on an empty landing zone.</summary>
public static class ShopCommands
{
    public static readonly DateOnly DefaultFrom = new(2026, 1, 1);
    public static readonly DateOnly DefaultTo = new(2026, 3, 1);

    public static void Add(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(Generate(context));
        GenerateBeforeFirstBuild(context);
    }

    private static Command Generate(CliContext context)
    {
        var from = new Option<string?>("--from") { Description = $"First day (default {DefaultFrom:yyyy-MM-dd})" };
        var to = new Option<string?>("--to") { Description = $"Last day (default {DefaultTo:yyyy-MM-dd})" };
        var defects = new Option<string?>("--defects")
        {
            Description = $"Comma-separated defects to inject: NAME or NAME@YYYY-MM-DD (default day: the last generated day). Names: {string.Join(", ", DefectNames.All)}",
        };
        var command = new Command("generate", "Write deterministic example landing data (orders and users)") { from, to, defects };
        command.SetAction(parse =>
        {
            var f = ParseDate(parse.GetValue(from), "--from") ?? DefaultFrom;
            var t = ParseDate(parse.GetValue(to), "--to") ?? DefaultTo;
            if (f > t) throw new UsageException($"--from {f:yyyy-MM-dd} is after --to {t:yyyy-MM-dd}.");
            foreach (var (option, day) in new[] { ("--from", f), ("--to", t) })
                if (day < LandingGenerator.FirstDay || day > LandingGenerator.LastDay)
                    throw new UsageException($"{option} {day:yyyy-MM-dd} is outside the Shop's calendar: it generates days from {LandingGenerator.FirstDay:yyyy-MM-dd} to {LandingGenerator.LastDay:yyyy-MM-dd}.");
            var requested = DefectNames.ParseList(parse.GetValue(defects) ?? "");
            var landing = context.LandingDirectory(parse);
            var result = LandingGenerator.Generate(landing, f, t, requested);
            if (parse.GetValue(context.Json))
                context.WriteJson(new { landing, files = result.FilesWritten.Count, defects = result.DefectsApplied.Select(d => $"{DefectNames.NameOf(d.Defect)}@{d.Day:yyyy-MM-dd}") });
            else
            {
                context.Console.MarkupLineInterpolated($"wrote {result.FilesWritten.Count} landing file(s) for {f:yyyy-MM-dd}..{t:yyyy-MM-dd} into {landing}");
                foreach (var (defect, day) in result.DefectsApplied)
                    context.Console.MarkupLineInterpolated($"[yellow]injected {DefectNames.NameOf(defect)} on {day:yyyy-MM-dd}[/]");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void GenerateBeforeFirstBuild(CliContext context) => context.BeforeBuild = parse =>
    {
        var landing = context.LandingDirectory(parse);
        if (Directory.Exists(landing) && Directory.EnumerateFiles(landing, "*", SearchOption.AllDirectories).Any()) return;
        var result = LandingGenerator.Generate(landing, DefaultFrom, DefaultTo, []);
        context.Console.MarkupLineInterpolated(
            $"[blue]No landing data in {landing}: generated {result.FilesWritten.Count} files for {DefaultFrom:yyyy-MM-dd}..{DefaultTo:yyyy-MM-dd} (60 days) first.[/]");
    };

    private static DateOnly? ParseDate(string? text, string option) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", out var date) ? date
        : throw new UsageException($"{option}: '{text}' is not a date (expected YYYY-MM-DD).");
}
