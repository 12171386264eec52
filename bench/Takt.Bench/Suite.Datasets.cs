using System.Diagnostics;
using System.Text.Json;

namespace Takt.Bench;

internal static partial class Suite
{
    /// <summary>Benchmark 1's size for issue 17's targets for boxes: 3.65M boxes, full run only.</summary>
    private static readonly (int D, int B) Huge = (1000, 3650);

    // 8. Many datasets --------------------------------------------------------------------------------------------

    /// <summary>
    /// A factory of 2,000 datasets with few boxes each: what a user waits for is the CLI process declaring and
    /// validating the factory (every SQL file read and hashed) and planning nothing. Beside it: the same process
    /// without the factory (<c>--help</c>), and the declaration alone in this process, so that the terms show.
    /// </summary>
    private static void ManyDatasets(string root)
    {
        var (datasets, days) = _o.Quick ? (500, 7) : (2000, 30);
        var home = Path.Combine(root, $"datasets-{datasets}x{days}");
        var (factory, shape) = SyntheticFactory.Create(Path.Combine(home, "factory"), datasets);
        Console.WriteLine($"[8] {datasets}x{days}: {shape.Sources} sources, {shape.Transforms} SQL transforms; filling the ledger ...");
        LedgerFill.Fill(factory, Path.Combine(home, "ledger.db"), Options.FirstBox, days, FillMode.Direct);

        Line($"\n## 8. Many datasets: a factory of {datasets:N0} datasets, declared, validated and planned as a CLI\n");
        Line($"The synthetic factory of benchmark 1 with {datasets:N0} datasets ({shape.Sources} landing sources, {shape.Transforms} SQL transforms, " +
             $"{shape.Edges:N0} input edges, depth {shape.Depth}) x {days} daily boxes, everything built. Takt CLI: the factory program's " +
             "`plan --json` in a fresh process (runtime start, declaring the factory, validating it and hashing every SQL file, opening the " +
             "ledger, a no-op plan with valid freshness stamps, printing). Process floor: the same program with `--help` (no factory built). " +
             "Declare in process: building the same factory again in this (warm) process. make: `make -q all` over the equivalent files.\n");

        // Stamps as a build leaves them (a plan only reads; the build that ran it records what it found fresh).
        using (var ledger = new Takt.Ledger.Sqlite.SqliteLedger(Path.Combine(home, "ledger.db")))
        {
            var plan = new Takt.Planning.Planner(factory, ledger).Create(LedgerFill.Env, []);
            if (plan.Tasks.Count != 0) throw new BenchFailure($"the cold plan of {datasets} built datasets planned {plan.Tasks.Count} tasks, expected none");
            ledger.SetStamps(LedgerFill.Env, plan.Stamps);
        }

        var cliRuns = new List<ChildRun>();
        for (var i = 0; i <= _o.Many; i++)
        {
            var run = ChildProcess.Run(FactoryCli.Arguments(BenchFactory.Synthetic, home, datasets, ["--home", home, "plan", "--json"]), Cap);
            if (run.ExitCode != 0) { Fail($"Takt CLI plan of {datasets} datasets: {run.Describe}"); break; }
            var tasks = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("tasks").GetArrayLength();
            if (tasks != 0) Fail($"Takt CLI plan of {datasets} datasets planned {tasks} tasks, expected none");
            if (i > 0) cliRuns.Add(run); // the first is a warm-up (file cache)
        }
        var cli = cliRuns.Count > 0 ? new Measure(cliRuns.Select(r => r.Seconds).ToArray()) : null;

        var floorRuns = Enumerable.Range(0, _o.Many)
            .Select(_ => ChildProcess.Run(FactoryCli.Arguments(BenchFactory.Synthetic, home, datasets, ["--help"]), Cap)).ToList();
        foreach (var r in floorRuns.Where(r => r.ExitCode != 0)) Fail($"Takt CLI --help: {r.Describe}");
        var floor = new Measure(floorRuns.Select(r => r.Seconds).ToArray());

        var declare = new Measure(Enumerable.Range(0, _o.Many).Select(_ =>
        {
            var clock = Stopwatch.StartNew();
            var declared = SyntheticFactory.Create(Path.Combine(home, "factory"), datasets).Factory;
            if (declared.Datasets.Count != datasets) throw new BenchFailure($"declared {declared.Datasets.Count} datasets, expected {datasets}");
            return clock.Elapsed.TotalSeconds;
        }).ToArray());

        var peers = new PeerWorkflow(factory, Path.Combine(home, "peers"), Options.FirstBox, days);
        peers.MaterializeUpToDate();
        PeerRuns? make = null;
        if (Tools.Make is { } m)
        {
            var makefile = peers.WriteMakefile(PeerWork.Concat);
            make = RepeatPeer(_o.Many, () => peers.Run(m, ["-q", "-f", makefile, "all"], Cap));
            foreach (var r in make.All.Where(r => !r.TimedOut && (r.ExitCode != 0 || r.RecipesRun != 0)))
                Fail($"make -q {datasets} datasets: exit {r.ExitCode}, {r.RecipesRun} recipes (expected 0 and 0: everything up to date)");
        }

        Line("| datasets x days | Takt CLI `plan` | process floor (`--help`) | declare + validate in process | make -q | Takt CLI / make | peak RSS (CLI) |");
        Line("|---|---|---|---|---|---|---|");
        var peak = cliRuns.Select(r => r.PeakRssBytes ?? 0).DefaultIfEmpty(0).Max();
        Line($"| {datasets:N0} x {days} | {Show(cli)} | {Show(floor)} | {Show(declare)} | {Show(make)} | {Ratio(cli, make)} | {Mb(peak)} |");
        var met = cli is not null && cli.Median < 1 ? "yes" : "NO";
        var target = datasets == 2000 ? "CLI < 1 s" : "CLI < 1 s (target is for 2,000 datasets)";
        Summary.Add([$"8. declare, validate, no-op plan, {datasets:N0} datasets (CLI)", Time(cli?.Median), $"make -q {Show(make, brief: true)}", Ratio(cli, make), target, met]);
    }
}
