using Takt.Boxes;

namespace Takt.Ledger;

public partial interface IBoxLedger
{
    /// <summary>
    /// What the planner compares of the environment's boxes of the dataset in <paramref name="range"/> (inclusive), by
    /// box, with whether each head was made under <paramref name="codeHash"/>: the same boxes as <see cref="Boxes"/>,
    /// without the version ids (a cold plan reads millions of boxes).
    /// </summary>
    BoxFacts PlanningFacts(string env, string dataset, BoxRange range, string codeHash);
}

/// <summary>Boxes as the planner compares them, one array per column, in box order.</summary>
public sealed class BoxFacts(long[] boxes, long[] seqs, int[] generations, BoxHeadStatus[] statuses, bool[] codeMatches)
{
    public int Count => Boxes.Length;
    public long[] Boxes { get; } = boxes;
    public long[] Seqs { get; } = seqs;
    public int[] Generations { get; } = generations;
    public BoxHeadStatus[] Statuses { get; } = statuses;
    /// <summary>Whether the box's head was made under the code hash the facts were read for.</summary>
    public bool[] CodeMatches { get; } = codeMatches;
}
