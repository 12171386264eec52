using Takt.Boxes;
using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>What every <see cref="ILandingLedger"/> must do: landed files remembered, problems reported once, source heads adopted.</summary>
public abstract class LandingLedgerContract : LedgerContract
{
    [Fact]
    public void Landed_files_are_remembered_by_path_and_replaced_when_they_change()
    {
        Ledger.RecordLandedFiles("raw.a", [new LandedFile("a/1.jsonl", 10, 100, Sha, "1:1"), new LandedFile("a/2.jsonl", 20, 200, Sha, "2:2")]);
        Ledger.RecordLandedFiles("raw.a", [new LandedFile("a/1.jsonl", 11, 101, Sha, "1:1")]);

        var files = OpenAnother().LandedFiles("raw.a");
        Assert.Equal(new LandedFile("a/1.jsonl", 11, 101, Sha, "1:1"), files["a/1.jsonl"]);
        Assert.Equal(2, files.Count);
        Assert.Empty(Ledger.LandedFiles("raw.b"));
    }

    [Fact]
    public void A_landing_problem_is_reported_once_and_again_only_after_it_went_away()
    {
        var misnamed = new LandingProblem("raw.a", "a/x.txt", "matches no box");

        Assert.Equal([misnamed], Ledger.RecordLandingProblems(Env, "raw.a", [misnamed]));
        Assert.Empty(Ledger.RecordLandingProblems(Env, "raw.a", [misnamed]));
        Assert.Empty(Ledger.RecordLandingProblems(Env, "raw.a", []));
        Assert.Equal([misnamed], Ledger.RecordLandingProblems(Env, "raw.a", [misnamed]));
        Assert.Equal(2, Ledger.Events("raw.a", 10).Count(e => e.Kind == EventKinds.LandingProblem));
    }

    [Fact]
    public void An_environment_adopts_what_landed_last_for_its_source_boxes()
    {
        Ledger.EnsureEnvironment("dev");
        Ledger.Commit(new CommitRequest("dev", Version("v1", box: 1), [], [], null) { Files = FilesOf(Version("v1")) });
        Ledger.Commit(new CommitRequest("dev", Version("v2", box: 2, status: VersionStatus.Quarantined), [], [], null) { Files = FilesOf(Version("v2")) });
        Ledger.SetSourceHead("raw.a", 1, "v1");
        Ledger.SetSourceHead("raw.a", 2, "v2");

        Assert.Equal(2, Ledger.AdoptSourceHeads(Env, "raw.a"));
        Assert.Equal(0, Ledger.AdoptSourceHeads(Env, "raw.a"));

        var boxes = Ledger.Boxes(Env, "raw.a", BoxRange.Everything);
        Assert.Equal(("v1", BoxHeadStatus.Ok), (boxes[0].CurrentVersion, boxes[0].HeadStatus));
        Assert.Equal(((string?)null, BoxHeadStatus.Quarantined), (boxes[1].CurrentVersion, boxes[1].HeadStatus));
    }
}
