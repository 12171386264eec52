namespace Takt.Boxes;

/// <summary>An inclusive interval of box ordinals.</summary>
public readonly record struct BoxRange(long Start, long End)
{
    /// <summary>Wide enough for any grain, narrow enough that arithmetic on it never overflows.</summary>
    public static readonly BoxRange Everything = new(-(1L << 40), 1L << 40);

    public bool IsEmpty => End < Start;
    public long Count => IsEmpty ? 0 : End - Start + 1;
    public bool Contains(long box) => box >= Start && box <= End;

    public BoxRange Intersect(BoxRange other) => new(Math.Max(Start, other.Start), Math.Min(End, other.End));

    public static BoxRange Single(long box) => new(box, box);

    public override string ToString() => Start == End ? $"[{Start}]" : $"[{Start}..{End}]";
}
