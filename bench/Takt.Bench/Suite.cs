using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Takt.Building;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Bench;

/// <summary>Repeated wall times of one thing, in seconds.</summary>
internal sealed record Measure(IReadOnlyList<double> Seconds)
{
    public double Median
    {
        get
        {
            var s = Seconds.Order().ToArray();
            return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        }
    }

    public double Min => Seconds.Min();
    public double Max => Seconds.Max();
}

/// <summary>The suite's options: <c>all [--quick] [--repeat N] [--only 1,3] [--report FILE] [--keep]</c>.</summary>
internal sealed record SuiteOptions(bool Quick, int? Repeat, IReadOnlySet<int> Only, string? ReportPath, bool Keep)
{
    /// <summary>Rows of benchmark 7's landing file, when given.</summary>
    public long? Rows { get; init; }
    /// <summary>Benchmark 1 leaves out its sizes of more boxes than this, when given.</summary>
    public long? MaxBoxes { get; init; }
    /// <summary>Benchmark 7's landing formats, when given (default: all).</summary>
    public IReadOnlyList<RealShapeFormat> Formats { get; init; } = [];
    public bool Runs(int benchmark) => Only.Count == 0 || Only.Contains(benchmark);
    /// <summary>Repeats of cheap measurements (Takt, make, bare DuckDB).</summary>
    public int Many => Repeat ?? (Quick ? 2 : 5);
    /// <summary>Repeats of expensive measurements (Snakemake, whole builds).</summary>
    public int Few => Repeat ?? (Quick ? 1 : 3);
}

/// <summary>
/// <c>all</c>: Takt against GNU make, Snakemake and bare DuckDB on the same work, side by side in one run, repeated,
/// reporting medians, spreads (min..max) and Takt's ratio to each peer. <c>--quick</c> is the CI smoke: smaller sizes,
/// fewer repeats, every sanity check (task counts, exact task sets, no-op plans, zero work lost), no timing asserts.
/// </summary>
internal static partial class Suite
{
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(10);
    private static readonly List<string> Failures = [];
    private static readonly List<string[]> Summary = [];
    private static readonly StringBuilder Markdown = new();
    private static SuiteOptions _o = null!;

    public static int Run(SuiteOptions options)
    {
        _o = options;
        var total = Stopwatch.StartNew();
        var root = Path.Combine(Path.GetTempPath(), $"takt-suite-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(root);
        Tools.Detect(install: true, m => Console.WriteLine($"[tools] {m}"));
        Header();
        try
        {
            if (_o.Runs(1)) Section("1", () => NoopPlan(root));
            if (_o.Runs(2)) Section("2", () => Incremental(root));
            if (_o.Runs(3)) Section("3", () => Throughput(root));
            if (_o.Runs(4) || _o.Runs(5)) Section("4", () => HeavyBox(root));
            if (_o.Runs(5)) Section("5", Memory);
            if (_o.Runs(6)) Section("6", () => CrashAndResume(root));
            if (_o.Runs(7)) Section("7", () => RealShapeBenchmark(root));
            if (_o.Runs(8)) Section("8", () => ManyDatasets(root));
            if (_o.Runs(9)) Section("9", () => HourlyBoxes(root));
        }
        finally
        {
            if (_o.Keep) Console.WriteLine($"(kept {root})");
            else
            {
                try { Directory.Delete(root, recursive: true); }
                catch (IOException e) { Console.Error.WriteLine($"could not delete {root}: {e.Message}"); }
            }
        }

        Line("\n## Summary\n");
        Line("Ratios: for times Takt / peer (below 1: Takt is faster); for throughput Takt / peer in tasks/s (above 1: Takt is faster).\n");
        Line("| benchmark | Takt | peer | Takt / peer | target | met |");
        Line("|---|---|---|---|---|---|");
        foreach (var row in Summary) Line("| " + string.Join(" | ", row) + " |");
        Line($"\nSuite wall time: {total.Elapsed.TotalMinutes:0.0} min. " +
             (Failures.Count == 0 ? "All sanity checks passed." : $"{Failures.Count} sanity check(s) FAILED:"));
        foreach (var f in Failures) Line($"- FAILED: {f}");
        if (_o.ReportPath is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, Markdown.ToString());
            Console.WriteLine($"(report written to {path})");
        }
        return Failures.Count == 0 ? 0 : 1;
    }

    private static void Section(string name, Action body)
    {
        var clock = Stopwatch.StartNew();
        try { body(); }
        catch (BenchFailure e) { Fail($"benchmark {name}: {e.Message}"); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail($"benchmark {name} crashed: {e}");
        }
        Console.WriteLine($"[benchmark {name} took {clock.Elapsed.TotalSeconds:0} s]");
    }

    private static void Header()
    {
        Line($"# Takt benchmark suite ({(_o.Quick ? "--quick" : "full")}), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n");
        Line("| machine and tools | |");
        Line("|---|---|");
        Line($"| CPU | {Machine.CpuModel()}, {Environment.ProcessorCount} cores (nproc {Tools.Shell("nproc", [], TimeSpan.FromSeconds(10)).Output.Trim()}) |");
        Line($"| memory | {Machine.MemoryTotal()} |");
        Line($"| OS | {RuntimeInformation.OSDescription} |");
        Line($"| .NET | {RuntimeInformation.FrameworkDescription} ({Build}) |");
        Line($"| DuckDB (DuckDB.NET, in process) | {DuckDbVersion()} |");
        Line($"| SQLite (Takt ledger) | {SqliteVersion()} |");
        Line($"| GNU make | {Tools.Version(Tools.Make)} |");
        Line($"| Snakemake | {(Tools.Snakemake is null ? $"missing (install: `{Tools.SnakemakeHint}`)" : Tools.Version(Tools.Snakemake))} |");
        Line($"| sqlite3 CLI (peers' tiny SQL) | {(Tools.Sqlite3 is null ? "missing (apt-get install -y sqlite3)" : Tools.Version(Tools.Sqlite3).Split(' ')[0])} |");
        Line($"| repeats | {_o.Many} (Takt, make, bare DuckDB), {_o.Few} (Snakemake, whole builds); median and min..max |");
    }

    // 1. No-op planning -------------------------------------------------------------------------------------------

    private static void NoopPlan(string root)
    {
        (int D, int B)[] all = _o.Quick ? [(10, 365), (100, 365)] : [(10, 365), (100, 365), (100, 3650), (1000, 3650)];
        var sizes = all.Where(s => _o.MaxBoxes is not { } max || (long)s.D * s.B <= max).ToArray();
        Line("\n## 1. No-op planning: everything built, decide that nothing needs to run\n");
        foreach (var (d, b) in all.Except(sizes))
            Line($"Left out in this run (`--max-boxes {_o.MaxBoxes:N0}`): {d:N0} x {b:N0} ({(long)d * b:N0} boxes).\n");
        Line("Takt in process: `Planner.Create(\"prod\", all targets)` on an open ledger, after a cold plan (JIT and SQLite cache warm, " +
             "freshness stamps valid, as after any build). Takt CLI: the factory program's `plan --json` in a fresh process " +
             "(runtime start, JIT, opening the ledger, planning, printing), what a user waits for. make: `make -q all`. " +
             "Snakemake: `snakemake -n --cores 1 all`. Every peer target file exists and is newer than its inputs. " +
             "Ratios are Takt / peer wall time (below 1: Takt is faster). The cold plan has no valid freshness stamp (as after any upstream " +
             $"change) and compares every box; targets at {Huge.D:N0} x {Huge.B:N0}: CLI no-op plan < 1 s, cold plan < 3 s, ledger < 1 GB. " +
             $"Snakemake is left out at {Huge.D:N0} x {Huge.B:N0} (minutes per run).\n");
        Line("| datasets x days | transform targets | Takt in process | Takt cold plan | Takt CLI process | ledger | make -q | snakemake -n | Takt in-process / make | Takt CLI / make | Takt in-process / snakemake | Takt CLI / snakemake |");
        Line("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (datasets, days) in sizes)
        {
            var home = Path.Combine(root, $"noop-{datasets}x{days}");
            var (factory, shape) = SyntheticFactory.Create(Path.Combine(home, "factory"), datasets);
            var ledger = Path.Combine(home, "ledger.db");
            Console.WriteLine($"[1] {datasets}x{days}: {shape.Sources} sources, {shape.Transforms} transforms, {shape.WindowEdges} windows, {shape.FanIns} fan-ins; filling the ledger ...");
            var fill = LedgerFill.Fill(factory, ledger, Options.FirstBox, days, FillMode.Direct, m => Console.WriteLine($"[1]{m}"));

            var plan = PlanBench.Run(factory, ledger, Options.FirstBox, days, _o.Many, m => Console.WriteLine($"[1]{m}"));
            var inProcess = new Measure(plan.Warm.Select(w => w.Ms / 1000).ToArray());

            // The CLI: one untimed warm-up run (file cache), then timed runs; each must print an empty plan.
            var cliRuns = new List<ChildRun>();
            for (var i = 0; i <= _o.Many; i++)
            {
                var run = ChildProcess.Run(FactoryCli.Arguments(BenchFactory.Synthetic, home, datasets, ["--home", home, "plan", "--json"]), Cap);
                if (run.ExitCode != 0) { Fail($"Takt CLI plan {datasets}x{days}: {run.Describe}"); break; }
                var tasks = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("tasks").GetArrayLength();
                if (tasks != 0) Fail($"Takt CLI plan {datasets}x{days} planned {tasks} tasks, expected none");
                if (i > 0) cliRuns.Add(run);
            }
            var cli = cliRuns.Count > 0 ? new Measure(cliRuns.Select(r => r.Seconds).ToArray()) : null;
            if (cliRuns.Count > 0) PlanPeakRss[(datasets, days)] = cliRuns.Max(r => r.PeakRssBytes ?? 0);

            var peers = new PeerWorkflow(factory, Path.Combine(home, "peers"), Options.FirstBox, days);
            Console.WriteLine($"[1] {datasets}x{days}: writing {peers.TransformTargets + (long)shape.Sources * days:N0} peer files ...");
            peers.MaterializeUpToDate();
            PeerRuns? make = null, snake = null;
            if (Tools.Make is { } m)
            {
                var makefile = peers.WriteMakefile(PeerWork.Concat);
                make = RepeatPeer((datasets, days) == Huge ? _o.Few : _o.Many, () => peers.Run(m, ["-q", "-f", makefile, "all"], Cap));
                foreach (var r in make.All.Where(r => !r.TimedOut && (r.ExitCode != 0 || r.RecipesRun != 0)))
                    Fail($"make -q {datasets}x{days}: exit {r.ExitCode}, {r.RecipesRun} recipes (expected 0 and 0: everything up to date)");
            }
            if (Tools.Snakemake is { } s && (datasets, days) != Huge)
            {
                var snakefile = peers.WriteSnakefile(PeerWork.Concat);
                snake = RepeatPeer(_o.Few, () => peers.Run(s, ["-n", "--cores", "1", "-s", snakefile, "all"], Cap), stopAfterSeconds: 60);
                foreach (var r in snake.All.Where(r => !r.TimedOut && (r.ExitCode != 0 || !r.Output.Contains("Nothing to be done", StringComparison.Ordinal))))
                    Fail($"snakemake -n {datasets}x{days}: exit {r.ExitCode}, expected 'Nothing to be done': {Tail(r.Output)}");
            }
            PlanPeers[(datasets, days)] = (make, snake);
            Line($"| {datasets} x {days:N0} | {peers.TransformTargets:N0} | {Show(inProcess)} | {Time(plan.Cold.Ms / 1000)} | {Show(cli)} | {Mb(fill.DatabaseBytes)} | {Show(make)} | {Show(snake)} | " +
                 $"{Ratio(inProcess, make)} | {Ratio(cli, make)} | {Ratio(inProcess, snake)} | {Ratio(cli, snake)} |");

            if ((datasets, days) == sizes[^1] || (datasets, days) == (100, 3650))
            {
                var warmLedger = plan.WarmLedgerCalls.Sum(c => c.Ms);
                BreakdownNote = $"Where the in-process warm plan of {datasets} x {days:N0} goes (counted run): " +
                    $"{warmLedger:0.0} ms in {plan.WarmLedgerCalls.Sum(c => c.Calls)} ledger calls (" +
                    string.Join(", ", plan.WarmLedgerCalls.Take(4).Select(c => $"{c.Method} {c.Calls}x {c.Ms:0.0} ms")) + "); " +
                    $"the cold plan (no stamps, JIT warm) takes {plan.ColdAgain.Ms:0} ms, {plan.ColdLedgerCalls.Sum(c => c.Ms):0} ms of it in the ledger " +
                    $"({string.Join(", ", plan.ColdLedgerCalls.Take(3).Select(c => $"{c.Method} {c.Calls}x {c.Ms:0} ms, {c.Rows:N0} rows"))}).";
                var target = (datasets, days) is (100, 3650) or (1000, 3650) ? "plan < 1 s" : "plan < 1 s (target is for 100 x 3,650)";
                var met = cli is not null && cli.Median < 1 && inProcess.Median < 1 ? "yes" : "NO";
                var takt = $"CLI {Time(cli?.Median)}, in process {Time(inProcess.Median)}";
                Summary.Add([$"1. no-op plan, {datasets} x {days:N0}", takt, $"make -q {Show(make, brief: true)}", $"CLI {Ratio(cli, make)}; in process {Ratio(inProcess, make)}", target, met]);
                if (snake is not null)
                    Summary.Add([$"1. no-op plan, {datasets} x {days:N0}", takt, $"snakemake -n {Show(snake, brief: true)}", $"CLI {Ratio(cli, snake)}; in process {Ratio(inProcess, snake)}", target, met]);
                if ((datasets, days) == Huge)
                {
                    Summary.Add([$"1. cold plan (no stamps), {datasets} x {days:N0}", Time(plan.Cold.Ms / 1000), "-", "", "< 3 s", YesNo(plan.Cold.Ms < 3000)]);
                    Summary.Add([$"1. ledger size, {datasets} x {days:N0}", $"{Mb(fill.DatabaseBytes)} ({fill.DatabaseBytes / fill.Boxes} bytes per box)", "-", "", "< 1 GB", YesNo(fill.DatabaseBytes < 1L << 30)]);
                }
            }
            // Not deleted here but with the whole suite at the end: on a journal-less ext4 (as on the machines this runs
            // on), every file created in the minutes after many were deleted pays for skipping the recently deleted
            // inodes, which would slow the benchmarks after this one by how many files this one happened to delete.
        }
        Line($"\n{BreakdownNote}");
    }

    private static string BreakdownNote = "";
    private static readonly Dictionary<(int, int), long> PlanPeakRss = [];
    private static readonly Dictionary<(int, int), (PeerRuns? Make, PeerRuns? Snake)> PlanPeers = [];

    // 3. Per-task overhead ----------------------------------------------------------------------------------------

    private static void Throughput(string root)
    {
        var days = _o.Quick ? 150 : 1000;
        const int steps = 2;
        var tasks = steps * days;
        var home = Path.Combine(root, "throughput");
        var rig = TaktRig.Create(Path.Combine(home, "takt"), BenchFactory.Chain, steps, days);
        Console.WriteLine($"[3] ingesting {days} source boxes and a warm-up build of {tasks} tasks ...");
        using (var ws = rig.Open()) new BuildService(ws).Ingest([]);
        var warmup = rig.Build(ingest: false);
        if (warmup.Summary.Built != tasks) throw new BenchFailure($"the warm-up build built {warmup.Summary.Built} of {tasks}");

        Line($"\n## 3. Per-task overhead: {tasks:N0} trivial tasks\n");
        Line($"A source `raw.src` ({days:N0} daily boxes, already ingested) and two transforms `stg.step_1` (sum of the source box) and " +
             $"`stg.step_2` (sum of the step_1 box): {tasks:N0} tasks, each reading one small file and writing one. Takt: DuckDB SQL " +
             "`SELECT CAST(sum(x) AS BIGINT) AS x FROM <input>` to Parquet, with the whole task protocol (ledger task rows, recipe, lease, " +
             "staging, schema and row count, fsync, atomic commit, OpenLineage events). make and Snakemake: one `sqlite3` process per task " +
             "(`.import --csv <input> t` then `SELECT sum(x) AS x FROM t` to the target file), the nearest thing to a tiny SQL task " +
             $"they can run. Parallelism {Environment.ProcessorCount} everywhere: Takt's default `--parallelism` (that many tasks computing in DuckDB at once; " +
             $"the runner keeps twice as many in flight, so that one task's fsync and ledger commit overlap another's query), `make -j{Environment.ProcessorCount}`, " +
             $"`snakemake --cores {Environment.ProcessorCount}`. Before each run, Takt invalidates every step_1 box (untimed), the peers delete their targets. " +
             $"Takt in process, the Takt CLI and make take turns in each of {_o.Many} rounds, so that the machine's drift falls on all three alike; " +
             $"Snakemake runs {_o.Few} times after them. " +
             "Throughput ratios are Takt / peer (above 1: Takt is faster).\n");
        Line("| tool | tasks | wall (median, min..max) | tasks/s | Takt in-process / tool | Takt CLI / tool |");
        Line("|---|---|---|---|---|---|");

        var peers = new PeerWorkflow(rig.Factory, Path.Combine(home, "peers"), rig.FirstBox, days);
        peers.MaterializeUpToDate();
        var cores = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        var makeArgs = new[] { "-j", cores, "-f", peers.WriteMakefile(PeerWork.SumFirstInput), "all" };
        var canRunPeers = Tools.Sqlite3 is not null;

        // Takt in process, Takt as a CLI and make take turns in every round, so that the machine's drift over minutes
        // falls on all three alike; Snakemake (minutes per run) runs after them.
        var (inProcessTimes, cliTimes, makeRuns) = (new List<double>(), new List<double>(), new List<PeerRun>());
        for (var i = 0; i < _o.Many; i++)
        {
            rig.Invalidate(ChainFactory.Step(1), rig.FirstBox, rig.LastBox);
            var clock = Stopwatch.StartNew();
            var result = rig.Build(ingest: false);
            inProcessTimes.Add(clock.Elapsed.TotalSeconds);
            if (result.Summary.Built != tasks || result.Tasks.Count != tasks) Fail($"Takt (in process) built {result.Summary.Built} of {tasks} trivial tasks ({result.Summary})");

            rig.Invalidate(ChainFactory.Step(1), rig.FirstBox, rig.LastBox);
            var run = rig.Cli(Cap, "build", "--no-ingest", "--no-publish", "--json");
            var cliText = run.ExitCode == 0 ? $"{run.Seconds:0.00} s" : "failed";
            if (run.ExitCode != 0) Fail($"Takt CLI build: {run.Describe}");
            else
            {
                cliTimes.Add(run.Seconds);
                var built = LedgerQuery.Tasks(rig.Home, LedgerQuery.LatestRun(rig.Home)!).Count(t => t.Status == BuildStatus.Built.ToText());
                if (built != tasks) Fail($"Takt (CLI) built {built} of {tasks} trivial tasks");
            }

            if (Tools.Make is null || !canRunPeers) continue;
            peers.DeleteTransformOutputs();
            makeRuns.Add(peers.Run(Tools.Make, makeArgs, Cap));
            Console.WriteLine($"[3] round {i + 1}: Takt in process {inProcessTimes[^1]:0.00} s, CLI {cliText}, make {makeRuns[^1].Seconds:0.00} s");
        }
        var inProcess = new Measure(inProcessTimes);
        var cli = cliTimes.Count > 0 ? new Measure(cliTimes) : null;
        Line($"| Takt in process (`BuildService.Build`) | {tasks} | {Show(inProcess)} | {tasks / inProcess.Median:0} | 1 | |");
        Line($"| Takt CLI (`build` process) | {tasks} | {Show(cli)} | {(cli is null ? "-" : $"{tasks / cli.Median:0}")} | | 1 |");

        foreach (var (name, tool, args) in new[]
        {
            ($"make -j{cores}", Tools.Make, makeArgs),
            ($"Snakemake --cores {cores}", Tools.Snakemake, new[] { "--cores", cores, "--quiet", "-s", peers.WriteSnakefile(PeerWork.SumFirstInput), "all" }),
        })
        {
            if (tool is null || !canRunPeers) { Line($"| {name} | missing{(canRunPeers ? "" : " (no sqlite3)")} | | | | |"); continue; }
            var runs = tool == Tools.Make ? new PeerRuns(makeRuns) : RepeatPeer(_o.Few, () =>
            {
                peers.DeleteTransformOutputs();
                return peers.Run(tool, args, Cap);
            });
            foreach (var r in runs.All.Where(r => r.RecipesRun != tasks || r.ExitCode != 0))
                Fail($"{name} ran {r.RecipesRun} recipes (exit {r.ExitCode}), expected {tasks}: {Tail(r.Output)}");
            var sample = peers.Read(ChainFactory.Step(steps), rig.FirstBox + days / 2).Replace("\r", "");
            if (sample != "x\n1\n") Fail($"{name} computed '{sample.Trim()}' for a step_{steps} box, expected 'x\\n1'");
            var ran = runs.All[^1].RecipesRun;
            Line($"| {name} | {ran} | {Show(runs)} | {ran / runs.Median:0} | {Ratio(runs, inProcess)} | {Ratio(runs, cli)} |");
            Summary.Add([$"3. throughput, {tasks:N0} tiny tasks", $"CLI {(cli is null ? "-" : $"{tasks / cli.Median:0}")}/s, in process {tasks / inProcess.Median:0}/s",
                $"{name} {ran / runs.Median:0}/s", $"CLI {Ratio(runs, cli)}; in process {Ratio(runs, inProcess)}",
                tool == Tools.Make ? "CLI >= 1.5 (issue 17)" : "faster (ratio > 1)",
                cli is not null && runs.Median / cli.Median >= (tool == Tools.Make ? 1.5 : 1) ? "yes" : "NO"]);
        }
    }

    // helpers -----------------------------------------------------------------------------------------------------

    private sealed record PeerRuns(IReadOnlyList<PeerRun> All)
    {
        public Measure Measure => new(All.Select(r => r.Seconds).ToArray());
        public double Median => Measure.Median;
        public bool TimedOut => All.Any(r => r.TimedOut);
    }

    /// <summary>Runs a peer up to <paramref name="times"/> times; stops after a timeout or, when given, after one slow run.</summary>
    private static PeerRuns RepeatPeer(int times, Func<PeerRun> run, double? stopAfterSeconds = null)
    {
        var runs = new List<PeerRun>();
        for (var i = 0; i < times; i++)
        {
            var r = run();
            runs.Add(r);
            Console.WriteLine($"[peer] {r.Seconds:0.000} s, exit {r.ExitCode}, {r.RecipesRun} recipes{(r.TimedOut ? ", TIMED OUT" : "")}");
            if (r.TimedOut || (stopAfterSeconds is { } s && r.Seconds > s)) break;
        }
        return new PeerRuns(runs);
    }

    private static void Fail(string message)
    {
        Failures.Add(message);
        Console.Error.WriteLine($"SANITY CHECK FAILED: {message}");
    }

    private static void Line(string text)
    {
        Markdown.AppendLine(text);
        Console.WriteLine(text);
    }

    private static string Time(double? seconds) => seconds switch
    {
        null => "-",
        double.NaN => "-",
        < 1 => $"{seconds * 1000:0.0} ms",
        _ => $"{seconds:0.00} s",
    };

    private static string Show(Measure? m) => m is null ? "-" : m.Seconds.Count == 1 ? $"{Time(m.Median)} (n=1)" : $"{Time(m.Median)} ({Time(m.Min)}..{Time(m.Max)}, n={m.Seconds.Count})";

    private static string Show(PeerRuns? runs, bool brief = false) => runs is null ? "missing"
        : runs.TimedOut ? $"> {Cap.TotalSeconds:0} s"
        : brief ? Time(runs.Median) : Show(runs.Measure);

    /// <summary>Takt / peer, for times: below 1 means Takt is faster.</summary>
    private static string Ratio(Measure? takt, PeerRuns? peer) =>
        takt is null || peer is null ? "-"
        : peer.TimedOut ? $"< {Significant(takt.Median / Cap.TotalSeconds)} (over {Cap.TotalSeconds / takt.Median:0}x faster)"
        : RatioText(takt.Median / peer.Median);

    /// <summary>Throughput Takt / peer, from times: peer time / Takt time; above 1 means Takt is faster.</summary>
    private static string Ratio(PeerRuns peer, Measure? takt) =>
        takt is null ? "-" : peer.TimedOut ? $"> {Cap.TotalSeconds / takt.Median:0}" : $"{peer.Median / takt.Median:0.00}";

    private static string RatioText(double ratio) =>
        ratio < 1 ? $"{Significant(ratio)} ({1 / ratio:0.#}x faster)" : $"{ratio:0.00} ({ratio:0.#}x slower)";

    private static string Significant(double value) => value >= 0.1 ? value.ToString("0.00", CultureInfo.InvariantCulture)
        : value.ToString("0.00" + new string('0', Math.Max(0, -(int)Math.Floor(Math.Log10(value)) - 1)), CultureInfo.InvariantCulture);

    private static string YesNo(bool ok) => ok ? "yes" : "NO";
    private static string Mb(long bytes) => $"{bytes / 1048576.0:0} MB";
    private static string Tail(string text) => text.Length <= 400 ? text.Trim() : "..." + text[^400..].Trim();

    private static string DuckDbVersion()
    {
        using var pool = new Engine.DuckDbPool();
        using var lease = pool.Rent();
        return lease.Session.Scalar<string>("SELECT version()") ?? "?";
    }

    private static string SqliteVersion()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        return connection.ServerVersion;
    }

#if DEBUG
    private const string Build = "Debug build: use -c Release for numbers";
#else
    private const string Build = "Release build";
#endif
}

/// <summary>Machine facts for the report.</summary>
internal static class Machine
{
    public static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : RuntimeInformation.ProcessArchitecture.ToString();

    public static string MemoryTotal()
    {
        var line = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) : null;
        return line is null ? "?" : $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576.0:0.0} GiB";
    }
}
