using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>
/// What every <see cref="IBoxLedger.CommitAll"/> must do: each version of a batch gets the outcome it would have had
/// committed alone (in the batch's order), a request that fails leaves nothing of itself and spoils no other, and the
/// batch is written all together or not at all.
/// </summary>
public abstract class GroupCommitContract<TStore> : LedgerContract<TStore> where TStore : ILedgerStore, new()
{
    private static CommitRequest Request(VersionRecord v, params LineageEdge[] inputs) => new(Env, v, inputs, [], null) { Files = FilesOf(v) };

    [Fact]
    public void Each_version_of_a_batch_gets_the_outcome_it_would_have_alone_new_quarantined_conflicting_or_already_current()
    {
        Commit(Version("in-1", "raw.a", 1));
        Commit(Version("out-1", "core.b", 1), new LineageEdge("raw.a", 1, "in-1"));
        Commit(Version("in-2", "raw.a", 1, code: "code-2"));

        var results = Ledger.CommitAll([
            Request(Version("new", "raw.a", 2)),
            Request(Version("stopped", "raw.a", 3, status: VersionStatus.Quarantined)),
            Request(Version("out-2", "core.b", 1, code: "code-2"), new LineageEdge("raw.a", 1, "in-1")), // its input moved on to in-2
            Request(Version("in-2", "raw.a", 1, code: "code-2")),
        ]);

        Assert.Equal([CommitOutcome.Committed, CommitOutcome.Committed, CommitOutcome.InputsMoved, CommitOutcome.AlreadyCurrent],
            results.Select(r => r.Outcome));
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(("new", BoxHeadStatus.Ok), (Box(Ledger, "raw.a", 2)!.CurrentVersion, Box(Ledger, "raw.a", 2)!.HeadStatus));
        var stopped = Box(Ledger, "raw.a", 3)!;
        Assert.Equal((null, "stopped", BoxHeadStatus.Quarantined), (stopped.CurrentVersion, stopped.HeadVersion, stopped.HeadStatus));
        Assert.Contains(Ledger.Events("raw.a", 10), e => e.Kind == EventKind.Andon && e.VersionId == "stopped");
        Assert.Equal("out-1", Box(Ledger, "core.b", 1)!.CurrentVersion);
        Assert.NotNull(Ledger.FindVersion("out-2")); // kept, as alone
    }

    [Fact]
    public void A_later_version_of_a_batch_sees_the_earlier_ones_commit_as_if_committed_one_after_the_other()
    {
        Commit(Version("in-1", "raw.a", 1));

        var inputFirst = Ledger.CommitAll([
            Request(Version("in-2", "raw.a", 1, code: "code-2")),
            Request(Version("out-2", "core.b", 1), new LineageEdge("raw.a", 1, "in-2")),
        ]);
        var outputFirst = Ledger.CommitAll([
            Request(Version("out-3", "core.b", 2), new LineageEdge("raw.a", 1, "in-3")),
            Request(Version("in-3", "raw.a", 1, code: "code-3")),
        ]);

        Assert.Equal([CommitOutcome.Committed, CommitOutcome.Committed], inputFirst.Select(r => r.Outcome));
        Assert.Equal([CommitOutcome.InputsMoved, CommitOutcome.Committed], outputFirst.Select(r => r.Outcome));
        Assert.Equal("out-2", Box(Ledger, "core.b", 1)!.CurrentVersion);
        Assert.Null(Box(Ledger, "core.b", 2));
    }

    [Fact]
    public void A_request_that_fails_leaves_nothing_of_itself_and_the_rest_of_its_batch_commits()
    {
        var broken = Request(Version("broken", "raw.a", 2)) with { Files = [new VersionFile("part-0.parquet", 100, "not a sha-256")] };

        var results = Ledger.CommitAll([Request(Version("first", "raw.a", 1)), broken, Request(Version("last", "raw.a", 3))]);

        Assert.Equal(CommitOutcome.Committed, results[0].Outcome);
        Assert.NotNull(results[1].Error);
        Assert.Equal(CommitOutcome.Committed, results[2].Outcome);
        Assert.Null(Ledger.FindVersion("broken")); // its version row was written before its files failed, and is undone
        Assert.Null(Box(Ledger, "raw.a", 2));
        Assert.Equal(["first", "last"], Reopen().Versions("raw.a", Takt.Boxes.BoxRange.Everything).Select(v => v.Id));
    }

    [Fact]
    public void A_batch_whose_write_fails_before_it_commits_keeps_none_of_its_versions()
    {
        var seq = Ledger.CurrentSeq();

        Assert.ThrowsAny<Exception>(() => Ledger.CommitAll([Request(Version("a", "raw.a", 1)), Request(Version("b", "raw.a", 2))],
            written: i => { if (i == 1) throw new IOException("the process dies here"); }));

        var reopened = Reopen();
        Assert.Null(reopened.FindVersion("a"));
        Assert.Null(reopened.FindVersion("b"));
        Assert.Equal(seq, reopened.CurrentSeq());
    }

    [Fact]
    public void Another_instance_sees_a_committed_batch_whole()
    {
        Ledger.CommitAll([Request(Version("a", "raw.a", 1)), Request(Version("b", "raw.a", 2))]);

        var other = OpenAnother();
        Assert.Equal(["a", "b"], other.Boxes(Env, "raw.a", Takt.Boxes.BoxRange.Everything).Select(b => b.CurrentVersion));
    }
}
