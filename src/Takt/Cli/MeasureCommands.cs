using System.CommandLine;
using Spectre.Console;
using Takt.Measuring;

namespace Takt.Cli;

/// <summary><c>metrics</c>, <c>waste</c> and <c>catalog</c>: the factory measuring itself.</summary>
internal static class MeasureCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(Metrics(context));
        root.Subcommands.Add(Waste(context));
        root.Subcommands.Add(CatalogCommand(context));
    }

    private static Command Metrics(CliContext context)
    {
        var since = new Option<string?>("--since") { Description = "First day counted (YYYY-MM-DD; default: 12 weeks ago)" };
        var command = new Command("metrics", "Error rates by kind and owner per week, recovery and cycle times, deploys, inventory") { since };
        command.SetAction(parse =>
        {
            using var ws = context.OpenWorkspace(parse);
            var from = Arguments.Date(parse, since) ?? DateOnly.FromDateTime(ws.Clock.GetUtcNow().UtcDateTime.AddDays(-84));
            var metrics = MetricsCalculator.Compute(ws, from);
            if (parse.GetValue(context.Json)) { context.WriteJson(metrics); return ExitCodes.Ok; }
            var weeks = new Table().Border(TableBorder.Rounded).Title("errors and time per week and owner")
                .AddColumns("week", "owner", "quality (block)", "quality (warn)", "processing", "timeliness", "recompute s", "new s", "deploys");
            foreach (var w in metrics.Weeks)
                weeks.AddRow(w.Week, Markup.Escape(w.Owner), w.DataQualityBlocking.ToString(), w.DataQualityWarnings.ToString(), w.ProcessingErrors.ToString(),
                    w.TimelinessErrors.ToString(), (w.RecomputeMs / 1000.0).ToString("0.0"), (w.NewBuildMs / 1000.0).ToString("0.0"), w.Deploys.ToString());
            context.Console.Write(weeks);
            context.Console.MarkupLineInterpolated($"mean time to recover: {(metrics.MeanTimeToRecoverMinutes is { } m ? $"{m:0.0} min" : "-")} over {metrics.Recoveries} recovered stop(s); {metrics.OpenStops} still stopped");
            context.Console.MarkupLineInterpolated($"deploys to prod per week: {metrics.DeploysPerWeek}; cycle time (first build of a change to its first prod build): {(metrics.MeanCycleTimeHours is { } h ? $"{h:0.00} h" : "-")} over {metrics.CycleTimeSamples} change(s)");
            var data = new Table().Border(TableBorder.Rounded).Title("data inventory").AddColumns("layer", "datasets", "versions", "rows (current)", "MiB");
            foreach (var l in metrics.Data) data.AddRow(l.Layer, l.Datasets.ToString(), l.Versions.ToString(), l.Rows.ToString(), (l.Bytes / 1048576.0).ToString("0.0"));
            context.Console.Write(data);
            var code = metrics.Code;
            context.Console.MarkupLineInterpolated($"code: {code.Sources} sources, {code.SqlTransforms} SQL transforms ({code.SqlLines} lines of SQL), {code.CSharpTransforms} C# transforms, {code.ChecksPerDataset.Values.Sum()} checks");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Waste(CliContext context)
    {
        var days = new Option<int>("--days") { Description = "How far back reads and builds are looked at", DefaultValueFactory = _ => 30 };
        var builds = new Option<int>("--builds") { Description = "Rebuilds (or check runs) needed before something counts as never changing", DefaultValueFactory = _ => 3 };
        var command = new Command("waste", "Datasets nobody reads, transforms whose output never changes, checks that never fail or never ran") { days, builds };
        command.SetAction(parse =>
        {
            var (d, b) = (parse.GetValue(days), parse.GetValue(builds));
            if (d < 1 || b < 1) throw new UsageException("--days and --builds must be at least 1.");
            using var ws = context.OpenWorkspace(parse);
            var items = WasteReport.Find(ws, d, b);
            if (parse.GetValue(context.Json)) { context.WriteJson(new { items }); return ExitCodes.Ok; }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("kind", "dataset", "owner", "what", "MiB held");
            foreach (var i in items)
                table.AddRow(i.Kind, Markup.Escape(i.Dataset), Markup.Escape(i.Owner), Markup.Escape(i.What), (i.BytesHeld / 1048576.0).ToString("0.00"));
            context.Console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CatalogCommand(CliContext context)
    {
        var format = new Option<string>("--format") { Description = "markdown or json", DefaultValueFactory = _ => "markdown" };
        format.AcceptOnlyFromAmong("markdown", "json");
        var output = new Option<string?>("--out") { Description = "Directory to write catalog.md or catalog.json into (default: print)" };
        var command = new Command("catalog", "Every dataset with owner, schema, semantic types, checks, lineage and freshness") { format, output };
        command.SetAction(parse =>
        {
            using var ws = context.OpenWorkspace(parse);
            var catalog = Measuring.Catalog.Build(ws);
            var json = parse.GetValue(format) == "json" || parse.GetValue(context.Json);
            var text = json ? System.Text.Json.JsonSerializer.Serialize(catalog, new System.Text.Json.JsonSerializerOptions
                { WriteIndented = true, PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase }) : Measuring.Catalog.ToMarkdown(catalog);
            var dir = parse.GetValue(output);
            if (dir is null) context.Stdout.WriteLine(text);
            else
            {
                Directory.CreateDirectory(dir);
                var path = Path.Combine(dir, json ? "catalog.json" : "catalog.md");
                File.WriteAllText(path, text);
                context.Console.MarkupLineInterpolated($"wrote {path}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
