using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Planning;

namespace Takt.Server.Api;

/// <summary>The status a box has in the dashboard.</summary>
public static class BoxStatus
{
    public const char Fresh = 'f';
    public const char Stale = 's';
    public const char Missing = 'm';
    public const char Quarantined = 'q';
    public const char Blocked = 'b';
    public const char Waiting = 'w';
    public const char None = '-';

    public static readonly IReadOnlyDictionary<char, string> Names = new Dictionary<char, string>
    {
        [Fresh] = "fresh", [Stale] = "stale", [Missing] = "missing", [Quarantined] = "quarantined",
        [Blocked] = "blocked", [Waiting] = "waiting", [None] = "none",
    };

    /// <summary>When boxes are shown coarser than they are (hours in a day), the worst wins.</summary>
    public static int Severity(char status) => status switch
    {
        Quarantined => 6, Blocked => 5, Waiting => 4, Stale => 3, Missing => 2, Fresh => 1, _ => 0,
    };
}

/// <summary>
/// What the dashboard shows, computed from the definitions, the ledger and the planner's plan of every dataset.
/// The plan is computed once per ledger change (keyed by the ledger's sequence), so a page of the box matrix costs
/// a look-up of the boxes in the page, not a new plan.
/// </summary>
public sealed class FactoryView(Factory factory, IBoxLedger ledger, IRunLog runs, string env)
{
    /// <summary>Pages of the matrix kept per plan (dataset and box range).</summary>
    private const int MaxKeptRows = 256;

    private readonly Lock _gate = new();
    private (long Seq, Plan Plan)? _cached;
    private readonly Dictionary<(string Dataset, BoxRange Range), char[]> _rows = [];

    public Factory Factory => factory;
    public string Env => env;

    public Plan CurrentPlan()
    {
        lock (_gate)
        {
            var seq = ledger.CurrentSeq();
            if (_cached is { } c && c.Seq == seq) return c.Plan;
            var plan = new Planner(factory, ledger).Create(env, []);
            _cached = (seq, plan);
            _rows.Clear();
            return plan;
        }
    }

    public object Lineage()
    {
        var plan = CurrentPlan();
        var nodes = factory.Datasets.Select(d =>
        {
            var p = plan.Datasets.FirstOrDefault(x => x.Dataset == d.Name);
            return new
            {
                id = d.Name,
                layer = d.Layer,
                owner = d.Owner,
                description = d.Description,
                kind = d.IsSource ? "source" : d.Transform is SqlTransform ? "sql" : "csharp",
                grain = GrainMath.Describe(d.Grain),
                checks = d.Checks.Select(c => c.Name).ToArray(),
                usedBy = d.UsedBy,
                publishes = d.PublishTargets.Count > 0,
                readyWithinHours = d.ReadyWithin?.TotalHours,
                first = p is null || p.Extent.IsEmpty || !Bounded(p.Extent) ? null : d.BoxKey(p.Extent.Start),
                last = p is null || p.Extent.IsEmpty || !Bounded(p.Extent) ? null : d.BoxKey(p.Extent.End),
                fresh = p?.Fresh ?? 0,
                stale = p?.Planned.Count ?? 0,
                quarantined = p?.Quarantined.Count ?? 0,
                blocked = p?.BlockedBoxes.Count ?? 0,
                waiting = p?.WaitingBoxes.Count ?? 0,
            };
        }).ToArray();
        var edges = factory.Datasets.SelectMany(d =>
            d.Inputs.Select(i => new { from = i.Dataset, to = d.Name, mapping = i.Mapping.Describe(), kind = "input" })
                .Concat(d.CheckDependencies.Where(c => d.Inputs.All(i => i.Dataset != c))
                    .Select(c => new { from = c, to = d.Name, mapping = "read by a check", kind = "check" }))).ToArray();
        return new { factory = factory.Name, env, nodes, edges };
    }

    /// <summary>The default page of the matrix: the last <paramref name="days"/> days with data.</summary>
    public (DateOnly From, DateOnly To, DateOnly? First, DateOnly? Last) DataRange(DateOnly today, int days = 90)
    {
        var plan = CurrentPlan();
        DateOnly? first = null, last = null;
        foreach (var p in plan.Datasets)
        {
            var grain = factory[p.Dataset].Grain;
            if (p.Extent.IsEmpty || grain == Grain.Unpartitioned || !Bounded(p.Extent)) continue;
            DateOnly start, end;
            try
            {
                start = DateOnly.FromDateTime(GrainMath.Start(grain, p.Extent.Start));
                end = DateOnly.FromDateTime(GrainMath.Start(grain, p.Extent.End));
            }
            catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException) { continue; }
            if (first is null || start < first) first = start;
            if (last is null || end > last) last = end;
        }
        var to = last ?? today;
        var from = to.AddDays(-(days - 1));
        if (first is { } f && f > from) from = f;
        return (from, to, first, last);
    }

    /// <summary>
    /// One row per dataset: the status of every box of the page, run-length encoded (<c>boxes.runs</c>, e.g. an hourly
    /// dataset's 24 boxes a day), and one character per day from <paramref name="from"/> to <paramref name="to"/>, the
    /// worst of the day's boxes (<c>cells</c>).
    /// </summary>
    public object Matrix(DateOnly from, DateOnly to, IReadOnlyCollection<Dataset>? only = null)
    {
        var plan = CurrentPlan();
        var days = to.DayNumber - from.DayNumber + 1;
        var rows = new List<object>();
        foreach (var dataset in only ?? factory.Datasets)
        {
            var range = BoxStatuses.RangeOf(dataset, from, to);
            var boxes = StatusesOf(dataset, plan, range);
            var cells = BoxStatuses.Days(dataset.Grain, boxes, range, from, to);
            rows.Add(new
            {
                dataset = dataset.Name,
                layer = dataset.Layer,
                owner = dataset.Owner,
                grain = GrainMath.Describe(dataset.Grain),
                cells,
                boxes = new { first = dataset.BoxKey(range.Start), count = boxes.Length, runs = BoxStatuses.Runs(boxes) },
                counts = BoxStatus.Names.Keys.Where(k => k != BoxStatus.None)
                    .ToDictionary(k => BoxStatus.Names[k], k => (long)boxes.Count(c => c == k)),
            });
        }
        return new
        {
            env,
            from = from.ToString("yyyy-MM-dd"),
            to = to.ToString("yyyy-MM-dd"),
            days,
            legend = BoxStatus.Names.Select(kv => new { code = kv.Key.ToString(), status = kv.Value }),
            rows,
        };
    }

    /// <summary>
    /// The status of each box of <paramref name="range"/>. Kept with the plan until the ledger changes: the dashboard
    /// asks for the same page every 30 seconds, and reading every box of a long page costs more than the answer.
    /// </summary>
    private char[] StatusesOf(Dataset dataset, Plan plan, BoxRange range)
    {
        lock (_gate)
        {
            if (_cached?.Plan == plan && _rows.TryGetValue((dataset.Name, range), out var kept)) return kept;
        }
        var p = plan.Datasets.FirstOrDefault(x => x.Dataset == dataset.Name);
        var statuses = BoxStatuses.Of(p, range, p is null ? [] : ledger.Boxes(env, dataset.Name, range));
        lock (_gate)
        {
            if (_cached?.Plan != plan) return statuses;
            if (_rows.Count >= MaxKeptRows) _rows.Clear();
            _rows[(dataset.Name, range)] = statuses;
        }
        return statuses;
    }

    /// <summary>Everything about one box: its state, its versions, the checks of its head, and its events.</summary>
    public object Box(Dataset dataset, long box)
    {
        var key = dataset.BoxKey(box);
        var state = ledger.Boxes(env, dataset.Name, BoxRange.Single(box)).FirstOrDefault();
        var versions = ledger.Versions(dataset.Name, BoxRange.Single(box)).OrderByDescending(v => v.CreatedAtMs).Take(20).Select(VersionJson).ToArray();
        var checks = state is null ? [] : ledger.CheckResults(state.HeadVersion);
        var whole = CurrentPlan();
        var plan = whole.Datasets.FirstOrDefault(x => x.Dataset == dataset.Name);
        var status = StatusesOf(dataset, whole, BoxRange.Single(box))[0];
        var held = plan is null ? [] : plan.Blocked.Concat(plan.Waiting).Where(h => h.Boxes.Contains(box)).Select(h => h.Cause).ToArray();
        var events = runs.Events(dataset.Name, 200).Where(e => e.BoxKey == key).Take(20).Select(EventJson).ToArray();
        return new
        {
            dataset = dataset.Name,
            box = key,
            status = BoxStatus.Names[status],
            held,
            current = state?.CurrentVersion,
            head = state?.HeadVersion,
            headStatus = state?.HeadStatus.ToText(),
            checks = checks.Select(CheckJson),
            versions,
            events,
        };
    }

    /// <summary>Every quarantined box of every dataset, with the checks that failed on its head version.</summary>
    public object Quarantines()
    {
        var items = new List<object>();
        foreach (var dataset in factory.Datasets)
        {
            foreach (var q in ledger.QuarantinedBoxes(env, dataset.Name))
            {
                var version = ledger.FindVersion(q.HeadVersion);
                var failed = ledger.CheckResults(q.HeadVersion).Where(c => !c.Passed).Select(CheckJson).ToArray();
                items.Add(new
                {
                    dataset = dataset.Name,
                    owner = dataset.Owner,
                    box = dataset.BoxKey(q.Box),
                    version = q.HeadVersion,
                    previous = q.CurrentVersion,
                    rows = version?.Rows,
                    createdAt = version?.CreatedAtMs,
                    runId = version?.RunId,
                    failedChecks = failed,
                });
            }
        }
        return new { env, quarantines = items };
    }

    public static object VersionJson(VersionRecord v) => new
    {
        id = v.Id, box = v.BoxKey, status = v.Status.ToText(), rows = v.Rows, bytes = v.Bytes, createdAt = v.CreatedAtMs, runId = v.RunId, codeHash = v.CodeHash,
        generation = v.Generation, collected = v.Collected, files = v.FileState.ToString().ToLowerInvariant(),
    };

    public static object CheckJson(CheckResult c) => new
    {
        name = c.Name, kind = c.Kind, severity = c.Severity, passed = c.Passed, failingRows = c.FailingRows, message = c.Message,
    };

    public static object EventJson(EventRecord e) => new
    {
        id = e.Id, at = e.AtMs, kind = e.Kind.ToText(), env = e.Env, dataset = e.Dataset, box = e.BoxKey, version = e.VersionId, message = e.Message,
    };

    /// <summary>False for the open-ended extents of datasets that read the latest box of an input.</summary>
    private static bool Bounded(BoxRange range) => range.Start > -(1L << 39) && range.End < (1L << 39);
}
