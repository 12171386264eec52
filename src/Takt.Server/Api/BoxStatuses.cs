using System.Collections;
using System.Text;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Planning;

namespace Takt.Server.Api;

/// <summary>
/// The status of every box of a range, one character each (<see cref="BoxStatus"/>), computed set by set from the
/// plan and the ledger's rows rather than box by box: the boxes in the extent are missing, those with a usable version
/// fresh, then what the plan rebuilds, holds back or stops overrides that, the most severe last.
/// </summary>
public static class BoxStatuses
{
    public static char[] Of(DatasetPlan? plan, BoxRange range, IReadOnlyList<BoxState> rows)
    {
        var cells = new char[range.Count];
        Array.Fill(cells, BoxStatus.None);
        if (plan is null) return cells;
        Set(cells, range, BoxSet.Of(plan.Extent), BoxStatus.Missing);
        var usable = new BitArray(cells.Length);
        foreach (var row in rows)
        {
            if (!range.Contains(row.Box)) continue;
            var i = (int)(row.Box - range.Start);
            if (row.CurrentVersion is not null) (cells[i], usable[i]) = (BoxStatus.Fresh, true);
            if (row.IsQuarantined) cells[i] = BoxStatus.Quarantined;
        }
        // Planned with a version readers can use: stale (rebuilt because code, inputs or an invalidation changed); without one: missing.
        foreach (var r in plan.Planned.Ranges)
            for (var box = Math.Max(r.Start, range.Start); box <= Math.Min(r.End, range.End); box++)
                cells[box - range.Start] = usable[(int)(box - range.Start)] ? BoxStatus.Stale : BoxStatus.Missing;
        Set(cells, range, plan.WaitingBoxes, BoxStatus.Waiting);
        Set(cells, range, plan.BlockedBoxes, BoxStatus.Blocked);
        Set(cells, range, plan.Quarantined, BoxStatus.Quarantined);
        return cells;
    }

    private static void Set(char[] cells, BoxRange range, BoxSet boxes, char status)
    {
        foreach (var r in boxes.Ranges)
        {
            var part = r.Intersect(range);
            if (!part.IsEmpty) Array.Fill(cells, status, (int)(part.Start - range.Start), (int)part.Count);
        }
    }

    /// <summary>One character per day from <paramref name="from"/> to <paramref name="to"/>: the worst of the boxes in it (a month's for each of its days).</summary>
    public static string Days(Grain grain, char[] boxes, BoxRange range, DateOnly from, DateOnly to)
    {
        var days = to.DayNumber - from.DayNumber + 1;
        var cells = new char[days];
        for (var i = 0; i < days; i++)
        {
            var day = DateOnly.FromDayNumber(from.DayNumber + i);
            cells[i] = grain switch
            {
                Grain.Daily => boxes[i],
                Grain.Monthly => boxes[day.Year * 12L + day.Month - 1 - range.Start],
                Grain.Unpartitioned => boxes[0],
                Grain.Hourly => Worst(boxes.AsSpan(i * 24, 24)),
                _ => BoxStatus.None,
            };
        }
        return new string(cells);
    }

    private static char Worst(ReadOnlySpan<char> statuses)
    {
        var worst = statuses[0];
        foreach (var s in statuses)
            if (BoxStatus.Severity(s) > BoxStatus.Severity(worst)) worst = s;
        return worst;
    }

    /// <summary>Run-length encoded: each run is its status character and its length, <c>f1008q1f20</c>.</summary>
    public static string Runs(char[] boxes)
    {
        var text = new StringBuilder();
        for (var start = 0; start < boxes.Length;)
        {
            var end = start + 1;
            while (end < boxes.Length && boxes[end] == boxes[start]) end++;
            text.Append(boxes[start]).Append(end - start);
            start = end;
        }
        return text.ToString();
    }

    /// <summary>The boxes of a page: those of its days (the months they fall in, or the one box of an unpartitioned dataset).</summary>
    public static BoxRange RangeOf(Dataset dataset, DateOnly from, DateOnly to) =>
        dataset.Grain == Grain.Unpartitioned ? BoxRange.Single(GrainMath.UnpartitionedBox) : GrainMath.FromDates(dataset.Grain, from, to);
}
