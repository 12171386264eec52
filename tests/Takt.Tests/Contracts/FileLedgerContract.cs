using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>
/// What every <see cref="IFileLedger"/> must do: what gc may collect (never a version a pointer, head, source head,
/// live publish copy or another run's lease names), no commit pointing at a version being collected, files recorded,
/// lost and made again.
/// </summary>
public abstract class FileLedgerContract<TStore> : LedgerContract<TStore> where TStore : ILedgerStore, new()
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(1);
    private long Later => NowMs + 1;

    /// <summary>raw.a box 1: old (replaced, named by nothing), current (the pointer), stopped (a quarantined head) .</summary>
    private void ThreeVersionsOfOneBox()
    {
        Commit(Version("old"));
        Commit(Version("current", code: "code-2"));
        Commit(Version("stopped", status: VersionStatus.Quarantined, code: "code-3"));
    }

    [Fact]
    public void Gc_may_collect_only_versions_that_no_pointer_or_head_names()
    {
        ThreeVersionsOfOneBox();

        Assert.Equal(["old"], Ledger.CollectableVersions(Later).Select(v => v.Id));
        Assert.Empty(Ledger.CollectableVersions(createdBeforeMs: 0)); // created at 0: not before the cutoff
    }

    [Fact]
    public void Gc_never_collects_what_landed_last_for_a_source_box_nor_a_live_publish_copy()
    {
        ThreeVersionsOfOneBox();
        Commit(Version("published", box: 2));
        Commit(Version("published-2", box: 2, code: "code-2"));
        Ledger.SetSourceHead("raw.a", 1, "old");
        Ledger.RecordCopy(new PublicationRecord("raw.a", "db", "copy-1", Env, NowMs, 10, ["published"], Live: false, DroppedAtMs: null));

        Assert.Empty(Ledger.CollectableVersions(Later));

        Ledger.MarkDropped("raw.a", "db", "copy-1");
        Assert.Equal(["published"], Ledger.CollectableVersions(Later).Select(v => v.Id));
    }

    [Fact]
    public void Collecting_checks_the_references_again_and_skips_a_version_another_run_holds()
    {
        ThreeVersionsOfOneBox();
        Commit(Version("leased", box: 2));
        Commit(Version("current-2", box: 2, code: "code-2"));
        var candidates = Ledger.CollectableVersions(Later).Select(v => v.Id).ToArray();
        Assert.Equal(["old", "leased"], candidates);
        Ledger.TryAcquireLease("leased", "build-run", Ttl);
        Assert.Equal(CommitOutcome.Committed, OpenAnother().Adopt(Env, Ledger.FindVersion("old")!, [])); // a build points at it again

        var batch = Ledger.BeginCollecting(candidates, "gc-run", Ttl);

        Assert.Empty(batch.Marked);
        Assert.Equal(2, batch.InUse);
        Assert.Equal(VersionFileState.Present, Ledger.FindVersion("old")!.FileState);
    }

    [Fact]
    public void No_build_may_point_at_a_version_once_gc_began_collecting_it()
    {
        ThreeVersionsOfOneBox();
        var batch = Ledger.BeginCollecting(["old"], "gc-run", Ttl);
        Assert.Equal(["old"], batch.Marked.Select(v => v.Id));
        Assert.Equal("gc-run", Ledger.LeaseHolder("old"));
        var old = Ledger.FindVersion("old")!;
        Assert.Equal(VersionFileState.Collecting, old.FileState);

        Assert.Equal(CommitOutcome.FilesGone, Ledger.Adopt(Env, old, []));
        Assert.Equal(CommitOutcome.FilesGone, Ledger.MarkQuarantined(Env, old with { Status = VersionStatus.Quarantined }));
        Assert.Equal("current", Box(Ledger, "raw.a", 1)!.CurrentVersion);
    }

    [Fact]
    public void Collected_files_are_recorded_gone_and_a_build_that_makes_them_again_brings_the_version_back()
    {
        ThreeVersionsOfOneBox();
        Ledger.BeginCollecting(["old"], "gc-run", Ttl);
        Ledger.FinishCollecting(["old"], "gc-run");

        var stored = Ledger.StoredFiles(["old", "current"]);
        Assert.Equal((VersionFileState.Collected, 0), (stored["old"].State, stored["old"].Files.Count));
        Assert.Equal(FilesOf(Version("current")), stored["current"].Files);
        Assert.Null(Ledger.LeaseHolder("old"));
        Assert.DoesNotContain("old", Ledger.CollectableVersions(Later).Select(v => v.Id));

        Assert.Equal(CommitOutcome.Committed, Commit(Version("old")));
        Assert.Equal(VersionFileState.Present, Ledger.FindVersion("old")!.FileState);
        Assert.Equal("old", Box(Ledger, "raw.a", 1)!.CurrentVersion);
    }

    [Fact]
    public void A_gc_run_that_gives_versions_back_leaves_them_present_and_another_run_can_take_over_an_interrupted_one()
    {
        ThreeVersionsOfOneBox();
        Commit(Version("old-2", box: 2));
        Commit(Version("current-2", box: 2, code: "code-2"));
        Ledger.BeginCollecting(["old", "old-2"], "gc-run", Ttl);

        Ledger.AbandonCollecting(["old"], "gc-run");
        Assert.Equal(VersionFileState.Present, Ledger.FindVersion("old")!.FileState);
        // A version an interrupted gc left being collected is collectable whatever its age.
        Assert.Equal(["old-2"], Ledger.CollectableVersions(createdBeforeMs: 0).Select(v => v.Id));

        Assert.True(Ledger.TakeOverCollecting("old-2", "gc-run-2"));
        Assert.False(Ledger.TakeOverCollecting("old", "gc-run-2")); // not being collected
        Ledger.FinishCollecting(["old-2"], "gc-run-2");
        Assert.Equal(VersionFileState.Collected, Ledger.FindVersion("old-2")!.FileState);
    }

    [Fact]
    public void A_version_found_lost_marks_the_boxes_that_point_at_it_and_a_build_that_makes_it_again_restores_them()
    {
        Commit(Version("v1"));
        var seq = Ledger.CurrentSeq();

        Assert.Equal(1, Ledger.MarkLost("v1", "part-0.parquet missing"));
        Assert.Equal(0, Ledger.MarkLost("v1", "part-0.parquet missing")); // already lost

        var box = Box(Ledger, "raw.a", 1)!;
        Assert.Equal(("v1", BoxHeadStatus.Lost), (box.CurrentVersion, box.HeadStatus));
        Assert.True(box.Seq > seq);
        Assert.Equal(VersionFileState.Lost, Ledger.FindVersion("v1")!.FileState);
        Assert.Contains(Ledger.Events("raw.a", 10), e => e.Kind == EventKind.Lost && e.VersionId == "v1");
        Assert.Equal(CommitOutcome.FilesGone, Ledger.Adopt(Env, Ledger.FindVersion("v1")!, []));

        Assert.Equal(CommitOutcome.Committed, Commit(Version("v1")));
        Assert.Equal(BoxHeadStatus.Ok, Box(Ledger, "raw.a", 1)!.HeadStatus);
        Assert.Equal(VersionFileState.Present, Ledger.FindVersion("v1")!.FileState);
    }

    [Fact]
    public void Files_are_recorded_once_for_a_version_that_had_none_and_versions_in_use_name_their_environments()
    {
        Ledger.Commit(new CommitRequest(Env, Version("v1"), [], [], null)); // committed before file records existed
        OpenAnother().EnsureEnvironment("dev");
        Ledger.Commit(new CommitRequest("dev", Version("v1"), [], [], null));
        Ledger.SetSourceHead("raw.a", 2, "v1");

        Ledger.RecordFiles("v1", [new VersionFile("a.parquet", 100, Sha)]);
        Ledger.RecordFiles("v1", [new VersionFile("b.parquet", 100, Sha)]); // has files now: ignored

        Assert.Equal(["a.parquet"], Ledger.StoredFiles(["v1"])["v1"].Files.Select(f => f.Name));
        var inUse = Assert.Single(Ledger.VersionsInUse(null));
        Assert.Equal("v1", inUse.Version.Id);
        Assert.Equal(["dev", "prod"], inUse.Environments.Order());
        Assert.Equal(["prod"], Assert.Single(Ledger.VersionsInUse(Env)).Environments);
    }
}
