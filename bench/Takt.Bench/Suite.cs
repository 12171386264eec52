using System.Diagnostics;
using System.Globalization;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Running;

namespace Takt.Bench;

/// <summary>One measured row: the median and spread of repeated runs, and what ran.</summary>
internal sealed record Measure(string Tool, IReadOnlyList<double> Seconds, long TasksRun, string Note = "")
{
    public double Median => Seconds.Count == 0 ? double.NaN : Seconds.Order().ElementAt(Seconds.Count / 2);
    public string Spread => Seconds.Count == 0 ? "-" : $"{Seconds.Min():0.000}..{Seconds.Max():0.000}";
}

/// <summary>
/// `all`: Takt against GNU make, Snakemake and bare DuckDB on the same work, side by side in one run, repeated,
/// reporting medians, spreads and ratios. `--quick` is the CI smoke: small sizes, sanity checks, no timing asserts.
/// </summary>
internal static class Suite
{
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(10);
    private static readonly List<string> Failures = [];

    public static int Run(bool quick)
    {
        var root = Path.Combine(Path.GetTempPath(), $"takt-suite-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(root);
        var make = PeerWorkflow.Find("make");
        var snakemake = PeerWorkflow.Find("snakemake");
        Console.WriteLine($"# Takt benchmark suite ({(quick ? "quick" : "full")}), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0:0} GiB; .NET {Environment.Version}; " +
                          $"make: {(make is null ? "missing" : PeerWorkflow.Version(make))}; snakemake: {(snakemake is null ? "missing (apt-get install -y snakemake)" : PeerWorkflow.Version(snakemake))}; " +
                          $"DuckDB: {DuckDbVersion()}");
        try
        {
            var repeat = quick ? 2 : 3;
            NoopPlan(root, make, snakemake, quick ? [(10, 365), (100, 365)] : [(10, 365), (100, 365), (100, 3650)], repeat);
            Incremental(root, make, snakemake, quick ? 6 : 10, quick ? 40 : 120, repeat);
            Throughput(root, make, snakemake, quick ? 200 : 1000, repeat);
            HeavyBox(root, quick ? 1_000_000 : 10_000_000, repeat);
            CrashAndResume(root, quick ? 200 : 500);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
        }
        if (Failures.Count == 0) { Console.WriteLine("\nall sanity checks passed"); return 0; }
        foreach (var f in Failures) Console.Error.WriteLine($"SANITY CHECK FAILED: {f}");
        return 1;
    }

    // 1. No-op planning -------------------------------------------------------------------------------------------

    private static void NoopPlan(string root, string? make, string? snakemake, (int Datasets, int Days)[] sizes, int repeat)
    {
        Console.WriteLine("\n## 1. No-op planning: everything built, decide that nothing runs");
        Console.WriteLine("| size | Takt cold plan s | Takt warm plan s | make -q s | snakemake -n s | make / Takt | snakemake / Takt |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (datasets, days) in sizes)
        {
            var dir = Path.Combine(root, $"noop-{datasets}x{days}");
            var (factory, _) = SyntheticFactory.Create(Path.Combine(dir, "factory"), datasets);
            var ledger = Path.Combine(dir, "ledger.db");
            LedgerFill.Fill(factory, ledger, Options.FirstBox, days, datasets * days > 50_000 ? FillMode.Direct : FillMode.Api);
            var plan = PlanBench.Run(factory, ledger, Options.FirstBox, days, repeat, _ => { });
            var warm = plan.Warm.Select(w => w.Ms / 1000).ToArray();
            var takt = new Measure("takt", warm, 0);

            var peers = new PeerWorkflow(factory, Path.Combine(dir, "peers"), Options.FirstBox, days);
            peers.MaterializeUpToDate();
            var makeRun = make is null ? null : Repeat(repeat, () => peers.Run(make, ["-q", "-f", peers.WriteMakefile(sql: false), "all"], Cap));
            var snakeRun = snakemake is null ? null : Repeat(datasets * days >= 36_500 ? 1 : repeat, // minutes per run: once is enough
                () => peers.Run(snakemake, ["-n", "--cores", "1", "--quiet", "-s", peers.WriteSnakefile(sql: false), "all"], Cap));
            if (makeRun is { } m && m.All.Any(r => !r.TimedOut && r.ExitCode != 0)) Failures.Add($"make -q says {datasets}x{days} is not up to date");
            if (makeRun is { } m2 && m2.All.Any(r => r.RecipesRun != 0)) Failures.Add("make -q ran recipes");
            if (snakeRun is { } s && s.All.Any(r => r.RecipesRun != 0)) Failures.Add("snakemake -n ran recipes");
            Console.WriteLine($"| {datasets} x {days} | {plan.Cold.Ms / 1000:0.000} | {takt.Median:0.000} ({takt.Spread}) | {Show(makeRun)} | {Show(snakeRun)} | " +
                              $"{Ratio(makeRun, takt)} | {Ratio(snakeRun, takt)} |");
            Console.WriteLine($"<!-- peak working set of the planning process: {plan.PeakWorkingSetBytes / 1048576.0:0.0} MB -->");
            Directory.Delete(dir, recursive: true);
        }
    }

    // 2. Incremental recompute ------------------------------------------------------------------------------------

    private static void Incremental(string root, string? make, string? snakemake, int datasets, int days, int repeat)
    {
        Console.WriteLine($"\n## 2. Incremental recompute: 3 boxes of a source re-landed mid-range ({datasets} datasets x {days} days)");
        Console.WriteLine("| tool | tasks run | expected | wall s (median, spread) | ratio to Takt |");
        Console.WriteLine("|---|---|---|---|---|");
        var dir = Path.Combine(root, "incremental");
        var rig = TaktRig.Create(Path.Combine(dir, "takt"), datasets, days);
        rig.Build();
        var source = rig.Factory.Datasets.First(d => d.IsSource).Name;
        var middle = Options.FirstBox + days / 2;
        var expected = ExpectedDownstream(rig.Factory, source, new BoxRange(middle, middle + 2), days);

        var taktTimes = new List<double>();
        long taktTasks = 0;
        for (var i = 0; i < repeat; i++)
        {
            using var ws = rig.Open();
            new BuildService(ws).Invalidate(source, DateOnly.FromDayNumber((int)middle), DateOnly.FromDayNumber((int)middle + 2), "bench");
            var clock = Stopwatch.StartNew();
            var result = new BuildService(ws).Build([], ingest: false, publish: false);
            taktTimes.Add(clock.Elapsed.TotalSeconds);
            taktTasks = result.Tasks.Count(t => t.Outcome.Status == BuildStatus.Built);
            if (result.Remaining.Tasks.Count != 0) Failures.Add("Takt left work after the incremental build");
        }
        if (taktTasks != expected + 3) Failures.Add($"Takt ran {taktTasks} tasks, expected {expected + 3} (3 source boxes + {expected} downstream)");
        var takt = new Measure("takt", taktTimes, taktTasks);
        Console.WriteLine($"| Takt | {taktTasks} | {expected + 3} | {takt.Median:0.000} ({takt.Spread}) | 1.00 |");

        var peers = new PeerWorkflow(rig.Factory, Path.Combine(dir, "peers"), Options.FirstBox, days);
        peers.MaterializeUpToDate();
        foreach (var (name, tool, args) in new[]
        {
            ("make -j2", make, new[] { "-j", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), "-f", peers.WriteMakefile(sql: true), "all" }),
            ("Snakemake", snakemake, new[] { "--cores", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), "--quiet", "-s", peers.WriteSnakefile(sql: true), "all" }),
        })
        {
            if (tool is null) { Console.WriteLine($"| {name} | missing | | | |"); continue; }
            var runs = Repeat(repeat, () =>
            {
                for (var b = middle; b <= middle + 2; b++) peers.Touch(source, b);
                return peers.Run(tool, args, Cap);
            });
            var ran = runs.All.Max(r => r.RecipesRun);
            if (ran != expected) Failures.Add($"{name} ran {ran} recipes, expected {expected}");
            Console.WriteLine($"| {name} | {ran} | {expected} | {Show(runs)} | {Ratio(runs, takt)} |");
        }
    }

    // 3. Per-task overhead ----------------------------------------------------------------------------------------

    private static void Throughput(string root, string? make, string? snakemake, int days, int repeat)
    {
        var tasks = 2 * days;
        Console.WriteLine($"\n## 3. Per-task overhead: {tasks} trivial tasks (a source and a tiny SQL transform over {days} days)");
        Console.WriteLine("| tool | tasks | wall s (median, spread) | tasks/s | Takt / peer throughput |");
        Console.WriteLine("|---|---|---|---|---|");
        var times = new List<double>();
        Factory? factory = null;
        for (var i = 0; i < repeat; i++)
        {
            var rig = TaktRig.Create(Path.Combine(root, $"throughput-{i}"), 2, days);
            factory = rig.Factory;
            var clock = Stopwatch.StartNew();
            var result = rig.Build();
            times.Add(clock.Elapsed.TotalSeconds);
            var built = result.Tasks.Count(t => t.Outcome.Status == BuildStatus.Built);
            if (built != tasks) Failures.Add($"Takt built {built} of {tasks} trivial tasks");
        }
        var takt = new Measure("takt", times, tasks);
        Console.WriteLine($"| Takt | {tasks} | {takt.Median:0.000} ({takt.Spread}) | {tasks / takt.Median:0} | 1.00 |");

        var peers = new PeerWorkflow(factory!, Path.Combine(root, "throughput-peers"), Options.FirstBox, days);
        foreach (var (name, tool, args) in new[]
        {
            ("make -j2", make, new[] { "-j", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), "-f", peers.WriteMakefile(sql: true), "all" }),
            ("Snakemake", snakemake, new[] { "--cores", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), "--quiet", "-s", peers.WriteSnakefile(sql: true), "all" }),
        })
        {
            if (tool is null) { Console.WriteLine($"| {name} | missing | | | |"); continue; }
            var runs = Repeat(repeat, () =>
            {
                peers.MaterializeUpToDate();
                foreach (var d in factory!.Datasets.Where(d => !d.IsSource))
                    Directory.Delete(Path.Combine(peers.Directory, "w", d.Name.Replace('.', '_')), recursive: true);
                return peers.Run(tool, args, Cap);
            });
            var ran = runs.All.Max(r => r.RecipesRun);
            // The peers have no ingest step: their source files exist, so they run one task per transform box.
            if (ran != days) Failures.Add($"{name} ran {ran} recipes, expected {days}");
            var perSecond = ran / runs.Median;
            Console.WriteLine($"| {name} | {ran} | {Show(runs)} | {perSecond:0} | {tasks / takt.Median / perSecond:0.00} |");
        }
    }

    // 4. Heavy box ------------------------------------------------------------------------------------------------

    private static void HeavyBox(string root, int rows, int repeat)
    {
        Console.WriteLine($"\n## 4. Heavy box: GROUP BY + join over {rows:N0} rows to Parquet");
        var heavy = HeavyRig.Create(Path.Combine(root, "heavy"), rows);
        var (takt, bare, checkedRows) = heavy.Measure(repeat);
        if (checkedRows.Takt != checkedRows.Bare) Failures.Add($"heavy box: Takt wrote {checkedRows.Takt} rows, bare DuckDB {checkedRows.Bare}");
        var peak = heavy.PeakInChild();
        Console.WriteLine("| run | wall s (median, spread) | ratio Takt / bare |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| Takt build of the box | {takt.Median:0.000} ({takt.Spread}) | {takt.Median / bare.Median:0.00} |");
        Console.WriteLine($"| bare DuckDB.NET COPY | {bare.Median:0.000} ({bare.Spread}) | 1.00 |");
        Console.WriteLine($"\n## 5. Memory: peak RSS of a Takt process building the heavy box: {peak / 1048576.0:0} MB " +
                          "(no-op plan peaks are in the comments of table 1)");
    }

    // 6. Crash and resume -----------------------------------------------------------------------------------------

    private static void CrashAndResume(string root, int days)
    {
        var tasks = 2 * days;
        Console.WriteLine($"\n## 6. Crash and resume: a {tasks}-task build killed halfway, then resumed");
        var rig = TaktRig.Create(Path.Combine(root, "crash"), 2, days);
        var (before, lost, resumedTasks) = rig.KillHalfwayAndResume(tasks / 2);
        if (lost != 0) Failures.Add($"resume re-ran {lost} tasks that had committed before the kill");
        using (var ws = rig.Open())
            if (new BuildService(ws).Plan([]).Tasks.Count != 0) Failures.Add("work left after resuming");
        Console.WriteLine("| committed before the kill | tasks the resume ran | work lost (re-run after commit) |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| {before} | {resumedTasks} | {lost} |");
    }

    // helpers -----------------------------------------------------------------------------------------------------

    private sealed record Runs(IReadOnlyList<PeerRun> All)
    {
        public double Median => All.Select(r => r.Seconds).Order().ElementAt(All.Count / 2);
        public bool TimedOut => All.Any(r => r.TimedOut);
    }

    private static Runs Repeat(int times, Func<PeerRun> run)
    {
        var runs = new List<PeerRun>();
        for (var i = 0; i < times; i++)
        {
            var r = run();
            runs.Add(r);
            if (r.TimedOut) break;
        }
        return new Runs(runs);
    }

    private static string Show(Runs? runs) => runs is null ? "missing"
        : runs.TimedOut ? $"> {Cap.TotalSeconds:0}"
        : $"{runs.Median:0.000} ({runs.All.Min(r => r.Seconds):0.000}..{runs.All.Max(r => r.Seconds):0.000})";

    private static string Ratio(Runs? peer, Measure takt) => peer is null ? "-" : peer.TimedOut ? $"> {Cap.TotalSeconds / takt.Median:0}" : $"{peer.Median / takt.Median:0.0}";

    /// <summary>Boxes of every transform downstream of some source boxes, through the mappings (Takt's impact computation).</summary>
    private static long ExpectedDownstream(Factory factory, string source, BoxRange boxes, int days)
    {
        var extent = new BoxRange(Options.FirstBox, Options.FirstBox + days - 1);
        var affected = new Dictionary<string, BoxSet> { [source] = BoxSet.Of(boxes) };
        long total = 0;
        foreach (var d in factory.Datasets.Where(d => !d.IsSource))
        {
            var reads = d.Inputs.Where(i => affected.ContainsKey(i.Dataset))
                .Aggregate(BoxSet.Empty, (all, i) => all.Union(i.Mapping.ReadersOf(affected[i.Dataset], Grain.Daily, Grain.Daily, extent)))
                .Intersect(extent);
            if (reads.IsEmpty) continue;
            affected[d.Name] = reads;
            total += reads.Count;
        }
        return total;
    }

    private static string DuckDbVersion()
    {
        using var pool = new Takt.Engine.DuckDbPool();
        using var lease = pool.Rent();
        return lease.Session.Scalar<string>("SELECT version()") ?? "?";
    }
}
