using System.Diagnostics;
using System.Globalization;
using Takt.Boxes;
using Takt.Building;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Bench;

internal static partial class Suite
{
    // 2. Incremental recompute ------------------------------------------------------------------------------------

    private static void Incremental(string root)
    {
        var (datasets, days) = _o.Quick ? (10, 60) : (20, 365);
        var home = Path.Combine(root, "incremental");
        var rig = TaktRig.Create(Path.Combine(home, "takt"), BenchFactory.Synthetic, datasets, days);
        Console.WriteLine($"[2] building {datasets} x {days} ({(long)datasets * days:N0} tasks) for the incremental bench ...");
        var setup = Stopwatch.StartNew();
        var first = rig.Build();
        var firstBuilt = first.Tasks.Count(t => t.Outcome.Status == BuildStatus.Built);
        if (firstBuilt != datasets * days || first.Remaining.Tasks.Count != 0)
            throw new BenchFailure($"the set-up build built {firstBuilt} of {datasets * days} boxes ({first.Summary})");
        Console.WriteLine($"[2] set-up build: {firstBuilt} tasks in {setup.Elapsed.TotalSeconds:0.0} s");

        var source = rig.Factory.Datasets.First(d => d.IsSource).Name;
        var middle = rig.FirstBox + days / 2;
        var expected = ExpectedDownstream(rig.Factory, source, new BoxRange(middle, middle + 2), rig.FirstBox, rig.LastBox);
        var expectedTakt = new HashSet<(string, long)>(expected);
        for (var b = middle; b <= middle + 2; b++) expectedTakt.Add((source, b));
        var expectedPeers = expected.Select(e => (e.Dataset.Replace('.', '_'), e.Box)).ToHashSet();

        Line($"\n## 2. Incremental recompute: 3 boxes of a source re-landed mid-range ({datasets} datasets x {days} days)\n");
        Line($"`{source}` boxes {TaktRig.Day(middle)}..{TaktRig.Day(middle + 2)} are invalidated (Takt) or rewritten with new content (make, " +
             "Snakemake; a bare `touch` is not enough for Snakemake 7, which compares the checksums of small inputs); " +
             $"each tool then brings everything up to date. Expected: exactly the {expected.Count} downstream boxes (through same-box, 7-day window " +
             "and fan-in mappings), plus for Takt the 3 source boxes themselves (it re-ingests them; the peers have no ingest step). " +
             "The set of boxes each tool ran is compared with the expected set, not just the count. Peer recipes run `sqlite3` " +
             "(`SELECT 1 AS x`), as Takt's transforms run `SELECT 1 AS x` in DuckDB. Takt in process: `BuildService.Invalidate` (untimed) " +
             "then `Build` (timed). Takt CLI: the `invalidate` process (untimed, like re-landing the files for the peers; its time is given below), then " +
             "the `build` process (timed).\n");
        Line("| tool | tasks run | expected | exact set | wall (median, min..max) | Takt in-process / tool | Takt CLI / tool |");
        Line("|---|---|---|---|---|---|---|");

        var inProcessTimes = new List<double>();
        var inProcessTasks = 0;
        var inProcessExact = true;
        for (var i = 0; i < _o.Many; i++)
        {
            rig.Invalidate(source, middle, middle + 2);
            var clock = Stopwatch.StartNew();
            var result = rig.Build();
            inProcessTimes.Add(clock.Elapsed.TotalSeconds);
            var ran = result.Tasks.Where(t => t.Outcome.Status == BuildStatus.Built).Select(t => (t.Dataset, GrainMath.Parse(Grain.Daily, t.BoxKey))).ToList();
            inProcessTasks = ran.Count;
            inProcessExact &= ran.Count == expectedTakt.Count && ran.ToHashSet().SetEquals(expectedTakt);
            if (result.Tasks.Count != ran.Count || result.Remaining.Tasks.Count != 0) Fail($"Takt incremental build: {result.Summary}, {result.Remaining.Tasks.Count} tasks left");
        }
        if (!inProcessExact) Fail($"Takt (in process) did not run exactly the expected {expectedTakt.Count} boxes (ran {inProcessTasks})");
        var inProcess = new Measure(inProcessTimes);

        var cliTimes = new List<double>();
        var invalidateTimes = new List<double>();
        var cliTasks = 0;
        var cliExact = true;
        for (var i = 0; i < _o.Many; i++)
        {
            var invalidate = rig.Cli(Cap, "invalidate", source, "--from", TaktRig.Day(middle), "--to", TaktRig.Day(middle + 2), "--reason", "bench");
            var build = rig.Cli(Cap, "build", "--no-publish", "--json");
            if (invalidate.ExitCode != 0 || build.ExitCode != 0) { Fail($"Takt CLI incremental: invalidate {invalidate.Describe}; build {build.Describe}"); break; }
            cliTimes.Add(build.Seconds);
            invalidateTimes.Add(invalidate.Seconds);
            var ran = LedgerQuery.Tasks(rig.Home, LedgerQuery.LatestRun(rig.Home)!).Where(t => t.Status == BuildStatus.Built.ToText()).Select(t => (t.Dataset, t.Box)).ToList();
            cliTasks = ran.Count;
            cliExact &= ran.Count == expectedTakt.Count && ran.ToHashSet().SetEquals(expectedTakt);
        }
        if (!cliExact) Fail($"Takt (CLI) did not run exactly the expected {expectedTakt.Count} boxes (ran {cliTasks})");
        var cli = cliTimes.Count > 0 ? new Measure(cliTimes) : null;
        var invalidateNote = invalidateTimes.Count > 0 ? $"The `invalidate` process itself took {Show(new Measure(invalidateTimes))}." : "";
        Line($"| Takt in process | {inProcessTasks} | {expectedTakt.Count} | {YesNo(inProcessExact)} | {Show(inProcess)} | 1 | |");
        Line($"| Takt CLI (`build` process) | {cliTasks} | {expectedTakt.Count} | {YesNo(cliExact)} | {Show(cli)} | | 1 |");

        var peers = new PeerWorkflow(rig.Factory, Path.Combine(home, "peers"), rig.FirstBox, days);
        peers.MaterializeUpToDate();
        var cores = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        var rows = new List<(string Name, PeerRuns? Runs)>();
        foreach (var (name, tool, args, repeat) in new[]
        {
            ($"make -j{cores}", Tools.Make, new[] { "-j", cores, "-f", peers.WriteMakefile(PeerWork.SelectOne), "all" }, _o.Many),
            ($"Snakemake --cores {cores}", Tools.Snakemake, new[] { "--cores", cores, "--quiet", "-s", peers.WriteSnakefile(PeerWork.SelectOne), "all" }, _o.Few),
        })
        {
            if (tool is null) { Line($"| {name} | missing | | | | | |"); rows.Add((name, null)); continue; }
            var exact = true;
            var ranCount = 0;
            var runs = RepeatPeer(repeat, () =>
            {
                for (var b = middle; b <= middle + 2; b++) peers.Reland(source, b);
                var run = peers.Run(tool, args, Cap);
                var ran = File.Exists(peers.Log) ? File.ReadAllLines(peers.Log).Select(ParseTarget).ToList() : [];
                ranCount = ran.Count;
                exact &= run.ExitCode == 0 && ran.Count == expectedPeers.Count && ran.ToHashSet().SetEquals(expectedPeers);
                return run;
            });
            if (!exact) Fail($"{name} did not run exactly the expected {expectedPeers.Count} boxes (ran {ranCount}): {Tail(runs.All[^1].Output)}");
            Line($"| {name} | {ranCount} | {expectedPeers.Count} | {YesNo(exact)} | {Show(runs)} | {Ratio(inProcess, runs)} | {Ratio(cli, runs)} |");
            rows.Add((name, runs));
        }
        if (invalidateNote.Length > 0) Line($"\n{invalidateNote}");
        foreach (var (name, runs) in rows)
        {
            var make = name.StartsWith("make", StringComparison.Ordinal);
            var fastEnough = !make || (cli is not null && runs is not null && cli.Median <= runs.Median && inProcess.Median <= 0.8 * runs.Median);
            Summary.Add([$"2. incremental, 3 source boxes ({expectedTakt.Count} Takt tasks), wall", $"CLI {Time(cli?.Median)}, in process {Time(inProcess.Median)}",
                $"{name} {Show(runs, brief: true)}", $"CLI {Ratio(cli, runs)}; in process {Ratio(inProcess, runs)}",
                make ? "exactly the expected boxes; CLI <= 1, in process <= 0.8 (issue 17)" : "exactly the expected boxes",
                YesNo(fastEnough && cliExact && inProcessExact && !Failures.Any(f => f.StartsWith(name, StringComparison.Ordinal)))]);
        }
    }

    private static (string, long) ParseTarget(string line)
    {
        var parts = line.Trim().Split('/');
        return (parts[^2], long.Parse(parts[^1], CultureInfo.InvariantCulture));
    }

    /// <summary>Boxes of every transform downstream of some source boxes, through the mappings (Takt's impact computation).</summary>
    private static List<(string Dataset, long Box)> ExpectedDownstream(Factory factory, string source, BoxRange boxes, long first, long last)
    {
        var extent = new BoxRange(first, last);
        var affected = new Dictionary<string, BoxSet> { [source] = BoxSet.Of(boxes) };
        var result = new List<(string, long)>();
        foreach (var d in factory.Datasets.Where(d => !d.IsSource))
        {
            var reads = d.Inputs.Where(i => affected.ContainsKey(i.Dataset))
                .Aggregate(BoxSet.Empty, (all, i) => all.Union(i.Mapping.ReadersOf(affected[i.Dataset], Grain.Daily, Grain.Daily, extent)))
                .Intersect(BoxSet.Of(extent));
            if (reads.IsEmpty) continue;
            affected[d.Name] = reads;
            result.AddRange(reads.Select(b => (d.Name, b)));
        }
        return result;
    }
}
