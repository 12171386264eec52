using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Ledger.Sqlite;
using Takt.Planning;

namespace Takt.Bench;

public sealed record PlanTiming(double Ms, long AllocatedBytes);

public sealed record PlanResult(
    PlanTiming Cold,
    IReadOnlyList<PlanTiming> Warm,
    PlanTiming ColdAgain,
    int Stamps,
    long PeakWorkingSetBytes,
    IReadOnlyList<CallStats> ColdLedgerCalls,
    IReadOnlyList<CallStats> WarmLedgerCalls,
    string SqliteVersion);

/// <summary>Thrown when a plan over a fully built ledger is not empty: the bench's numbers would be meaningless.</summary>
internal sealed class BenchFailure(string message) : Exception(message);

/// <summary>Times <see cref="Planner.Create"/> over a filled ledger: one cold plan (no stamps), then, with the stamps it found recorded as a build records them, warm plans.</summary>
internal static class PlanBench
{
    public static PlanResult Run(Factory factory, string ledgerPath, long firstBox, int days, int repeat, Action<string> log)
    {
        var expectedExtent = new BoxRange(firstBox, firstBox + days - 1);
        using var ledger = new SqliteLedger(ledgerPath);
        if (CountStamps(ledgerPath) != 0) throw new BenchFailure("The ledger already has freshness stamps; the cold plan would not be cold.");

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Plan? coldPlan = null;
        var cold = Time(() => coldPlan = new Planner(factory, ledger).Create(LedgerFill.Env, [], null, null), factory, expectedExtent, "cold");
        log($"  cold plan: {cold.Ms:N1} ms");
        ledger.SetStamps(LedgerFill.Env, coldPlan!.Stamps); // planning writes nothing; a build records the stamps its plan found
        var stamps = CountStamps(ledgerPath);
        if (stamps != factory.Datasets.Count)
            throw new BenchFailure($"After recording the cold plan's stamps the ledger holds {stamps} freshness stamps, expected one per dataset ({factory.Datasets.Count}); warm plans would take the slow path.");

        var warm = new List<PlanTiming>();
        for (var i = 0; i < repeat; i++)
        {
            var t = Time(() => new Planner(factory, ledger).Create(LedgerFill.Env, [], null, null), factory, expectedExtent, $"warm #{i + 1}");
            warm.Add(t);
            log($"  warm plan #{i + 1}: {t.Ms:N1} ms");
        }

        // Breakdown, after the timed runs: the same cold and warm plans through a ledger that counts its calls.
        var (counted, timing) = TimingLedger.Wrap(ledger);
        ClearStamps(ledgerPath);
        var coldAgain = Time(() => coldPlan = new Planner(factory, counted).Create(LedgerFill.Env, [], null, null), factory, expectedExtent, "cold (again)");
        ledger.SetStamps(LedgerFill.Env, coldPlan.Stamps);
        var coldCalls = timing.Stats;
        log($"  cold plan again (JIT warm, stamps cleared): {coldAgain.Ms:N1} ms, of which ledger calls {timing.TotalMs:N1} ms");
        timing.Reset();
        var warmAgain = Time(() => new Planner(factory, counted).Create(LedgerFill.Env, [], null, null), factory, expectedExtent, "warm (counted)");
        var warmCalls = timing.Stats;
        log($"  warm plan (counted): {warmAgain.Ms:N1} ms, of which ledger calls {timing.TotalMs:N1} ms");
        if (warmCalls.Any(c => c.Method == nameof(ILedger.Boxes)))
            throw new BenchFailure("A warm plan read boxes: some freshness stamp did not hold.");

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new PlanResult(cold, warm, coldAgain, stamps, process.PeakWorkingSet64, coldCalls, warmCalls, SqliteVersion(ledgerPath));
    }

    private static PlanTiming Time(Func<Plan> plan, Factory factory, BoxRange extent, string what)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var result = plan();
        clock.Stop();
        var timing = new PlanTiming(clock.Elapsed.TotalMilliseconds, GC.GetAllocatedBytesForCurrentThread() - allocated);
        Verify(result, factory, extent, what);
        return timing;
    }

    /// <summary>Fails loudly unless the plan is a no-op: no task, nothing held, every box of every dataset fresh.</summary>
    private static void Verify(Plan plan, Factory factory, BoxRange extent, string what)
    {
        var problems = new List<string>();
        if (plan.Tasks.Count > 0)
        {
            problems.Add($"{plan.Tasks.Count} task(s) planned, expected none; first ones:");
            problems.AddRange(plan.Tasks.Take(8).Select(t => $"    {t.Dataset}@{t.BoxKey}: {t.Reason}"));
            problems.AddRange(plan.Tasks.GroupBy(t => t.Reason).OrderByDescending(g => g.Count()).Take(5).Select(g => $"    reason '{g.Key}': {g.Count()} task(s)"));
        }
        if (plan.Datasets.Count != factory.Datasets.Count) problems.Add($"{plan.Datasets.Count} datasets in the plan, expected {factory.Datasets.Count}.");
        foreach (var d in plan.Datasets)
        {
            if (d.Extent != extent) problems.Add($"{d.Dataset}: extent {d.Extent}, expected {extent}.");
            if (d.Fresh != extent.Count) problems.Add($"{d.Dataset}: {d.Fresh} fresh boxes, expected {extent.Count}.");
            if (!d.Planned.IsEmpty || !d.Quarantined.IsEmpty || d.Blocked.Count > 0 || d.Waiting.Count > 0)
                problems.Add($"{d.Dataset}: planned {d.Planned}, quarantined {d.Quarantined}, {d.Blocked.Count} blocked, {d.Waiting.Count} waiting.");
        }
        if (problems.Count > 0)
            throw new BenchFailure($"The {what} plan over a fully built ledger is not a no-op:\n  " + string.Join("\n  ", problems.Take(40)));
    }

    private static SqliteConnection Open(string ledgerPath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = ledgerPath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static int CountStamps(string ledgerPath)
    {
        using var connection = Open(ledgerPath);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM stamps WHERE env = $env";
        cmd.Parameters.AddWithValue("$env", LedgerFill.Env);
        return Convert.ToInt32(cmd.ExecuteScalar());
    }

    private static void ClearStamps(string ledgerPath)
    {
        using var connection = Open(ledgerPath);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout = 60000; DELETE FROM stamps";
        cmd.ExecuteNonQuery();
    }

    private static string SqliteVersion(string ledgerPath)
    {
        using var connection = Open(ledgerPath);
        return connection.ServerVersion;
    }
}
