using System.Collections;

namespace Takt.Boxes;

/// <summary>
/// An immutable set of boxes kept as sorted, disjoint, non-adjacent ranges, so that
/// "every day of ten years" costs one range, not 3,650 entries.
/// </summary>
public sealed class BoxSet : IEnumerable<long>
{
    private readonly BoxRange[] _ranges;

    public static readonly BoxSet Empty = new([]);

    private BoxSet(BoxRange[] normalizedRanges) => _ranges = normalizedRanges;

    public IReadOnlyList<BoxRange> Ranges => _ranges;
    public bool IsEmpty => _ranges.Length == 0;
    public long Count => _ranges.Sum(r => r.Count);
    public long Min => _ranges.Length > 0 ? _ranges[0].Start : throw new InvalidOperationException("The box set is empty.");
    public long Max => _ranges.Length > 0 ? _ranges[^1].End : throw new InvalidOperationException("The box set is empty.");

    public static BoxSet Of(BoxRange range) => range.IsEmpty ? Empty : new BoxSet([range]);
    public static BoxSet Of(IEnumerable<BoxRange> ranges) => new(Normalize(ranges));

    public static BoxSet OfBoxes(IEnumerable<long> boxes)
    {
        var sorted = boxes.ToArray();
        Array.Sort(sorted);
        var ranges = new List<BoxRange>();
        foreach (var box in sorted)
        {
            if (ranges.Count > 0 && box <= ranges[^1].End + 1)
                ranges[^1] = ranges[^1] with { End = Math.Max(ranges[^1].End, box) };
            else
                ranges.Add(BoxRange.Single(box));
        }
        return new BoxSet(ranges.ToArray());
    }

    public bool Contains(long box)
    {
        int lo = 0, hi = _ranges.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (box < _ranges[mid].Start) hi = mid - 1;
            else if (box > _ranges[mid].End) lo = mid + 1;
            else return true;
        }
        return false;
    }

    public BoxSet Union(BoxSet other) =>
        other.IsEmpty ? this : IsEmpty ? other : new BoxSet(Normalize(_ranges.Concat(other._ranges)));

    public BoxSet Intersect(BoxSet other)
    {
        var result = new List<BoxRange>();
        int i = 0, j = 0;
        while (i < _ranges.Length && j < other._ranges.Length)
        {
            var overlap = _ranges[i].Intersect(other._ranges[j]);
            if (!overlap.IsEmpty) result.Add(overlap);
            if (_ranges[i].End < other._ranges[j].End) i++; else j++;
        }
        return result.Count == 0 ? Empty : new BoxSet(result.ToArray());
    }

    public BoxSet Intersect(BoxRange range) => Intersect(Of(range));

    public BoxSet Except(BoxSet other)
    {
        if (IsEmpty || other.IsEmpty) return this;
        var result = new List<BoxRange>();
        var j = 0;
        foreach (var range in _ranges)
        {
            var start = range.Start;
            while (j < other._ranges.Length && other._ranges[j].End < start) j++;
            var k = j;
            while (k < other._ranges.Length && other._ranges[k].Start <= range.End)
            {
                if (other._ranges[k].Start > start) result.Add(new BoxRange(start, other._ranges[k].Start - 1));
                start = Math.Max(start, other._ranges[k].End + 1);
                k++;
            }
            if (start <= range.End) result.Add(new BoxRange(start, range.End));
        }
        return result.Count == 0 ? Empty : new BoxSet(result.ToArray());
    }

    /// <summary>Applies <paramref name="map"/> to every range and unions the results.</summary>
    public BoxSet SelectRanges(Func<BoxRange, BoxRange> map) => Of(_ranges.Select(map));

    public IEnumerator<long> GetEnumerator()
    {
        foreach (var range in _ranges)
            for (var box = range.Start; box <= range.End; box++)
                yield return box;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => IsEmpty ? "{}" : string.Join(",", _ranges);

    private static BoxRange[] Normalize(IEnumerable<BoxRange> ranges)
    {
        var sorted = ranges.Where(r => !r.IsEmpty).OrderBy(r => r.Start).ToList();
        var merged = new List<BoxRange>(sorted.Count);
        foreach (var range in sorted)
        {
            if (merged.Count > 0 && range.Start <= merged[^1].End + 1)
                merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, range.End) };
            else
                merged.Add(range);
        }
        return merged.ToArray();
    }
}
