namespace Takt.Bench;

internal static partial class Suite
{
    private static void Memory()
    {
        Line("\n## 5. Memory: peak resident set (VmHWM)\n");
        Line("Takt: a fresh CLI process of the factory program (the bench binary's `factory-cli` sub-command, `TaktCli.Run`), " +
             "VmHWM read from /proc/self/status at exit. Peers: `/usr/bin/time -f %M`.\n");
        Line("| process | peak RSS |");
        Line("|---|---|");
        foreach (var ((d, b), peak) in PlanPeakRss.OrderBy(p => (long)p.Key.Item1 * p.Key.Item2))
        {
            Line($"| Takt `plan` no-op, {d} x {b:N0} | {Mb(peak)} |");
            if (PlanPeers.TryGetValue((d, b), out var peers))
            {
                Line($"| make -q, {d} x {b:N0} | {PeerRss(peers.Make)} |");
                Line($"| snakemake -n, {d} x {b:N0} | {PeerRss(peers.Snake)} |");
            }
        }
        if (_heavyPeak > 0) Line($"| Takt `build` of the heavy box ({_heavyRows:N0} rows) | {Mb(_heavyPeak)} |");
        if (PlanPeakRss.Count > 0)
        {
            var largest = PlanPeakRss.OrderBy(p => (long)p.Key.Item1 * p.Key.Item2).Last();
            Summary.Add([$"5. peak RSS, no-op plan {largest.Key.Item1} x {largest.Key.Item2:N0}", Mb(largest.Value),
                PlanPeers.TryGetValue(largest.Key, out var p) ? $"snakemake -n {PeerRss(p.Snake)}" : "-", "", "(reported)", ""]);
        }
        if (_heavyPeak > 0) Summary.Add([$"5. peak RSS, heavy box build", Mb(_heavyPeak), "-", "", "(reported)", ""]);
    }

    private static string PeerRss(PeerRuns? runs) => runs is null ? "missing"
        : runs.All.Max(r => r.PeakRssBytes) is var peak and > 0 ? Mb(peak) + (runs.TimedOut ? " (killed at the cap)" : "")
        : runs.TimedOut ? "? (killed at the cap)" : "?";
}
