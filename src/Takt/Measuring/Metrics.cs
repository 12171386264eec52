using System.Globalization;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Measuring;

/// <summary>Errors, time and deploys of one owner in one ISO week.</summary>
public sealed record WeekMetrics(
    string Week, string Owner, int DataQualityBlocking, int DataQualityWarnings, int ProcessingErrors, int TimelinessErrors,
    long RecomputeMs, long NewBuildMs, int Deploys);

public sealed record LayerInventory(string Layer, int Datasets, long Versions, long Rows, long Bytes);

public sealed record CodeInventory(int Sources, int SqlTransforms, int CSharpTransforms, int SqlLines, IReadOnlyDictionary<string, int> ChecksPerDataset);

/// <summary>The DataOps measures of a factory: error rates by kind, recovery and cycle times, deploys and inventory.</summary>
public sealed record FactoryMetrics(
    DateOnly Since,
    IReadOnlyList<WeekMetrics> Weeks,
    double? MeanTimeToRecoverMinutes,
    int Recoveries,
    int OpenStops,
    double? MeanCycleTimeHours,
    int CycleTimeSamples,
    double DeploysPerWeek,
    IReadOnlyList<LayerInventory> Data,
    CodeInventory Code);

/// <summary>Computes <see cref="FactoryMetrics"/> from the ledger and the definitions; nothing is stored twice.</summary>
public static class MetricsCalculator
{
    public static FactoryMetrics Compute(Workspace ws, DateOnly since)
    {
        var factory = ws.Factory;
        var ledger = ws.Ledger;
        var sinceMs = new DateTimeOffset(since.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
        var ownerOf = (string dataset) => factory.Contains(dataset) ? factory[dataset].Owner : "(removed)";
        var rows = new Dictionary<(string Week, string Owner), Counter>();
        Counter At(long ms, string dataset)
        {
            var key = (WeekOf(ms), ownerOf(dataset));
            return rows.TryGetValue(key, out var c) ? c : rows[key] = new Counter();
        }

        foreach (var failure in ledger.CheckFailuresSince(sinceMs))
        {
            var counter = At(failure.AtMs, failure.Dataset);
            if (failure.Severity == "block") counter.Blocking++; else counter.Warnings++;
        }

        var tasks = ledger.TasksSince(sinceMs);
        foreach (var task in tasks)
        {
            var counter = At(task.StartedAtMs, task.Dataset);
            if (task.Status == BuildStatus.Failed) counter.Processing++;
            if (task.Status != BuildStatus.Built) continue;
            if (IsNewWork(task.Reason)) counter.NewBuildMs += task.DurationMs; else counter.RecomputeMs += task.DurationMs;
        }

        var versions = ledger.VersionsSince(0);
        var deploys = ledger.DeploysSince(0);
        var liveSince = deploys.Where(d => d.Env == "prod").GroupBy(d => d.Dataset).ToDictionary(g => g.Key, g => g.Min(d => d.AtMs));
        var late = new HashSet<(string Dataset, long Box)>();
        foreach (var (dataset, box, deadlineMs) in LateBoxes(factory, versions, sinceMs, liveSince))
        {
            late.Add((dataset, box));
            At(deadlineMs, dataset).Timeliness++;
        }
        // Boxes the scheduler saw miss their deadline and that are still not built (or were built late: counted once).
        foreach (var miss in ledger.EventsSince(sinceMs, EventKind.SlaMiss))
        {
            if (miss.Env != ws.Env || miss.Dataset is not { } name || !factory.Contains(name) || miss.BoxKey is null) continue;
            if (GrainMath.TryParse(factory[name].Grain, miss.BoxKey, out var box) && late.Add((name, box))) At(miss.AtMs, name).Timeliness++;
        }

        var prodDeploys = deploys.Where(d => d.Env == "prod" && d.AtMs >= sinceMs).ToList();
        foreach (var deploy in prodDeploys) At(deploy.AtMs, deploy.Dataset).Deploys++;

        var (mttr, recovered, open) = RecoveryTimes(versions.Where(v => v.CreatedAtMs >= sinceMs).ToList(), tasks, ledger.EventsSince(sinceMs, EventKind.Override));
        var cycleTimes = prodDeploys.Where(d => d.PreviousHash is not null)
            .Select(d => d.AtMs - deploys.Where(x => x.Dataset == d.Dataset && x.CodeHash == d.CodeHash).Min(x => x.AtMs))
            .ToList();
        var weeks = Math.Max(1.0, (ws.Clock.GetUtcNow().ToUnixTimeMilliseconds() - sinceMs) / (7 * 24 * 3600_000.0));

        return new FactoryMetrics(
            since,
            rows.OrderBy(r => r.Key.Week, StringComparer.Ordinal).ThenBy(r => r.Key.Owner, StringComparer.Ordinal)
                .Select(r => new WeekMetrics(r.Key.Week, r.Key.Owner, r.Value.Blocking, r.Value.Warnings, r.Value.Processing, r.Value.Timeliness,
                    r.Value.RecomputeMs, r.Value.NewBuildMs, r.Value.Deploys)).ToArray(),
            mttr, recovered, open,
            cycleTimes.Count == 0 ? null : cycleTimes.Average() / 3600_000.0, cycleTimes.Count,
            Math.Round(prodDeploys.Count / weeks, 2),
            DataInventory(factory, ledger.Inventory(ws.Env)),
            Code(factory));
    }

    /// <summary>
    /// First builds of a box are new work (a missing box, a landing file that is new; "landing changed" in ledgers
    /// written before ingest named the file); everything else (invalidations, code, input or landing file changes) is
    /// recomputation.
    /// </summary>
    public static bool IsNewWork(string reason) => reason is "missing" or "landing changed" || reason.StartsWith("landing file new: ", StringComparison.Ordinal);

    public static string WeekOf(long ms)
    {
        var day = DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
        return $"{ISOWeek.GetYear(day)}-W{ISOWeek.GetWeekOfYear(day):00}";
    }

    /// <summary>
    /// Boxes whose first usable version came after the dataset's deadline (box end + ReadyWithin). Only deadlines after
    /// the dataset went live in prod count: a backfill of old days is not late.
    /// </summary>
    private static IEnumerable<(string Dataset, long Box, long DeadlineMs)> LateBoxes(Factory factory, IReadOnlyList<VersionRecord> versions, long sinceMs,
        IReadOnlyDictionary<string, long> liveSince)
    {
        var firstUsable = versions.Where(v => v.Status.IsUsable() && factory.Contains(v.Dataset) && factory[v.Dataset].ReadyWithin is not null)
            .GroupBy(v => (v.Dataset, v.Box))
            .Select(g => (g.Key.Dataset, g.Key.Box, First: g.Min(v => v.CreatedAtMs)));
        foreach (var (dataset, box, first) in firstUsable)
        {
            var definition = factory[dataset];
            var end = GrainMath.Start(definition.Grain, box + 1) + definition.ReadyWithin!.Value;
            var deadlineMs = new DateTimeOffset(DateTime.SpecifyKind(end, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
            var live = liveSince.TryGetValue(dataset, out var l) ? l : long.MaxValue;
            if (deadlineMs >= sinceMs && deadlineMs >= live && first > deadlineMs) yield return (dataset, box, deadlineMs);
        }
    }

    /// <summary>From each stop of the line (a quarantined version) to the box's next good build (new or reused) or its override.</summary>
    private static (double? MeanMinutes, int Recovered, int Open) RecoveryTimes(
        IReadOnlyList<VersionRecord> stops, IReadOnlyList<TaskRecord> tasks, IReadOnlyList<EventRecord> overrides)
    {
        var durations = new List<long>();
        var open = 0;
        foreach (var stop in stops.Where(v => v.Status is VersionStatus.Quarantined or VersionStatus.Overridden))
        {
            var rebuilt = tasks.Where(t => t.Dataset == stop.Dataset && t.BoxKey == stop.BoxKey && t.StartedAtMs >= stop.CreatedAtMs
                    && t.Status is BuildStatus.Built or BuildStatus.Reused && t.VersionId != stop.Id)
                .Select(t => (long?)(t.StartedAtMs + t.DurationMs)).Min();
            var released = overrides.Where(o => o.VersionId == stop.Id).Select(o => (long?)o.AtMs).Min();
            var recovered = new[] { rebuilt, released }.Where(t => t is not null).Min();
            if (recovered is null) open++; else durations.Add(recovered.Value - stop.CreatedAtMs);
        }
        return (durations.Count == 0 ? null : durations.Average() / 60_000.0, durations.Count, open);
    }

    private static IReadOnlyList<LayerInventory> DataInventory(Factory factory, IReadOnlyList<VersionInventory> inventory) =>
        factory.Datasets.GroupBy(d => d.Layer).Select(layer =>
        {
            var held = inventory.Where(i => layer.Any(d => d.Name == i.Dataset)).ToList();
            return new LayerInventory(layer.Key, layer.Count(), held.Sum(i => i.Versions), held.Sum(i => i.CurrentRows), held.Sum(i => i.Bytes));
        }).ToArray();

    private static CodeInventory Code(Factory factory) => new(
        factory.Datasets.Count(d => d.IsSource),
        factory.Datasets.Count(d => d.Transform is SqlTransform),
        factory.Datasets.Count(d => d.Transform is RowTransform),
        factory.Datasets.Select(d => d.Transform).OfType<SqlTransform>().Sum(t => t.Sql.Split('\n').Count(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("--", StringComparison.Ordinal))),
        factory.Datasets.ToDictionary(d => d.Name, d => d.Checks.Count));

    private sealed class Counter
    {
        public int Blocking, Warnings, Processing, Timeliness, Deploys;
        public long RecomputeMs, NewBuildMs;
    }
}
