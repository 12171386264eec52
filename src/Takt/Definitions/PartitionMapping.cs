using Takt.Boxes;

namespace Takt.Definitions;

/// <summary>
/// Which boxes of an input a box reads. Every mapping answers both directions over ranges of boxes:
/// <see cref="InputsOf"/> for planning and <see cref="ReadersOf"/> for impact and invalidation.
/// Neither direction knows about "now" or about storage.
/// </summary>
/// <remarks>
/// A box is built only from complete inputs: it waits until every input box it maps to exists and is usable (a month
/// reading days waits for the last day of the month). There are two exceptions, both in <see cref="NeededInputs"/>: at
/// the start of the data, the boxes before an input's first box are not waited for (the first boxes of a 7-day window
/// read 1 to 6 days); and an unpartitioned reader reads whatever boxes its input has.
/// </remarks>
public abstract record PartitionMapping
{
    /// <summary>The box reads the input box(es) covering the same time.</summary>
    public static PartitionMapping SameBox { get; } = new SameBoxMapping();

    /// <summary>The box reads the input over its own n preceding boxes, itself included.</summary>
    public static PartitionMapping Window(int boxes) => new WindowMapping(boxes);

    /// <summary>The box reads every input box up to and including its own time.</summary>
    public static PartitionMapping AllUpTo { get; } = new AllUpToMapping();

    /// <summary>The box reads the latest box the input has.</summary>
    public static PartitionMapping Latest { get; } = new LatestMapping();

    /// <summary>Input boxes read by the boxes <paramref name="boxes"/> of the reading dataset.</summary>
    public abstract BoxRange InputsOf(BoxRange boxes, Grain self, Grain input, BoxRange inputExtent);

    /// <summary>
    /// The input boxes the boxes <paramref name="boxes"/> must have before they are built: <see cref="InputsOf"/>, cut
    /// only where the input's data starts; an unpartitioned reader's range is also cut where the input's data ends.
    /// </summary>
    public BoxRange NeededInputs(BoxRange boxes, Grain self, Grain input, BoxRange inputExtent)
    {
        var range = InputsOf(boxes, self, input, inputExtent);
        if (inputExtent.IsEmpty) return range;
        return self == Grain.Unpartitioned ? range.Intersect(inputExtent) : new BoxRange(Math.Max(range.Start, inputExtent.Start), range.End);
    }

    /// <summary>Boxes of the reading dataset that read any of the input boxes <paramref name="inputBoxes"/>.</summary>
    public abstract BoxRange ReadersOf(BoxRange inputBoxes, Grain input, Grain self, BoxRange inputExtent);

    /// <summary>Boxes of the reading dataset that this input allows to exist, given the input's extent.</summary>
    public virtual BoxRange ExtentFrom(BoxRange inputExtent, Grain input, Grain self) =>
        inputExtent.IsEmpty ? inputExtent : GrainMath.Convert(input, inputExtent, self);

    public BoxSet InputsOf(BoxSet boxes, Grain self, Grain input, BoxRange inputExtent) =>
        boxes.SelectRanges(r => InputsOf(r, self, input, inputExtent));

    public BoxSet ReadersOf(BoxSet inputBoxes, Grain input, Grain self, BoxRange inputExtent) =>
        inputBoxes.SelectRanges(r => ReadersOf(r, input, self, inputExtent));

    public abstract string Describe();

    private sealed record SameBoxMapping : PartitionMapping
    {
        public override BoxRange InputsOf(BoxRange boxes, Grain self, Grain input, BoxRange inputExtent) =>
            GrainMath.Convert(self, boxes, input);

        public override BoxRange ReadersOf(BoxRange inputBoxes, Grain input, Grain self, BoxRange inputExtent) =>
            GrainMath.Convert(input, inputBoxes, self);

        public override string Describe() => "same box";
    }

    private sealed record WindowMapping : PartitionMapping
    {
        public WindowMapping(int boxes)
        {
            if (boxes < 1) throw new ArgumentOutOfRangeException(nameof(boxes), boxes, "A window covers at least one box.");
            Boxes = boxes;
        }

        public int Boxes { get; }

        public override BoxRange InputsOf(BoxRange boxes, Grain self, Grain input, BoxRange inputExtent) =>
            GrainMath.Convert(self, new BoxRange(boxes.Start - (Boxes - 1), boxes.End), input);

        public override BoxRange ReadersOf(BoxRange inputBoxes, Grain input, Grain self, BoxRange inputExtent)
        {
            var same = GrainMath.Convert(input, inputBoxes, self);
            return new BoxRange(same.Start, same.End + (Boxes - 1));
        }

        public override string Describe() => $"window of {Boxes} boxes";
    }

    private sealed record AllUpToMapping : PartitionMapping
    {
        public override BoxRange InputsOf(BoxRange boxes, Grain self, Grain input, BoxRange inputExtent) =>
            new(BoxRange.Everything.Start, GrainMath.Convert(self, boxes, input).End);

        public override BoxRange ReadersOf(BoxRange inputBoxes, Grain input, Grain self, BoxRange inputExtent) =>
            new(GrainMath.Convert(input, inputBoxes, self).Start, BoxRange.Everything.End);

        public override string Describe() => "all boxes up to this one";
    }

    private sealed record LatestMapping : PartitionMapping
    {
        public override BoxRange InputsOf(BoxRange boxes, Grain self, Grain input, BoxRange inputExtent) =>
            inputExtent.IsEmpty ? inputExtent : BoxRange.Single(inputExtent.End);

        public override BoxRange ReadersOf(BoxRange inputBoxes, Grain input, Grain self, BoxRange inputExtent) =>
            !inputExtent.IsEmpty && inputBoxes.Contains(inputExtent.End) ? BoxRange.Everything : new BoxRange(0, -1);

        public override BoxRange ExtentFrom(BoxRange inputExtent, Grain input, Grain self) => BoxRange.Everything;

        public override string Describe() => "latest box";
    }
}
