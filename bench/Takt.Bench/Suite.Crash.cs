using System.Diagnostics;
using Takt.Building;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Bench;

internal static partial class Suite
{
    // 6. Crash and resume -----------------------------------------------------------------------------------------

    private static void CrashAndResume(string root)
    {
        const int steps = 3;
        var days = _o.Quick ? 100 : 250;
        var tasks = (steps + 1) * days;
        var rig = TaktRig.Create(Path.Combine(root, "crash"), BenchFactory.Chain, steps, days);
        using (rig.Open()) { } // create the ledger, so that this process can watch it

        var info = rig.CliStartInfo("build", "--no-publish", "--json");
        using var child = Process.Start(info) ?? throw new BenchFailure("could not start the build");
        child.OutputDataReceived += (_, _) => { };
        child.ErrorDataReceived += (_, _) => { };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (LedgerQuery.CommittedVersions(rig.Home) < tasks / 2 && !child.HasExited && clock.Elapsed < Cap) Thread.Sleep(5);
        if (child.HasExited) throw new BenchFailure($"the build exited ({child.ExitCode}) before it could be killed");
        child.Kill(); // SIGKILL
        child.WaitForExit();
        var killedAfter = clock.Elapsed.TotalSeconds;

        var before = LedgerQuery.Pointers(rig.Home);
        var killedRun = LedgerQuery.LatestRun(rig.Home)!;
        var killedTasks = LedgerQuery.Tasks(rig.Home, killedRun);
        var inFlightTasks = killedTasks.Where(t => t.Status == "running" && !before.ContainsKey((t.Dataset, t.Box))).ToList();
        var inFlight = inFlightTasks.Count;

        var resume = rig.Cli(Cap, "build", "--no-publish", "--json");
        if (resume.ExitCode != 0) throw new BenchFailure($"the resumed build failed: {resume.Describe}");
        var resumeRun = LedgerQuery.LatestRun(rig.Home)!;
        var resumed = LedgerQuery.Tasks(rig.Home, resumeRun);
        var built = resumed.Where(t => t.Status == BuildStatus.Built.ToText()).ToList();
        var lost = built.Count(t => before.ContainsKey((t.Dataset, t.Box)));
        var touchedCommitted = resumed.Count(t => before.ContainsKey((t.Dataset, t.Box)));
        var after = LedgerQuery.Pointers(rig.Home);
        var changed = before.Count(p => after.GetValueOrDefault(p.Key) != p.Value);
        using (var ws = rig.Open())
        {
            var left = new BuildService(ws).Plan([]).Tasks.Count;
            if (left != 0) Fail($"crash and resume: {left} tasks left after resuming");
        }
        if (lost != 0) Fail($"crash and resume: the resume re-ran {lost} tasks that had committed before the kill");
        if (changed != 0) Fail($"crash and resume: {changed} versions committed before the kill were replaced");
        if (after.Count != tasks) Fail($"crash and resume: {after.Count} of {tasks} boxes have a version after resuming");
        if (before.Count + built.Count != tasks) Fail($"crash and resume: {before.Count} committed before + {built.Count} built by the resume != {tasks}");

        Line($"\n## 6. Crash and resume: a {tasks:N0}-task build killed halfway (SIGKILL), then resumed\n");
        Line($"The chain factory with {steps} steps over {days} days, ingest included ({days} source boxes + {steps * days} transform boxes), " +
             $"built by the factory's CLI in a child process. The parent watches the ledger and kills the child with SIGKILL once half " +
             "the versions are committed, snapshots the ledger's pointers, then runs `build` again. Work lost = tasks the resume " +
             "recomputed for boxes that had a committed version before the kill (target 0).\n");
        Line("| committed before the kill | in flight at the kill | resume: tasks built | resume: tasks on already-committed boxes | work lost | committed versions replaced | resume wall |");
        Line("|---|---|---|---|---|---|---|");
        Line($"| {before.Count} (killed after {killedAfter:0.0} s) | {inFlight} | {built.Count} | {touchedCommitted} | {lost} | {changed} | {Time(resume.Seconds)} |");
        var slowest = resumed.OrderByDescending(t => t.DurationMs).Take(3).ToList();
        var typical = resumed.Select(t => t.DurationMs).Order().ElementAtOrDefault(resumed.Count / 2);
        Line($"\nSlowest tasks of the resume: {string.Join(", ", slowest.Select(t => $"{t.Dataset}@{TaktRig.Day(t.Box)} {t.DurationMs / 1000.0:0.0} s"))} " +
             $"(median task {typical} ms); in flight at the kill: {string.Join(", ", inFlightTasks.Select(t => $"{t.Dataset}@{TaktRig.Day(t.Box)}"))}. The resume takes the " +
             "killed build's leases over at once, since its process is gone from this host (a build on another host would have to wait for them to expire).");
        Summary.Add([$"6. crash and resume, {tasks:N0} tasks: work lost", $"{lost}", "-", "", "0", lost == 0 ? "yes" : "NO"]);
    }
}
