using Takt.Boxes;

namespace Takt.Ledger;

/// <summary>One invalidation: every box in <see cref="Boxes"/> moves <see cref="Generations"/> generations on.</summary>
public sealed record Invalidation(BoxRange Boxes, int Generations, long Seq);

/// <summary>
/// The invalidation generation of each box, from invalidation ranges: the number of invalidations covering it. Looked
/// up per box in O(log n) of the ranges, never expanded into boxes.
/// </summary>
public sealed class GenerationMap
{
    private readonly long[] _starts;
    private readonly int[] _generations;

    public GenerationMap(IEnumerable<Invalidation> invalidations)
    {
        // A step function: +n where a range starts, -n after it ends.
        var steps = new SortedDictionary<long, int>();
        foreach (var i in invalidations.Where(i => !i.Boxes.IsEmpty))
        {
            steps[i.Boxes.Start] = steps.GetValueOrDefault(i.Boxes.Start) + i.Generations;
            steps[i.Boxes.End + 1] = steps.GetValueOrDefault(i.Boxes.End + 1) - i.Generations;
        }
        _starts = new long[steps.Count];
        _generations = new int[steps.Count];
        var (index, level) = (0, 0);
        foreach (var (start, delta) in steps)
        {
            level += delta;
            (_starts[index], _generations[index]) = (start, level);
            index++;
        }
    }

    public static GenerationMap None { get; } = new([]);

    public int Of(long box)
    {
        var index = Array.BinarySearch(_starts, box);
        if (index < 0) index = ~index - 1;
        return index < 0 ? 0 : _generations[index];
    }
}
