using Takt.Boxes;

namespace Takt.Tests.Unit;

public class BoxSetTests
{
    private static BoxSet Set(params (long Start, long End)[] ranges) => BoxSet.Of(ranges.Select(r => new BoxRange(r.Start, r.End)));

    private static (long, long)[] RangesOf(BoxSet set) => set.Ranges.Select(r => (r.Start, r.End)).ToArray();

    [Fact]
    public void OfBoxes_sorts_and_merges_adjacent_and_duplicate_boxes()
    {
        var set = BoxSet.OfBoxes([7, 3, 1, 2, 3, 5, 8]);

        Assert.Equal([(1L, 3L), (5L, 5L), (7L, 8L)], RangesOf(set));
        Assert.Equal(6, set.Count);
        Assert.Equal(1, set.Min);
        Assert.Equal(8, set.Max);
        Assert.Equal([1L, 2, 3, 5, 7, 8], set.ToArray());
    }

    [Fact]
    public void Of_ranges_normalizes_overlaps_adjacency_and_empty_ranges()
    {
        var set = Set((10, 12), (1, 4), (3, 6), (7, 7), (20, 19));

        Assert.Equal([(1L, 7L), (10L, 12L)], RangesOf(set));
        Assert.Equal(10, set.Count);
    }

    [Fact]
    public void Union_merges_overlapping_and_adjacent_ranges()
    {
        var union = Set((1, 3), (10, 12)).Union(Set((4, 6), (11, 15), (30, 30)));

        Assert.Equal([(1L, 6L), (10L, 15L), (30L, 30L)], RangesOf(union));
        Assert.Equal(13, union.Count);
    }

    [Fact]
    public void Union_with_empty_is_identity()
    {
        var set = Set((1, 3));
        Assert.Same(set, set.Union(BoxSet.Empty));
        Assert.Same(set, BoxSet.Empty.Union(set));
        Assert.True(BoxSet.Empty.Union(BoxSet.Empty).IsEmpty);
    }

    [Fact]
    public void Intersect_keeps_only_common_boxes_across_many_ranges()
    {
        var left = Set((1, 10), (20, 30), (40, 50));
        var right = Set((5, 22), (25, 25), (29, 41), (60, 70));

        var both = left.Intersect(right);

        Assert.Equal([(5L, 10L), (20L, 22L), (25L, 25L), (29L, 30L), (40L, 41L)], RangesOf(both));
        Assert.Equal(6 + 3 + 1 + 2 + 2, both.Count);
        Assert.Equal(RangesOf(both), RangesOf(right.Intersect(left)));
    }

    [Fact]
    public void Intersect_of_disjoint_sets_is_empty()
    {
        Assert.True(Set((1, 3)).Intersect(Set((4, 9))).IsEmpty);
        Assert.True(Set((1, 3)).Intersect(BoxSet.Empty).IsEmpty);
        Assert.Equal([(5L, 6L)], RangesOf(Set((1, 10)).Intersect(new BoxRange(5, 6))));
    }

    [Fact]
    public void Except_cuts_holes_and_trims_edges()
    {
        var result = Set((1, 10)).Except(Set((0, 0), (3, 4), (8, 8), (10, 15)));

        Assert.Equal([(1L, 2L), (5L, 7L), (9L, 9L)], RangesOf(result));
        Assert.Equal(6, result.Count);
    }

    [Fact]
    public void Except_with_a_range_spanning_several_ranges()
    {
        var result = Set((1, 3), (6, 9), (12, 14)).Except(Set((2, 7), (13, 13)));

        Assert.Equal([(1L, 1L), (8L, 9L), (12L, 12L), (14L, 14L)], RangesOf(result));
    }

    [Fact]
    public void Except_everything_is_empty_and_except_nothing_is_identity()
    {
        var set = Set((1, 3), (7, 9));
        Assert.True(set.Except(Set((0, 100))).IsEmpty);
        Assert.Equal(RangesOf(set), RangesOf(set.Except(BoxSet.Empty)));
        Assert.Equal(RangesOf(set), RangesOf(set.Except(Set((4, 6)))));
    }

    [Fact]
    public void Contains_finds_boxes_in_every_range_and_none_in_gaps()
    {
        var set = Set((1, 3), (10, 10), (20, 25));

        foreach (var box in new long[] { 1, 2, 3, 10, 20, 22, 25 }) Assert.True(set.Contains(box), $"should contain {box}");
        foreach (var box in new long[] { 0, 4, 9, 11, 19, 26, -5 }) Assert.False(set.Contains(box), $"should not contain {box}");
        Assert.False(BoxSet.Empty.Contains(0));
    }

    [Fact]
    public void Large_ranges_are_counted_without_enumeration()
    {
        var tenYears = BoxSet.Of(new BoxRange(0, 3649));
        var set = tenYears.Except(BoxSet.OfBoxes([100, 200])).Union(BoxSet.Of(new BoxRange(1_000_000, 1_999_999)));

        Assert.Equal(3650 - 2 + 1_000_000, set.Count);
        Assert.Equal(4, set.Ranges.Count);
    }

    [Fact]
    public void Min_and_Max_of_empty_set_throw()
    {
        Assert.Throws<InvalidOperationException>(() => BoxSet.Empty.Min);
        Assert.Throws<InvalidOperationException>(() => BoxSet.Empty.Max);
        Assert.Equal(0, BoxSet.Empty.Count);
    }

    [Fact]
    public void SelectRanges_maps_and_renormalizes()
    {
        var shifted = Set((1, 2), (5, 6)).SelectRanges(r => new BoxRange(r.Start, r.End + 2));

        Assert.Equal([(1L, 8L)], RangesOf(shifted));
    }

    [Fact]
    public void BoxRange_basics()
    {
        var range = new BoxRange(5, 9);
        Assert.Equal(5, range.Count);
        Assert.True(range.Contains(5));
        Assert.True(range.Contains(9));
        Assert.False(range.Contains(10));
        Assert.True(new BoxRange(3, 2).IsEmpty);
        Assert.Equal(0, new BoxRange(3, 2).Count);
        Assert.Equal(new BoxRange(7, 9), range.Intersect(new BoxRange(7, 20)));
        Assert.True(range.Intersect(new BoxRange(10, 20)).IsEmpty);
    }
}
