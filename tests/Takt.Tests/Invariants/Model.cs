using Takt.Boxes;
using Takt.Definitions;

namespace Takt.Tests.Invariants;

/// <summary>What the model expects of one box after a build that exits 0 or 2.</summary>
internal enum Expected
{
    Fresh,
    /// <summary>Stopped by a check (quarantined) and not overridden.</summary>
    Stopped,
    /// <summary>Reads a stopped or blocked box.</summary>
    Blocked,
    /// <summary>Reads a box that does not exist (yet): a gap in the landing data, or a month whose days have not all landed.</summary>
    Waiting,
    /// <summary>A source box in the extent without landing data (a gap).</summary>
    Absent,
}

/// <summary>The expected state of every box of one environment, and the overrides that still hold.</summary>
internal sealed record Expectation(
    IReadOnlyDictionary<string, BoxRange> Extents,
    IReadOnlyDictionary<(string Dataset, long Box), Expected> Boxes,
    IReadOnlyList<(string Dataset, long Box)> ActiveOverrides,
    IReadOnlyDictionary<(string Dataset, long Box), string> Identities)
{
    public IEnumerable<long> BoxesOf(string dataset, Expected state) =>
        Boxes.Where(b => b.Key.Dataset == dataset && b.Value == state).Select(b => b.Key.Box).Order();

    public int Count(string dataset, Expected state) => Boxes.Count(b => b.Key.Dataset == dataset && b.Value == state);

    public bool LineStopped => Boxes.Values.Any(s => s is Expected.Stopped or Expected.Blocked);
}

/// <summary>A day's landing file as the model knows it: which revision, with which defect.</summary>
internal sealed record DayLanding(int Revision, string? Defect);

/// <summary>
/// The harness's model of a history: the landing data, invalidations, overrides and code variants, from which it
/// computes, independently of Takt's planner, which boxes must be fresh, stopped, blocked or waiting.
/// </summary>
internal sealed class Model(ISubject subject, int seed)
{
    public ISubject Subject { get; } = subject;
    public int Seed { get; } = seed;
    public SortedDictionary<DateOnly, DayLanding> Days { get; } = [];
    public bool DimensionLanded { get; set; }
    public int DimensionRevision { get; set; }
    public string? DimensionDefect { get; set; }
    public string WorkingVariant { get; set; } = "";
    /// <summary>The code variant each environment was last built with.</summary>
    public Dictionary<string, string> EnvVariant { get; } = new() { ["prod"] = "" };
    public Dictionary<(string Dataset, long Box), int> Generations { get; } = [];
    /// <summary>Overridden boxes, with the identity (landing content, generations, code) of what was overridden.</summary>
    public Dictionary<(string Dataset, long Box), string> Overrides { get; } = [];
    /// <summary>Bumped by every step that can change what a build computes.</summary>
    public int Changes { get; set; }
    /// <summary>Per environment, the <see cref="Changes"/> and variant of its last complete build.</summary>
    public Dictionary<string, (int Changes, string Variant)> LastBuild { get; } = [];
    /// <summary>
    /// Set by a rollback: readers stay on that copy (builds do not undo it) while prod's current versions of the
    /// published dataset are those it had at the rollback; a publish by hand or new current versions end it.
    /// </summary>
    public (string Copy, IReadOnlySet<string> Current)? RollbackHold { get; set; }

    /// <summary>The landing content in a key: equal keys mean byte-identical landing zones.</summary>
    public string LandingKey =>
        $"{Subject.Name}|{Seed}|{(DimensionLanded ? $"dim{DimensionRevision}:{DimensionDefect}" : "nodim")}|" +
        string.Join(",", Days.Select(d => $"{d.Key.DayNumber}:{d.Value.Revision}:{d.Value.Defect}"));

    public IReadOnlyList<DateOnly> Gaps()
    {
        if (Days.Count == 0) return [];
        var gaps = new List<DateOnly>();
        for (var day = Days.Keys.First(); day < Days.Keys.Last(); day = day.AddDays(1))
            if (!Days.ContainsKey(day)) gaps.Add(day);
        return gaps;
    }

    public Expectation Expect(string variant)
    {
        var factory = Subject.Factory(variant);
        var extents = new Dictionary<string, BoxRange>();
        var states = new Dictionary<(string, long), Expected>();
        var identities = new Dictionary<(string, long), string>();
        var active = new List<(string, long)>();
        var empty = new BoxRange(0, -1);

        foreach (var dataset in factory.Datasets)
        {
            var extent = ExtentOf(factory, dataset, extents, empty);
            extents[dataset.Name] = extent;
            if (extent.IsEmpty) continue;
            if (extent.Count > 100_000) throw new InvalidOperationException($"model: {dataset.Name} has an unbounded extent {extent}");
            var code = factory.CodeHashOf(dataset.Name);
            for (var box = extent.Start; box <= extent.End; box++)
            {
                var key = (dataset.Name, box);
                var generation = Generations.GetValueOrDefault(key);
                Expected state;
                string identity;
                string? defect;
                if (dataset.IsSource)
                {
                    if (dataset.Name == Subject.Dimension)
                    {
                        identity = $"{dataset.Name}|{code}|g{generation}|r{DimensionRevision}|{DimensionDefect}";
                        defect = DimensionDefect;
                        state = Expected.Fresh;
                    }
                    else if (Days.TryGetValue(DateOnly.FromDayNumber((int)box), out var day))
                    {
                        identity = $"{dataset.Name}@{box}|{code}|g{generation}|r{day.Revision}|{day.Defect}";
                        defect = day.Defect is { } d && Subject.StopsAt(d).Contains(dataset.Name) ? d : null;
                        state = Expected.Fresh;
                    }
                    else
                    {
                        states[key] = Expected.Absent;
                        continue;
                    }
                }
                else
                {
                    var (held, parts) = ReadState(factory, dataset, box, extents, states, identities);
                    identity = $"{dataset.Name}@{box}|{code}|g{generation}|{string.Join(",", parts)}";
                    if (held is { } h)
                    {
                        states[key] = h;
                        identities[key] = Takt.Definitions.Hashing.Hex(identity);
                        continue;
                    }
                    defect = dataset.Grain == Grain.Daily && Days.TryGetValue(DateOnly.FromDayNumber((int)box), out var day)
                        && day.Defect is { } d && Subject.StopsAt(d).Contains(dataset.Name) ? d : null;
                    state = Expected.Fresh;
                }
                identity = Takt.Definitions.Hashing.Hex(identity);
                identities[key] = identity;
                if (defect is not null)
                {
                    var overridden = Overrides.TryGetValue(key, out var at) && at == identity;
                    if (overridden) active.Add(key);
                    else state = Expected.Stopped;
                }
                states[key] = state;
            }
        }
        return new Expectation(extents, states, active, identities);
    }

    private BoxRange ExtentOf(Factory factory, Dataset dataset, Dictionary<string, BoxRange> extents, BoxRange empty)
    {
        if (dataset.IsSource)
        {
            if (dataset.Name == Subject.Dimension) return DimensionLanded ? BoxRange.Single(GrainMath.UnpartitionedBox) : empty;
            return Days.Count == 0 ? empty : new BoxRange(Days.Keys.First().DayNumber, Days.Keys.Last().DayNumber);
        }
        var extent = dataset.Grain == Grain.Unpartitioned ? BoxRange.Single(GrainMath.UnpartitionedBox) : BoxRange.Everything;
        foreach (var input in dataset.Inputs)
        {
            var inputExtent = extents[input.Dataset];
            if (inputExtent.IsEmpty) return empty;
            extent = extent.Intersect(input.Mapping.ExtentFrom(inputExtent, factory[input.Dataset].Grain, dataset.Grain));
        }
        return extent;
    }

    /// <summary>
    /// Whether a box is held by what it reads: blocked by a stopped or blocked box, or waiting for one that does not
    /// exist. A read before an input's first box is cut (the start of the data); one past its last box waits.
    /// </summary>
    private static (Expected? Held, List<string> Parts) ReadState(Factory factory, Dataset dataset, long box, Dictionary<string, BoxRange> extents,
        Dictionary<(string, long), Expected> states, Dictionary<(string, long), string> identities)
    {
        var blocked = false;
        var waiting = false;
        var parts = new List<string>();
        foreach (var input in dataset.Reads)
        {
            var isInput = dataset.Inputs.Any(i => i.Dataset == input.Dataset);
            var inputExtent = extents[input.Dataset];
            var reads = input.Mapping.InputsOf(BoxRange.Single(box), dataset.Grain, factory[input.Dataset].Grain, inputExtent);
            // An unpartitioned reader reads whatever boxes its input has (the README's second exception).
            if (dataset.Grain == Grain.Unpartitioned) reads = reads.Intersect(inputExtent);
            if (reads.IsEmpty) continue;
            if (reads.End > inputExtent.End) waiting = true;
            for (var r = Math.Max(reads.Start, inputExtent.Start); r <= Math.Min(reads.End, inputExtent.End); r++)
            {
                switch (states.GetValueOrDefault((input.Dataset, r), Expected.Absent))
                {
                    case Expected.Stopped or Expected.Blocked: blocked = true; break;
                    case Expected.Waiting or Expected.Absent: waiting = true; break;
                }
                if (isInput) parts.Add(identities.GetValueOrDefault((input.Dataset, r), "none"));
            }
        }
        return (blocked ? Expected.Blocked : waiting ? Expected.Waiting : null, parts);
    }
}
