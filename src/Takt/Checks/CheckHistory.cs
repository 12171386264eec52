using Takt.Boxes;
using Takt.Ledger;

namespace Takt.Checks;

/// <summary>What checks that judge a box against its past may ask about the boxes before the one being checked.</summary>
internal interface ICheckHistory
{
    /// <summary>
    /// Row counts of the current versions of the dataset's boxes among the <paramref name="lookback"/> boxes before the checked one,
    /// oldest first. Boxes without a usable version are left out, so the list may be shorter than <paramref name="lookback"/>.
    /// </summary>
    IReadOnlyList<long> PreviousRowCounts(int lookback);
}

/// <summary>No earlier boxes at all: history checks pass, saying there is nothing to compare with.</summary>
internal sealed class NoCheckHistory : ICheckHistory
{
    public static NoCheckHistory Instance { get; } = new();

    public IReadOnlyList<long> PreviousRowCounts(int lookback) => [];
}

/// <summary>A box's history as the ledger has it in one environment: the current versions of the boxes before it.</summary>
internal sealed class LedgerCheckHistory(IProfileLedger ledger, string env, string dataset, long box) : ICheckHistory
{
    public IReadOnlyList<long> PreviousRowCounts(int lookback) =>
        lookback < 1 ? [] : ledger.CurrentRowCounts(env, dataset, new BoxRange(box - lookback, box - 1)).Select(r => r.Rows).ToArray();
}

/// <summary>Fixed row counts, for tests and for judging a box against a history read elsewhere.</summary>
internal sealed class FixedCheckHistory(IReadOnlyList<long> previousRowCounts) : ICheckHistory
{
    public IReadOnlyList<long> PreviousRowCounts(int lookback) =>
        lookback < 1 ? [] : previousRowCounts.Skip(Math.Max(0, previousRowCounts.Count - lookback)).ToArray();
}
