using Takt.Boxes;
using Takt.Ledger;

namespace Takt.Planning;

/// <summary>Answers "what is the newest change among these boxes of an input" without hashing or reading files.</summary>
internal sealed class SeqIndex
{
    private readonly long[] _boxes;
    private readonly long[] _seqs;
    private readonly long[] _prefixMax;

    public SeqIndex(BoxRange loaded, BoxFacts? boxes)
    {
        Loaded = loaded;
        _boxes = boxes?.Boxes ?? [];
        _seqs = boxes?.Seqs ?? [];
        _prefixMax = new long[_seqs.Length];
        for (var i = 0; i < _seqs.Length; i++) _prefixMax[i] = Math.Max(i > 0 ? _prefixMax[i - 1] : 0, _seqs[i]);
    }

    public BoxRange Loaded { get; }

    public long MaxSeq(BoxRange range)
    {
        var start = LowerBound(range.Start);
        var end = LowerBound(range.End + 1) - 1;
        if (end < start) return 0;
        if (start == 0) return _prefixMax[end];
        var max = 0L;
        for (var i = start; i <= end; i++) max = Math.Max(max, _seqs[i]);
        return max;
    }

    private int LowerBound(long box)
    {
        var index = Array.BinarySearch(_boxes, box);
        return index >= 0 ? index : ~index;
    }
}
