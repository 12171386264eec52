using Takt.Building;

namespace Takt.Bench;

internal static partial class Suite
{
    // 4. Heavy box ------------------------------------------------------------------------------------------------

    private static long _heavyPeak;
    private static int _heavyRows;

    /// <summary>
    /// Pairs of one Takt build and one bare run. Each takes 0.1-0.3 s on an idle machine, and the spread between runs
    /// (0.12-0.24 s) is larger than the difference the target allows (10%): five pairs cannot tell 1.05 from 1.2.
    /// </summary>
    private static int HeavyPairs => _o.Repeat ?? (_o.Quick ? 2 : 15);

    private static void HeavyBox(string root)
    {
        var rows = _o.Quick ? 1_000_000 : 10_000_000;
        _heavyRows = rows;
        Console.WriteLine($"[4] generating {rows:N0} rows and ingesting them ...");
        var heavy = HeavyRig.Create(Path.Combine(root, "heavy"), rows);
        Line($"\n## 4. Heavy box: GROUP BY + join over {rows:N0} rows to Parquet\n");
        Line("`mart.heavy` joins `raw.events` (the generated rows: k, g, v) with `raw.dims` (1,000 rows) and groups by segment " +
             "(37 groups), written as zstd Parquet. Takt: invalidate the box (untimed), then `BuildService.Build([\"mart.heavy\"])` " +
             "(planning, task rows, recipe, lease, views, COPY, row count and schema of the result, fsync, promote, commit; no checks " +
             "declared). Bare: a fresh DuckDB.NET in-memory connection, two views over the same input files, the same " +
             $"`COPY (query) TO ... (FORMAT parquet, COMPRESSION zstd)`. {HeavyPairs} pairs alternate Takt, bare, Takt, bare ... in one " +
             "process after one untimed run of each; CPU is the whole process's (all threads, DuckDB's included) during each run. " +
             "Takt / bare is the ratio of the medians; beside it the median and range of the ratios within each pair, which " +
             "drift of the machine's load between pairs does not move.\n");
        heavy.BareOnce();
        heavy.BuildOnce();
        var takt = new List<(double Seconds, double Cpu)>();
        var bare = new List<(double Seconds, double Cpu)>();
        string version = "";
        for (var i = 0; i < HeavyPairs; i++)
        {
            var t = heavy.BuildOnce();
            var b = heavy.BareOnce();
            takt.Add((t.Seconds, t.CpuSeconds));
            bare.Add((b.Seconds, b.CpuSeconds));
            version = t.VersionId;
            if (t.Rows != b.Rows) Fail($"heavy box: Takt wrote {t.Rows} rows, bare DuckDB {b.Rows}");
        }
        if (!heavy.SameRowsAsBare(version)) Fail("heavy box: Takt's version differs from bare DuckDB's result");
        var taktM = new Measure(takt.Select(r => r.Seconds).ToArray());
        var bareM = new Measure(bare.Select(r => r.Seconds).ToArray());
        var taktCpu = new Measure(takt.Select(r => r.Cpu).ToArray());
        var bareCpu = new Measure(bare.Select(r => r.Cpu).ToArray());
        var paired = new Measure(takt.Zip(bare, (t, b) => t.Seconds / b.Seconds).ToArray());
        var ratio = taktM.Median / bareM.Median;

        // A fresh CLI process building the box: its wall time and peak RSS (benchmark 5).
        using (var ws = heavy.Open()) new BuildService(ws).Invalidate("mart.heavy", HeavyRig.Day, HeavyRig.Day, "bench");
        var cli = ChildProcess.Run(FactoryCli.Arguments(BenchFactory.Heavy, heavy.Home, 0, ["--home", heavy.Home, "build", "mart.heavy", "--no-ingest", "--no-publish", "--json"]), Cap);
        if (cli.ExitCode != 0) Fail($"heavy box CLI build: {cli.Describe}");
        _heavyPeak = cli.PeakRssBytes ?? 0;

        Line("| run | wall (median, min..max) | CPU (median, min..max) | Takt / bare (medians) | Takt / bare within pairs (median, min..max) |");
        Line("|---|---|---|---|---|");
        Line($"| Takt `BuildService.Build` of the box | {Show(taktM)} | {Show(taktCpu)} | {ratio:0.00} | {paired.Median:0.00} ({paired.Min:0.00}..{paired.Max:0.00}, n={paired.Seconds.Count}) |");
        Line($"| bare DuckDB.NET `COPY` | {Show(bareM)} | {Show(bareCpu)} | 1 | 1 |");
        Line($"| Takt CLI `build mart.heavy` process, once (incl. runtime start) | {Time(cli.Seconds)} | | {cli.Seconds / bareM.Median:0.00} | |");
        Line($"\nSame result as bare DuckDB's (same 37 groups and counts; sums and means equal to 1e-9 relative): {YesNo(Failures.All(f => !f.StartsWith("heavy box:", StringComparison.Ordinal)))}.");
        Summary.Add([$"4. heavy box, {rows:N0} rows, Takt / bare DuckDB", Time(taktM.Median), $"bare {Time(bareM.Median)}",
            $"{ratio:0.00} (within pairs {paired.Median:0.00})", "<= 1.10", ratio <= 1.10 ? "yes" : "NO"]);
    }
}
