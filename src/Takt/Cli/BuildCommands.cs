using System.CommandLine;
using Spectre.Console;
using Takt.Ledger;
using Takt.Building;
using Takt.Planning;
using Takt.Publishing;
using Takt.Running;

namespace Takt.Cli;

/// <summary><c>ingest</c>, <c>plan</c> and <c>build</c>.</summary>
internal static class BuildCommands
{
    public static void Add(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(Ingest(context));
        root.Subcommands.Add(PlanCommand(context));
        root.Subcommands.Add(Build(context));
    }

    private static Command Ingest(CliContext context)
    {
        var targets = Arguments.Targets();
        var command = new Command("ingest", "Turn new or changed landing files into source versions") { targets };
        command.SetAction(parse =>
        {
            var names = Arguments.ResolveTargets(context.Factory, parse.GetValue(targets) ?? []);
            using var ws = context.OpenWorkspace(parse, mustExist: false);
            var json = parse.GetValue(context.Json);
            var observer = new ProgressObserver(context.Console, json, context.ProgressEvery);
            var result = observer.Show("ingesting", () => new BuildService(ws).Ingest(names, context.RunOptions(parse), observer));
            var reports = result.Tasks;
            var summary = BuildSummary.Of(reports, null, 0);
            if (json) context.WriteJson(new { tasks = reports.Select(TaskJson), summary, landingProblems = LandingProblemsJson(result.LandingProblems) });
            else
            {
                PrintLandingProblems(context.Console, result.LandingProblems);
                context.Console.MarkupLineInterpolated($"ingested {summary.Built} box(es), {summary.Reused} unchanged, {summary.Quarantined} stopped, {summary.Failed} failed");
            }
            return ExitCodeOf(RunOutcomes.Of(reports));
        });
        return command;
    }

    private static Command PlanCommand(CliContext context)
    {
        var targets = Arguments.Targets();
        var (from, to) = (Arguments.From(), Arguments.To());
        var command = new Command("plan", "Show what a build would run, and why") { targets, from, to };
        command.SetAction(parse =>
        {
            var names = Arguments.ResolveTargets(context.Factory, parse.GetValue(targets) ?? []);
            var (f, t) = Arguments.Range(parse, from, to);
            using var ws = context.OpenWorkspace(parse, mustExist: false);
            var service = new BuildService(ws);
            var plan = service.Plan(names, f, t, landing: true);
            var pending = PendingPublishes.Of(ws, plan.Datasets.Select(d => d.Dataset));
            var landing = service.LandingProblems(names);
            if (parse.GetValue(context.Json)) context.WriteJson(PlanJson(plan, pending, landing));
            else
            {
                PrintPlan(context.Console, plan);
                PrintPending(context.Console, pending);
                PrintLandingProblems(context.Console, landing);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Build(CliContext context)
    {
        var targets = Arguments.Targets();
        var (from, to) = (Arguments.From(), Arguments.To());
        var noIngest = new Option<bool>("--no-ingest") { Description = "Do not look at the landing zone first" };
        var noPublish = new Option<bool>("--no-publish") { Description = "Do not publish datasets that declare publish targets" };
        var command = new Command("build", "Ingest, then build what the targets need that is missing or stale, then publish") { targets, from, to, noIngest, noPublish };
        command.SetAction(parse => RunBuild(context, parse, parse.GetValue(targets) ?? [], Arguments.Range(parse, from, to), !parse.GetValue(noIngest), !parse.GetValue(noPublish)));
        return command;
    }

    /// <summary>Runs a build and prints it; shared with factory verbs that build after preparing data.</summary>
    public static int RunBuild(CliContext context, ParseResult parse, IReadOnlyCollection<string> targets, (DateOnly? From, DateOnly? To) range, bool ingest, bool publish)
    {
        var names = Arguments.ResolveTargets(context.Factory, targets);
        var json = parse.GetValue(context.Json);
        var options = context.RunOptions(parse);
        context.EnvironmentName(parse); // validated before BeforeBuild may write anything
        context.BeforeBuild?.Invoke(parse);
        using var ws = context.OpenWorkspace(parse, mustExist: false);
        var observer = new ProgressObserver(context.Console, json, context.ProgressEvery);
        var result = observer.Show("building", () => new BuildService(ws).Build(names, range.From, range.To, ingest, options, observer, publish));
        if (json)
            context.WriteJson(new
            {
                run = result.RunId,
                tasks = result.Tasks.Select(TaskJson),
                summary = result.Summary,
                stopped = StoppedJson(context.Factory, result.Remaining),
                published = result.Published,
                notPublished = result.NotPublished,
                pendingPublishes = result.PublishPending,
                landingProblems = LandingProblemsJson(result.LandingProblems),
                stagingLeftovers = result.StagingLeftovers.Select(l => new { directory = l.Directory, reason = l.Reason }),
            });
        else PrintBuild(context.Console, result);
        return ExitCodeOf(result.Outcome);
    }

    private static int ExitCodeOf(RunOutcome outcome) => outcome switch
    {
        RunOutcome.Failed => ExitCodes.ProcessingError,
        RunOutcome.Stopped => ExitCodes.StoppedByCheck,
        _ => ExitCodes.Ok,
    };

    private static object TaskJson(TaskReport r) => new
    {
        dataset = r.Dataset,
        box = r.BoxKey,
        status = r.Outcome.Status.ToText(),
        reason = r.Reason,
        version = r.Outcome.VersionId,
        rows = r.Outcome.RowsOut,
        durationMs = r.DurationMs,
        attempts = r.Attempts,
        message = r.Outcome.Message.Length > 0 ? r.Outcome.Message : null,
        failedChecks = r.Outcome.FailedChecks.Count > 0 ? r.Outcome.FailedChecks.Select(c => new { c.Name, c.Severity, c.Message }) : null,
    };

    internal static object PlanJson(Plan plan, IReadOnlyList<PendingPublish> pendingPublishes, IReadOnlyList<Ledger.LandingProblem> landingProblems) => new
    {
        env = plan.Env,
        pendingPublishes,
        tasks = plan.Tasks.Select(t => new { dataset = t.Dataset, box = t.BoxKey, reason = t.Reason }),
        datasets = plan.Datasets.Select(d => new
        {
            dataset = d.Dataset,
            planned = d.Planned.Count,
            fresh = d.Fresh,
            quarantined = d.Quarantined.Count,
            blocked = d.Blocked.Select(b => new { boxes = b.Boxes.Count, cause = b.Cause }),
            waiting = d.Waiting.Select(w => new { boxes = w.Boxes.Count, cause = w.Cause }),
        }),
        landingProblems = LandingProblemsJson(landingProblems),
    };

    private static object StoppedJson(Definitions.Factory factory, Plan plan) => plan.Datasets
        .Where(d => !d.Quarantined.IsEmpty || d.Blocked.Count > 0)
        .Select(d => new { dataset = d.Dataset, quarantined = d.Quarantined.Select(factory[d.Dataset].BoxKey).ToArray(), blocked = d.BlockedBoxes.Count });

    /// <summary>Reasons that name a file ("landing file new: orders/2026-01-05.jsonl") are counted by their kind, not one line per file.</summary>
    private static string ReasonKind(string reason) =>
        reason.StartsWith("landing file ", StringComparison.Ordinal) && reason.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon ? reason[..colon] : reason;

    private static void PrintPlan(IAnsiConsole console, Plan plan)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("dataset", "to build", "fresh", "stopped", "blocked", "waiting", "why");
        foreach (var d in plan.Datasets)
        {
            var reasons = plan.Tasks.Where(t => t.Dataset == d.Dataset).GroupBy(t => ReasonKind(t.Reason))
                .Select(g => g.Count() == 1 || g.Key == g.First().Reason ? $"{g.Count()} {g.First().Reason}" : $"{g.Count()} {g.First().Reason} and {g.Count() - 1} more");
            var held = d.Blocked.Concat(d.Waiting).Select(h => h.Cause);
            table.AddRow(Markup.Escape(d.Dataset), d.Planned.Count.ToString(), d.Fresh.ToString(), d.Quarantined.Count.ToString(),
                d.BlockedBoxes.Count.ToString(), d.WaitingBoxes.Count.ToString(), Markup.Escape(string.Join("; ", reasons.Concat(held))));
        }
        console.Write(table);
        console.MarkupLineInterpolated($"{plan.Tasks.Count} task(s) to run in env [bold]{plan.Env}[/].");
    }

    /// <summary>One line per target whose live copy is not made of the environment's current versions (shared with <c>status</c>).</summary>
    internal static void PrintPending(IAnsiConsole console, IReadOnlyList<PendingPublish> pending)
    {
        foreach (var p in pending) console.MarkupLineInterpolated($"[yellow]{p.ToString()}[/]");
    }

    internal static object LandingProblemsJson(IReadOnlyList<Ledger.LandingProblem> problems) =>
        problems.Select(p => new { dataset = p.Dataset, path = p.Path, problem = p.Problem });

    /// <summary>Landing files that no box takes, one line each: they would otherwise wait unseen.</summary>
    internal static void PrintLandingProblems(IAnsiConsole console, IReadOnlyList<Ledger.LandingProblem> problems)
    {
        foreach (var p in problems) console.MarkupLineInterpolated($"[yellow]landing file not ingested:[/] {p.Dataset}: {p.Path} {p.Problem}");
    }

    private static void PrintBuild(IAnsiConsole console, BuildResult result)
    {
        PrintLandingProblems(console, result.LandingProblems);
        foreach (var leftover in result.StagingLeftovers) console.MarkupLineInterpolated($"[yellow]warning: {leftover.Describe()}[/]");
        var s = result.Summary;
        var stopped = AlikeFailures.Of(result.Tasks.Where(t => t.Outcome.Status is BuildStatus.Quarantined or BuildStatus.Failed));
        if (stopped.Count > 0)
        {
            const int Shown = 20;
            var table = new Table().Border(TableBorder.Rounded).AddColumns("box", "status", "what happened");
            foreach (var group in stopped.Take(Shown))
                table.AddRow(Markup.Escape(group.Boxes), $"[red]{group.Status.ToText()}[/]", Markup.Escape(group.Text));
            console.Write(table);
            if (stopped.Count > Shown)
                console.MarkupLineInterpolated($"[red]and {stopped.Skip(Shown).Sum(g => g.Tasks.Count)} more failed or stopped box(es) with other messages[/] (`build --json` lists every task)");
        }
        var blocked = result.Tasks.Where(t => t.Outcome.Status is BuildStatus.Blocked or BuildStatus.Skipped).GroupBy(t => t.Dataset)
            .Select(g => $"{g.Key} ({g.Count()})").ToList();
        if (blocked.Count > 0) console.MarkupLineInterpolated($"[yellow]held back downstream:[/] {string.Join(", ", blocked)}");
        var held = result.Remaining.Datasets.Where(d => !d.Quarantined.IsEmpty).Select(d => $"{d.Dataset} ({d.Quarantined.Count})").ToList();
        if (held.Count > 0 && stopped.Count == 0) console.MarkupLineInterpolated($"[yellow]line still stopped at:[/] {string.Join(", ", held)} (see `status`, fix the data or `override`)");
        foreach (var p in result.Published.Where(p => p.Note is not null)) console.MarkupLineInterpolated($"[yellow]{p.Dataset} on {p.Target}: {p.Note}[/]");
        foreach (var p in result.Published.Where(p => !p.Unchanged))
            console.MarkupLineInterpolated($"published {p.Dataset} to {p.Target} as copy {p.Copy} ({p.Rows} rows){(p.DroppedCopies.Count > 0 ? $", dropped {string.Join(", ", p.DroppedCopies)}" : "")}");
        foreach (var problem in result.NotPublished) console.MarkupLineInterpolated($"[yellow]{problem}[/]");
        PrintPending(console, result.PublishPending);
        var color = result.ProcessingFailed ? "red" : result.LineStopped ? "yellow" : "green";
        console.MarkupLine($"[{color}]build {(result.ProcessingFailed ? "failed" : result.LineStopped ? "stopped by checks" : "ok")}[/]: " +
            $"{s.Built} built, {s.Reused} reused, {s.Quarantined} quarantined, {s.Blocked} blocked, {s.Failed} failed, {s.Skipped} skipped in {s.DurationMs / 1000.0:0.0} s");
    }
}
