using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;

namespace Takt.Planning;

/// <summary>
/// Pull-based planning: from targets and a box range, the closure of boxes that are missing or stale, decided from
/// the ledger, the definitions and, when given, what the landing zone would add. A dataset whose freshness stamp is
/// still valid costs a handful of index look-ups; otherwise its boxes are compared by change sequence, never by
/// re-reading data or re-hashing SQL. Planning only reads: the stamps it finds go back in the plan for a build to record.
/// </summary>
public sealed class Planner(Factory factory, IBoxLedger ledger)
{
    /// <param name="landing">Source boxes a build's ingest would (re)ingest: they are planned, with their downstream.</param>
    public Plan Create(string env, IReadOnlyCollection<string> targets, DateOnly? from = null, DateOnly? to = null, LandingChanges? landing = null)
    {
        landing ??= LandingChanges.None;
        var seqAtStart = ledger.CurrentSeq();
        var targetNames = factory.ResolveTargets(targets).ToHashSet();
        var closure = factory.UpstreamClosure(targetNames);
        var states = closure.ToDictionary(d => d.Name, d => new State(d, ledger.Summarize(env, d.Name))
        {
            Landed = d.IsSource ? landing.BoxesOf(d.Name) : BoxSet.Empty,
            Kept = d.IsSource ? landing.KeptBoxesOf(d.Name) : BoxSet.Empty,
        });

        foreach (var dataset in closure) states[dataset.Name].Extent = ExtentOf(dataset, states);
        RequireBoxes(closure, targetNames, states, from, to);

        var stamps = new Dictionary<string, FreshStamp>();
        var seqCache = new Dictionary<string, SeqIndex>();
        var tasks = new List<PlannedTask>();
        foreach (var dataset in closure)
        {
            var state = states[dataset.Name];
            foreach (var box in state.Landed) state.Reasons[box] = landing.ReasonOf(dataset.Name, box)!;
            Evaluate(env, state, states, seqCache, seqAtStart, stamps);
            foreach (var box in state.Planned)
                tasks.Add(new PlannedTask(dataset.Name, box, dataset.BoxKey(box), state.Reasons.GetValueOrDefault(box, "missing")));
        }

        return new Plan(env, tasks, closure.Select(d => states[d.Name].ToPlan()).ToArray()) { Stamps = stamps };
    }

    /// <summary>The boxes a dataset has (a source) or that its inputs allow (a transform), from the ledger's aggregates.</summary>
    public BoxRange ExtentOf(string env, string dataset)
    {
        var closure = factory.UpstreamClosure([dataset]);
        var states = closure.ToDictionary(d => d.Name, d => new State(d, ledger.Summarize(env, d.Name)));
        foreach (var d in closure) states[d.Name].Extent = ExtentOf(d, states);
        return states[dataset].Extent;
    }

    private static BoxRange ExtentOf(Dataset dataset, Dictionary<string, State> states)
    {
        if (dataset.IsSource)
        {
            var (s, landed) = (states[dataset.Name].Summary, states[dataset.Name].Landed);
            var built = s.Count == 0 ? new BoxRange(0, -1) : new BoxRange(s.MinBox, s.MaxBox);
            if (landed.IsEmpty) return built;
            return built.IsEmpty ? new BoxRange(landed.Min, landed.Max) : new BoxRange(Math.Min(built.Start, landed.Min), Math.Max(built.End, landed.Max));
        }
        var extent = dataset.Grain == Grain.Unpartitioned ? BoxRange.Single(GrainMath.UnpartitionedBox) : BoxRange.Everything;
        foreach (var input in dataset.Inputs)
        {
            var inputState = states[input.Dataset];
            if (inputState.Extent.IsEmpty) return inputState.Extent;
            extent = extent.Intersect(input.Mapping.ExtentFrom(inputState.Extent, inputState.Dataset.Grain, dataset.Grain));
        }
        return extent;
    }

    private static void RequireBoxes(IReadOnlyList<Dataset> closure, HashSet<string> targets, Dictionary<string, State> states, DateOnly? from, DateOnly? to)
    {
        foreach (var dataset in Enumerable.Reverse(closure))
        {
            var state = states[dataset.Name];
            var required = state.Required.Union(state.Landed); // ingest takes every new or changed landing file of a source in scope
            if (targets.Contains(dataset.Name))
            {
                var range = dataset.Grain == Grain.Unpartitioned || (from is null && to is null)
                    ? BoxRange.Everything
                    : GrainMath.FromDates(dataset.Grain, from ?? DateOnly.MinValue, to ?? DateOnly.MaxValue);
                required = required.Union(BoxSet.Of(range.Intersect(state.Extent)));
            }
            state.Required = required;
            foreach (var (upstream, mapping) in dataset.Reads)
            {
                var upstreamState = states[upstream];
                var needed = mapping.InputsOf(required, dataset.Grain, upstreamState.Dataset.Grain, upstreamState.Extent);
                upstreamState.Required = upstreamState.Required.Union(needed.Intersect(upstreamState.Extent));
            }
        }
    }

    private void Evaluate(string env, State state, Dictionary<string, State> states, Dictionary<string, SeqIndex> seqCache, long seqAtStart,
        Dictionary<string, FreshStamp> stamps)
    {
        var dataset = state.Dataset;
        var required = state.Required;
        var rows = state.Summary.IsContiguous
            ? BoxSet.Of(new BoxRange(state.Summary.MinBox, state.Summary.MaxBox))
            : BoxSet.OfBoxes(ledger.BoxList(env, dataset.Name));
        var quarantinedRows = state.Summary.Quarantined > 0 ? ledger.QuarantinedBoxes(env, dataset.Name) : [];
        state.Existing = rows.Except(BoxSet.OfBoxes(quarantinedRows.Where(q => q.CurrentVersion is null).Select(q => q.Box)));

        // Boxes that read an input box which will not be usable after this build, by the box a check stopped.
        foreach (var (upstream, mapping) in dataset.Reads)
        {
            var input = states[upstream];
            if (!input.Quarantined.IsEmpty)
            {
                var readers = mapping.ReadersOf(input.Quarantined, input.Dataset.Grain, dataset.Grain, input.Extent).Intersect(required);
                var stopped = input.Quarantined.Intersect(mapping.InputsOf(readers, dataset.Grain, input.Dataset.Grain, input.Extent));
                state.Hold(readers, input.Dataset, stopped);
            }
            foreach (var held in input.BlockedBy.Values)
                state.Hold(mapping.ReadersOf(held.Boxes, input.Dataset.Grain, dataset.Grain, input.Extent).Intersect(required), held.Root, held.Stopped);
        }
        var blockedBoxes = state.BlockedBoxes;
        var waitingBoxes = BoxSet.Empty;
        foreach (var (upstream, mapping) in dataset.Reads)
        {
            var input = states[upstream];
            var unavailable = BoxSet.Of(input.Extent).Intersect(input.Required).Except(input.Available).Except(input.Quarantined).Except(input.BlockedBoxes);
            if (unavailable.IsEmpty) continue;
            // Boxes the input itself waits for pass on what they wait for, so that the cause names the box that is missing.
            var causes = input.Waiting.Select(w => (Boxes: unavailable.Intersect(w.Boxes), w.Cause)).Where(c => !c.Boxes.IsEmpty).ToList();
            var rest = causes.Aggregate(unavailable, (left, c) => left.Except(c.Boxes));
            if (!rest.IsEmpty) causes.Add((rest, $"{upstream}@{Describe(input.Dataset, rest)} {(input.Dataset.IsSource ? "has no landing data" : "cannot be built")}"));
            foreach (var (boxes, cause) in causes)
            {
                var readers = mapping.ReadersOf(boxes, input.Dataset.Grain, dataset.Grain, input.Extent).Intersect(required).Except(blockedBoxes);
                if (readers.IsEmpty) continue;
                state.Wait(readers, cause);
                waitingBoxes = waitingBoxes.Union(readers);
            }
        }
        if (dataset.Grain != Grain.Unpartitioned)
        {
            // A box never reads part of what it maps to: boxes that read past an input's last box wait for it (a month for its last day).
            foreach (var (upstream, mapping) in dataset.Reads)
            {
                var input = states[upstream];
                if (input.Dataset.Grain == Grain.Unpartitioned) continue; // its one box has no past to wait for
                var past = input.Extent.IsEmpty ? BoxRange.Everything : new BoxRange(input.Extent.End + 1, BoxRange.Everything.End);
                var readers = BoxSet.Of(mapping.ReadersOf(past, input.Dataset.Grain, dataset.Grain, input.Extent)).Intersect(required).Except(blockedBoxes);
                if (readers.IsEmpty) continue;
                var missing = mapping.InputsOf(readers, dataset.Grain, input.Dataset.Grain, input.Extent).Intersect(past);
                if (missing.IsEmpty) continue;
                var why = input.Dataset.IsSource ? "has no landing data" : "does not exist yet";
                state.Wait(readers, $"{upstream}@{Describe(input.Dataset, missing)} {why}");
                waitingBoxes = waitingBoxes.Union(readers);
            }
        }

        var candidates = required.Except(blockedBoxes).Except(waitingBoxes);
        var planned = state.Landed;

        if (!dataset.IsSource)
        {
            // Only true inputs shape the recipe; datasets read by checks order the work but do not make a box stale.
            foreach (var (upstream, mapping) in dataset.Inputs)
            {
                var changing = states[upstream].Planned.Except(states[upstream].Kept);
                if (changing.IsEmpty) continue;
                var input = states[upstream];
                var readers = mapping.ReadersOf(changing, input.Dataset.Grain, dataset.Grain, input.Extent).Intersect(candidates).Except(planned);
                foreach (var box in readers) state.Reasons.TryAdd(box, $"upstream rebuilt: {upstream}");
                planned = planned.Union(readers);
            }
            var missing = candidates.Except(rows);
            foreach (var box in missing) state.Reasons[box] = "missing";
            planned = planned.Union(missing);
        }

        var codeHash = factory.CodeHashOf(dataset.Name);
        var quarantined = BoxSet.OfBoxes(quarantinedRows.Select(q => q.Box));
        var evaluated = candidates.Intersect(rows);
        if (!evaluated.IsEmpty && !StampHolds(env, state, states, codeHash))
        {
            var (stale, stillQuarantined) = CompareBoxes(env, state, states, evaluated, codeHash, seqCache);
            foreach (var (box, reason) in stale) state.Reasons.TryAdd(box, reason);
            planned = planned.Union(BoxSet.OfBoxes(stale.Keys));
            quarantined = stillQuarantined;
            if (stale.Count == 0 && evaluated.Count == rows.Count) stamps[dataset.Name] = new FreshStamp(codeHash, seqAtStart);
        }

        state.Planned = planned.Intersect(candidates);
        state.Quarantined = quarantined.Intersect(candidates).Except(state.Planned);
        state.Available = state.Existing.Union(state.Planned).Except(state.Quarantined).Except(blockedBoxes).Except(waitingBoxes);
        state.Fresh = evaluated.Except(state.Planned).Except(state.Quarantined).Count;
    }

    private bool StampHolds(string env, State state, Dictionary<string, State> states, string codeHash)
    {
        var stamp = ledger.Stamp(env, state.Dataset.Name);
        if (stamp is null || stamp.CodeHash != codeHash) return false;
        if (stamp.Seq < state.Summary.MaxSeq || stamp.Seq < ledger.MaxGenerationSeq(state.Dataset.Name)) return false;
        return state.Dataset.Inputs.All(i => stamp.Seq >= states[i.Dataset].Summary.MaxSeq);
    }

    /// <summary>The slow path: box by box, is the head made under today's code, generation and inputs?</summary>
    private (Dictionary<long, string> Stale, BoxSet Quarantined) CompareBoxes(string env, State state, Dictionary<string, State> states,
        BoxSet boxes, string codeHash, Dictionary<string, SeqIndex> seqCache)
    {
        var dataset = state.Dataset;
        var span = new BoxRange(boxes.Min, boxes.Max);
        var generations = ledger.Generations(dataset.Name, span);
        var inputs = dataset.Inputs.Select(i => (Input: i, State: states[i.Dataset],
            Index: SeqIndexFor(env, states[i.Dataset], i.Mapping.InputsOf(span, dataset.Grain, states[i.Dataset].Dataset.Grain, states[i.Dataset].Extent), seqCache))).ToArray();

        var stale = new Dictionary<long, string>();
        var quarantined = new List<long>();
        var facts = ledger.PlanningFacts(env, dataset.Name, span, codeHash);
        seqCache.TryAdd(dataset.Name, new SeqIndex(span, facts)); // its readers look these up next; read them once
        for (var i = 0; i < facts.Count; i++)
        {
            var box = facts.Boxes[i];
            if (!boxes.Contains(box)) continue;
            string? reason = null;
            if (facts.Statuses[i] == BoxHeadStatus.Lost) reason = "files lost";
            else if (!facts.CodeMatches[i]) reason = dataset.IsSource ? "source definition changed" : "code changed";
            else if (generations.Of(box) != facts.Generations[i]) reason = "invalidated";
            else
            {
                foreach (var (input, inputState, index) in inputs)
                {
                    var read = input.Mapping.InputsOf(BoxRange.Single(box), dataset.Grain, inputState.Dataset.Grain, inputState.Extent);
                    if (index.MaxSeq(read) > facts.Seqs[i]) { reason = $"input changed: {input.Dataset}"; break; }
                }
            }
            if (reason is not null) stale[box] = reason;
            else if (facts.Statuses[i] == BoxHeadStatus.Quarantined) quarantined.Add(box);
        }
        return (stale, BoxSet.OfBoxes(quarantined));
    }

    private SeqIndex SeqIndexFor(string env, State input, BoxRange range, Dictionary<string, SeqIndex> cache)
    {
        range = input.Extent.IsEmpty ? new BoxRange(0, -1) : range.Intersect(input.Extent);
        if (cache.TryGetValue(input.Dataset.Name, out var cached) && cached.Loaded.Start <= range.Start && cached.Loaded.End >= range.End) return cached;
        if (cached is not null) range = new BoxRange(Math.Min(range.Start, cached.Loaded.Start), Math.Max(range.End, cached.Loaded.End));
        var index = new SeqIndex(range, range.IsEmpty ? null : ledger.PlanningFacts(env, input.Dataset.Name, range, factory.CodeHashOf(input.Dataset.Name)));
        cache[input.Dataset.Name] = index;
        return index;
    }

    private static string Describe(Dataset dataset, BoxSet boxes) =>
        boxes.Count == 1 ? dataset.BoxKey(boxes.Min) : $"{dataset.BoxKey(boxes.Min)}..{dataset.BoxKey(boxes.Max)} ({boxes.Count} boxes)";

    /// <summary>Each run of boxes by its keys, the first few of them: <c>2026-01-05, 2026-01-10..2026-01-12</c>.</summary>
    private static string Keys(Dataset dataset, BoxSet boxes)
    {
        const int Shown = 3;
        var ranges = boxes.Ranges;
        var text = string.Join(", ", ranges.Take(Shown).Select(dataset.BoxKeys));
        return ranges.Count > Shown ? $"{text} and {ranges.Count - Shown} more run(s) of boxes" : text;
    }

    private sealed class State(Dataset dataset, DatasetSummary summary)
    {
        public Dataset Dataset { get; } = dataset;
        public DatasetSummary Summary { get; } = summary;
        public BoxRange Extent { get; set; }
        /// <summary>A source's boxes whose landing files are new or changed.</summary>
        public BoxSet Landed { get; init; } = BoxSet.Empty;
        /// <summary>Those of <see cref="Landed"/> whose ingest will find the version the environment already has.</summary>
        public BoxSet Kept { get; init; } = BoxSet.Empty;
        public BoxSet Required { get; set; } = BoxSet.Empty;
        public BoxSet Existing { get; set; } = BoxSet.Empty;
        public BoxSet Planned { get; set; } = BoxSet.Empty;
        public BoxSet Quarantined { get; set; } = BoxSet.Empty;
        public BoxSet Available { get; set; } = BoxSet.Empty;
        /// <summary>Blocked boxes by the dataset whose boxes a check stopped, with those stopped boxes.</summary>
        public Dictionary<string, (Dataset Root, BoxSet Boxes, BoxSet Stopped)> BlockedBy { get; } = [];
        public List<HeldBoxes> Waiting { get; } = [];
        public Dictionary<long, string> Reasons { get; } = [];
        public long Fresh { get; set; }
        public BoxSet BlockedBoxes => BlockedBy.Values.Aggregate(BoxSet.Empty, (all, b) => all.Union(b.Boxes));

        /// <summary>Boxes waiting for <paramref name="cause"/>; boxes waiting for the same thing are one entry.</summary>
        public void Wait(BoxSet boxes, string cause)
        {
            var index = Waiting.FindIndex(w => w.Cause == cause);
            if (index < 0) Waiting.Add(new HeldBoxes(boxes, cause));
            else Waiting[index] = Waiting[index] with { Boxes = Waiting[index].Boxes.Union(boxes) };
        }

        public void Hold(BoxSet boxes, Dataset root, BoxSet stopped)
        {
            if (boxes.IsEmpty) return;
            var (_, held, roots) = BlockedBy.GetValueOrDefault(root.Name, (root, BoxSet.Empty, BoxSet.Empty));
            BlockedBy[root.Name] = (root, held.Union(boxes), roots.Union(stopped));
        }

        public DatasetPlan ToPlan() => new(Dataset.Name, Extent, Required, Planned, Quarantined,
            BlockedBy.Values.Select(b => new HeldBoxes(b.Boxes, $"{b.Root.Name}@{Keys(b.Root, b.Stopped)} stopped by a check")).ToArray(), Waiting, Fresh);
    }
}
