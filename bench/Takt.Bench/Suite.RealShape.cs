using System.Globalization;
using Takt.Boxes;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Bench;

internal static partial class Suite
{
    // 7. Real shape -----------------------------------------------------------------------------------------------

    private static void RealShapeBenchmark(string root)
    {
        var rows = _o.Rows ?? (_o.Quick ? 50_000 : 3_000_000);
        var formats = _o.Formats.Count > 0 ? _o.Formats : [RealShapeFormat.Parquet, RealShapeFormat.Csv, RealShapeFormat.JsonLines];
        var rounds = _o.Few;
        var lateRows = RealShape.LateRows(rows);
        Line($"\n## 7. Real shape: {rows:N0} trips over {RealShape.Days} days in one landing file, split into daily boxes, joined, aggregated per day and over 7 days\n");
        Line($"One landing file `{RealShape.MainFile(RealShapeFormat.Parquet)}` (and a CSV and a JSON lines variant) of generated trips: " +
             "trip_id, pickup_at (timestamp), rider_id, zone_id, payment (4 values), fare and tip (DECIMAL(10,2)); trips per day follow a " +
             "weekly cycle, a growth trend, spike and quiet days (min..max per day below); riders and zones are skewed. A zone table of " +
             $"{RealShape.Zones} rows (Parquet, unpartitioned source). The Takt factory: `{RealShape.Trips}` split into daily boxes by `pickup_at` " +
             $"at ingest (`FromLandingSplitBy`), `{RealShape.Daily}` (the day's trips joined with the zones, per borough and payment: trips, " +
             $"distinct riders, fare, tips) and `{RealShape.Weekly}` (`Window(7)` over the trips, per borough; both label their rows with " +
             "`getvariable('box_start')`). Takt: the factory's CLI in a fresh process, `build` into a fresh home (full), then `build` again " +
             $"after a late file of {lateRows:N0} rows for {RealShape.LateDays} days ({RealShape.Day(RealShape.LateFirstOffset)}.." +
             $"{RealShape.Day(RealShape.LateFirstOffset + RealShape.LateDays - 1)}) lands beside the first (late). Bare DuckDB: the same " +
             "job written by hand, set-based, in a fresh process (DuckDB.NET in memory, default threads): full = the file split into a " +
             "Parquet folder per day (`PARTITION_BY`), the daily and the 7-day aggregate each to a Parquet file; late = the late rows " +
             "appended to the split of their days, the daily aggregate of those days and the 7-day aggregate of the 9 days whose " +
             "window holds one of them. Both write zstd Parquet. Wall times are whole processes (runtime start included; bare's time " +
             "inside DuckDB is given too); peak memory is each process's VmHWM. After every run, Takt's tables and bare's are compared " +
             "by content (row count and an order-insensitive sum of row hashes per table, in DuckDB); the late build must run exactly " +
             $"the {RealShape.LateDays} source boxes, their daily boxes and the 7-day boxes whose window holds them. Rounds alternate " +
             $"Takt and bare; {rounds} round(s) per format. Load average before the runs: {LoadAverage()}.\n");
        Line("| format | file | run | Takt CLI (median, min..max) | bare DuckDB process | bare inside DuckDB | Takt / bare | target | Takt peak RSS | bare peak RSS | Takt / bare RSS | same rows |");
        Line("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var format in formats)
        {
            try { RealShapeFormatRuns(root, format, rows, rounds); }
            catch (BenchFailure e) { Fail($"real shape ({format}): {e.Message}"); }
        }
        Line($"\nLoad average after the runs: {LoadAverage()}.");
        foreach (var note in RealShapeNotes) Line($"\n{note}");
    }

    private static readonly List<string> RealShapeNotes = [];

    private static void RealShapeFormatRuns(string root, RealShapeFormat format, long rows, int rounds)
    {
        var dir = Path.Combine(root, $"real-{format.ToString().ToLowerInvariant()}");
        var landing = Path.Combine(dir, "landing");
        var lateFolder = Path.Combine(dir, "late");
        Console.WriteLine($"[7] {format}: generating {rows:N0} rows ...");
        RealShape.Generate(landing, lateFolder, format, rows);
        var mainFile = Path.Combine(landing, RealShape.MainFile(format));
        var lateStaged = Path.Combine(lateFolder, RealShape.LateFile(format));
        var lateLanded = Path.Combine(landing, RealShape.LateFile(format));
        var kind = format switch
        {
            RealShapeFormat.Parquet => BenchFactory.RealShapeParquet,
            RealShapeFormat.Csv => BenchFactory.RealShapeCsv,
            _ => BenchFactory.RealShapeJsonLines,
        };
        var perDay = RealShapeCheck.RowsPerDay(mainFile, format);
        var lateDays = Enumerable.Range(RealShape.LateFirstOffset, RealShape.LateDays).Select(o => (long)RealShape.FirstDay.AddDays(o).DayNumber).ToList();

        var takt = (Full: new List<ChildRun>(), Late: new List<ChildRun>());
        var bare = (Full: new List<ChildRun>(), Late: new List<ChildRun>());
        var same = (Full: true, Late: true);
        var exact = true;
        string? profileHome = null;
        for (var round = 0; round < rounds; round++)
        {
            var home = Path.Combine(dir, $"takt-{round}");
            var output = Path.Combine(dir, $"bare-{round}");
            string[] Cli(params string[] verb) => FactoryCli.Arguments(kind, home, 0, ["--home", home, "--landing", landing, .. verb]);

            var full = ChildProcess.Run(Cli("build", "--no-publish", "--json"), Cap);
            if (full.ExitCode != 0) throw new BenchFailure($"Takt's full build: {full.Describe}");
            takt.Full.Add(full);
            var fullBuilt = LedgerQuery.Tasks(home, LedgerQuery.LatestRun(home)!).Count(t => t.Status == BuildStatus.Built.ToText());
            if (fullBuilt != 1 + 3 * RealShape.Days) throw new BenchFailure($"Takt's full build built {fullBuilt} boxes, expected {1 + 3 * RealShape.Days}");

            var bareFull = ChildProcess.Run(RealShapeBare.Arguments("full", format, landing, lateStaged, output), Cap);
            if (bareFull.ExitCode != 0) throw new BenchFailure($"bare DuckDB's full job: {bareFull.Describe}");
            bare.Full.Add(bareFull);
            same.Full &= RealShapeCheck.Same($"{format} full build, round {round + 1}", kind, home, output, late: false, Fail);

            File.Move(lateStaged, lateLanded);
            try
            {
                var late = ChildProcess.Run(Cli("build", "--no-publish", "--json"), Cap);
                if (late.ExitCode != 0) throw new BenchFailure($"Takt's late-file build: {late.Describe}");
                takt.Late.Add(late);
                var ran = LedgerQuery.Tasks(home, LedgerQuery.LatestRun(home)!).Where(t => t.Status == BuildStatus.Built.ToText()).Select(t => (t.Dataset, t.Box)).ToHashSet();
                var expected = RealShapeCheck.ExpectedLate(lateDays, perDay.Keys.Max());
                if (!ran.SetEquals(expected))
                {
                    exact = false;
                    Fail($"real shape ({format}): the late build ran {ran.Count} boxes, expected exactly {expected.Count}: " +
                         $"extra {string.Join(", ", ran.Except(expected).Take(5))}; missing {string.Join(", ", expected.Except(ran).Take(5))}");
                }
                var bareLate = ChildProcess.Run(RealShapeBare.Arguments("late", format, landing, lateLanded, output), Cap);
                if (bareLate.ExitCode != 0) throw new BenchFailure($"bare DuckDB's late recompute: {bareLate.Describe}");
                bare.Late.Add(bareLate);
                same.Late &= RealShapeCheck.Same($"{format} late file, round {round + 1}", kind, home, output, late: true, Fail);
            }
            finally { File.Move(lateLanded, lateStaged); }

            if (round == rounds - 1) profileHome = home;
            else if (!_o.Keep) { Directory.Delete(home, recursive: true); Directory.Delete(output, recursive: true); }
        }

        var file = $"{new FileInfo(mainFile).Length / 1048576.0:0.0} MB, {perDay.Values.Min():N0}..{perDay.Values.Max():N0} trips/day";
        var label = format switch { RealShapeFormat.Parquet => "Parquet", RealShapeFormat.Csv => "CSV", _ => "JSON lines" };
        foreach (var (run, t, b, ok, target, ramTarget) in new[]
        {
            ("full build", takt.Full, bare.Full, same.Full, 1.5, 1.5),
            ($"late file ({RealShape.LateDays} days)", takt.Late, bare.Late, same.Late && exact, 2.0, 1.5),
        })
        {
            var tm = new Measure(t.Select(r => r.Seconds).ToArray());
            var bm = new Measure(b.Select(r => r.Seconds).ToArray());
            var inside = new Measure(b.Select(r => RealShapeBare.ParseElapsed(r.Stderr) ?? double.NaN).ToArray());
            var ratio = tm.Median / bm.Median;
            var taktRss = Median(t.Select(r => (double)(r.PeakRssBytes ?? 0)));
            var bareRss = Median(b.Select(r => (double)(r.PeakRssBytes ?? 0)));
            var rssRatio = taktRss / bareRss;
            Line($"| {label} | {file} | {run} | {Show(tm)} | {Show(bm)} | {Show(inside)} | {ratio:0.00} | <= {target:0.0} {(ratio <= target ? "met" : "**missed**")} | " +
                 $"{Mb((long)taktRss)} | {Mb((long)bareRss)} | {rssRatio:0.00} (<= {ramTarget:0.0} {(rssRatio <= ramTarget ? "met" : "**missed**")}) | {YesNo(ok)} |");
            var sized = rows == 3_000_000 ? "" : " (target is for 3,000,000 rows)";
            Summary.Add([$"7. real shape, {rows:N0} rows, {label}, {run}", Time(tm.Median), $"bare DuckDB {Time(bm.Median)}", $"{ratio:0.00}",
                $"<= {target:0.0}{sized}", YesNo(ratio <= target && ok)]);
            Summary.Add([$"7. real shape, {rows:N0} rows, {label}, {run}, peak RSS", Mb((long)taktRss), $"bare DuckDB {Mb((long)bareRss)}", $"{rssRatio:0.00}",
                $"<= {ramTarget:0.0}{sized}", YesNo(rssRatio <= ramTarget)]);
        }
        if (profileHome is not null) RealShapeNotes.Add($"Where Takt's time went ({label}, last round): " + RealShapeCheck.Profile(profileHome));
        RealShapeNotes.Add($"Bare DuckDB's statements ({label}, median over rounds): full build: {BarePhases(bare.Full)}; late file: {BarePhases(bare.Late)}.");
    }

    private static string BarePhases(IEnumerable<ChildRun> runs) =>
        string.Join(", ", runs.SelectMany(r => RealShapeBare.ParsePhases(r.Stderr)).GroupBy(p => p.Phase)
            .Select(g => $"{g.Key} {Time(Median(g.Select(p => p.Seconds)))}"));

    private static double Median(IEnumerable<double> values) => new Measure(values.ToArray()).Median;

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + " (1, 5, 15 min)" : "?";
}
