using Takt.Boxes;
using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>What every <see cref="IBoxLedger"/> must do: commit outcomes, the andon and override, the change sequence, invalidation ranges.</summary>
public abstract class BoxLedgerContract<TStore> : LedgerContract<TStore> where TStore : ILedgerStore, new()
{
    [Fact]
    public void A_new_usable_version_is_committed_and_the_pointer_and_head_name_it_at_a_new_sequence()
    {
        var before = Ledger.CurrentSeq();

        Assert.Equal(CommitOutcome.Committed, Commit(Version("v1")));

        var box = Box(Ledger, "raw.a", 1)!;
        Assert.Equal(("v1", "v1", BoxHeadStatus.Ok), (box.CurrentVersion, box.HeadVersion, box.HeadStatus));
        Assert.True(box.Seq > before);
        Assert.Equal(box.Seq, Ledger.CurrentSeq());
    }

    [Fact]
    public void The_same_version_committed_again_is_already_current_and_moves_no_sequence()
    {
        Commit(Version("v1"));
        var seq = Ledger.CurrentSeq();

        Assert.Equal(CommitOutcome.AlreadyCurrent, Commit(Version("v1")));

        Assert.Equal(seq, Ledger.CurrentSeq());
        Assert.Equal(seq, Box(Ledger, "raw.a", 1)!.Seq);
    }

    [Fact]
    public void A_version_whose_input_moved_while_it_was_built_is_kept_but_the_pointer_stays()
    {
        Commit(Version("in-1", "raw.a", 1));
        Assert.Equal(CommitOutcome.Committed, Commit(Version("out-1", "core.b", 1), new LineageEdge("raw.a", 1, "in-1")));
        Commit(Version("in-2", "raw.a", 1, code: "code-2"));

        Assert.Equal(CommitOutcome.InputsMoved, Commit(Version("out-2", "core.b", 1, code: "code-2"), new LineageEdge("raw.a", 1, "in-1")));

        Assert.Equal("out-1", Box(Ledger, "core.b", 1)!.CurrentVersion);
        Assert.NotNull(Ledger.FindVersion("out-2"));
    }

    [Fact]
    public void A_commit_records_the_versions_lineage_checks_and_shape()
    {
        Commit(Version("in-1", "raw.a", 1));
        var check = new CheckResult("not_null(id)", "not_null", "block", true, 0, "ok");
        Commit(Ledger, Version("out-1", "core.b", 1), [check], new LineageEdge("raw.a", 1, "in-1"));

        Assert.Equal([new LineageEdge("raw.a", 1, "in-1")], Ledger.InputsOf("out-1"));
        Assert.Equal([check], Ledger.CheckResults("out-1"));
        Assert.Equal(new VersionShape(10, 100, "[]"), Ledger.Shapes(["out-1", "unknown"]).Single().Value);
        Assert.Equal(VersionStatus.Committed, Ledger.FindVersion("out-1")!.Status);
        Assert.Equal(["in-1"], Ledger.Versions("raw.a", BoxRange.Everything).Select(v => v.Id));
    }

    [Fact]
    public void A_quarantined_version_stops_the_box_and_leaves_the_pointer_where_it_was()
    {
        Commit(Version("v1"));

        Assert.Equal(CommitOutcome.Committed, Commit(Version("v2", status: VersionStatus.Quarantined, code: "code-2")));

        var box = Box(Ledger, "raw.a", 1)!;
        Assert.Equal(("v1", "v2", BoxHeadStatus.Quarantined), (box.CurrentVersion, box.HeadVersion, box.HeadStatus));
        Assert.Equal([1L], Ledger.QuarantinedBoxes(Env, "raw.a").Select(b => b.Box));
        Assert.Equal(1, Ledger.Summarize(Env, "raw.a").Quarantined);
        Assert.Contains(Ledger.Events("raw.a", 10), e => e.Kind == EventKind.Andon && e.VersionId == "v2");
    }

    [Fact]
    public void The_planners_facts_of_boxes_are_the_boxes_with_their_code_compared()
    {
        Commit(Version("v1", box: 1));
        Commit(Version("v2", box: 2, code: "code-2"));
        Commit(Version("v3", box: 3));
        Commit(Version("v3q", box: 3, status: VersionStatus.Quarantined));
        Commit(Version("v9", box: 9));

        var facts = Ledger.PlanningFacts(Env, "raw.a", new BoxRange(2, 9), Version("any").CodeHash);

        var boxes = Ledger.Boxes(Env, "raw.a", new BoxRange(2, 9));
        Assert.Equal(boxes.Select(b => (b.Box, b.Seq, b.Generation, b.HeadStatus, b.CodeHash == Version("any").CodeHash)),
            Enumerable.Range(0, facts.Count).Select(i => (facts.Boxes[i], facts.Seqs[i], facts.Generations[i], facts.Statuses[i], facts.CodeMatches[i])));
        Assert.Equal([2L, 3, 9], facts.Boxes);
        Assert.Equal([false, true, true], facts.CodeMatches);
        Assert.Equal(BoxHeadStatus.Quarantined, facts.Statuses[1]);
    }

    [Fact]
    public void An_override_releases_the_quarantined_head_to_readers_and_records_why()
    {
        Commit(Version("v1"));
        Commit(Version("v2", status: VersionStatus.Quarantined, code: "code-2"));
        var seq = Ledger.CurrentSeq();

        var released = Ledger.Override(Env, "raw.a", 1, "checked by hand");

        Assert.Equal(("v2", VersionStatus.Overridden), (released?.Id, released?.Status));
        var box = Box(Ledger, "raw.a", 1)!;
        Assert.Equal(("v2", "v2", BoxHeadStatus.Ok), (box.CurrentVersion, box.HeadVersion, box.HeadStatus));
        Assert.True(box.Seq > seq);
        Assert.Equal(VersionStatus.Overridden, Ledger.FindVersion("v2")!.Status);
        Assert.Contains(Ledger.Events("raw.a", 10), e => e.Kind == EventKind.Override && e.Message == "checked by hand");
        Assert.Empty(Ledger.QuarantinedBoxes(Env, "raw.a"));
    }

    [Fact]
    public void An_override_of_a_box_that_is_not_stopped_changes_nothing()
    {
        Commit(Version("v1"));
        var seq = Ledger.CurrentSeq();

        Assert.Null(Ledger.Override(Env, "raw.a", 1, "nothing to release"));
        Assert.Null(Ledger.Override(Env, "raw.a", 2, "no such box"));

        Assert.Equal(seq, Ledger.CurrentSeq());
        Assert.DoesNotContain(Ledger.Events(null, 10), e => e.Kind == EventKind.Override);
    }

    [Fact]
    public void The_change_sequence_grows_with_every_change_of_a_box_and_is_one_for_all_ledgers_on_the_store()
    {
        var other = OpenAnother();
        var seen = new List<long> { Ledger.CurrentSeq() };
        Commit(Version("a1", "raw.a", 1));
        seen.Add(Ledger.CurrentSeq());
        Commit(other, Version("b1", "raw.b", 1), []);
        seen.Add(Ledger.CurrentSeq());
        Commit(Version("a2", "raw.a", 1, status: VersionStatus.Quarantined, code: "code-2"));
        seen.Add(other.CurrentSeq());
        other.Override(Env, "raw.a", 1, "released");
        seen.Add(Ledger.CurrentSeq());
        Ledger.Invalidate("raw.b", BoxRange.Single(1), "box-1", 1, "bad input");
        seen.Add(other.CurrentSeq());

        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.Second > p.First), string.Join(" ", seen));
        Assert.Equal(Ledger.CurrentSeq(), other.CurrentSeq());
        Assert.All(Ledger.Boxes(Env, "raw.a", BoxRange.Everything).Concat(other.Boxes(Env, "raw.b", BoxRange.Everything)),
            b => Assert.True(b.Seq <= Ledger.CurrentSeq()));
    }

    [Fact]
    public void A_commit_is_seen_at_once_by_another_ledger_on_the_same_store()
    {
        var other = OpenAnother();
        other.Boxes(Env, "raw.a", BoxRange.Everything); // a reader that looked before the commit sees it after, too

        Commit(Version("v1"));

        Assert.Equal("v1", Box(other, "raw.a", 1)?.CurrentVersion);
        Assert.Equal("v1", other.FindVersion("v1")?.Id);
        Assert.Equal(Ledger.CurrentSeq(), other.CurrentSeq());
        Assert.Equal(new DatasetSummary(1, 1, 1, Ledger.CurrentSeq(), 0, Ledger.CurrentSeq()), other.Summarize(Env, "raw.a"));
    }

    [Fact]
    public void Invalidations_are_kept_as_ranges_and_each_box_counts_the_ranges_over_it()
    {
        Ledger.Invalidate("raw.a", new BoxRange(10, 12), "10..12", 3, "first");
        var afterFirst = Ledger.CurrentSeq();
        Ledger.Invalidate("raw.a", BoxRange.Single(11), "11", 1, "second");
        // As wide as a dataset can be: one record, whatever the width.
        Ledger.Invalidate("raw.b", new BoxRange(0, 1_000_000_000_000), "everything", 1_000_000_000_001, "all");

        var a = Ledger.Generations("raw.a", new BoxRange(0, 100));
        Assert.Equal([0, 1, 2, 1, 0], new long[] { 9, 10, 11, 12, 13 }.Select(a.Of));
        Assert.Equal(1, Ledger.Generations("raw.b", BoxRange.Single(500_000_000_000)).Of(500_000_000_000));
        Assert.Equal(0, Ledger.Generations("raw.c", BoxRange.Everything).Of(11));
        Assert.True(Ledger.MaxGenerationSeq("raw.a") > afterFirst);
        Assert.Equal(0, Ledger.MaxGenerationSeq("raw.c"));
        Assert.Contains(Ledger.Events("raw.a", 10), e => e.Kind == EventKind.Invalidate);
        Assert.Throws<ArgumentException>(() => Ledger.Invalidate("raw.a", new BoxRange(5, 4), "none", 0, "nothing"));
    }

    [Fact]
    public void A_freshness_stamp_never_goes_back_to_a_smaller_sequence()
    {
        Ledger.SetStamps(Env, new Dictionary<string, FreshStamp> { ["raw.a"] = new("code-1", 5) });
        Ledger.SetStamps(Env, new Dictionary<string, FreshStamp> { ["raw.a"] = new("code-0", 3) });

        Assert.Equal(new FreshStamp("code-1", 5), Ledger.Stamp(Env, "raw.a"));
        Assert.Null(Ledger.Stamp(Env, "raw.b"));
    }

    [Fact]
    public void Boxes_are_listed_in_order_and_counted_by_range()
    {
        foreach (var box in new long[] { 7, 3, 5 }) Commit(Version($"v{box}", box: box));

        Assert.Equal([3L, 5, 7], Ledger.BoxList(Env, "raw.a"));
        Assert.Equal([3L, 5], Ledger.Boxes(Env, "raw.a", new BoxRange(0, 6)).Select(b => b.Box));
        Assert.Equal(2, Ledger.CountBoxes(Env, "raw.a", new BoxRange(4, 100)));
        Assert.Equal(0, Ledger.CountBoxes("dev", "raw.a", BoxRange.Everything));
    }
}
