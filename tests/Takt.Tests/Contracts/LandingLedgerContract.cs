using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>What every <see cref="ILandingLedger"/> must do: landed files remembered, problems reported once, source heads adopted.</summary>
public abstract class LandingLedgerContract<TStore> : LedgerContract<TStore> where TStore : ILedgerStore, new()
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
        Assert.Equal(2, Ledger.Events("raw.a", 10).Count(e => e.Kind == EventKind.LandingProblem));
    }

    [Fact]
    public void What_another_environment_ingested_is_pending_here_until_this_one_points_at_it()
    {
        Ledger.EnsureEnvironment("dev");
        foreach (var (id, box, code) in new[] { ("v1", 1L, "code-1"), ("v2", 2L, "code-1"), ("v3", 3L, "code-2"), ("v4", 4L, "code-1") })
        {
            Ledger.Commit(new CommitRequest("dev", Version(id, box: box, code: code), [], [], null) { Files = FilesOf(Version(id)) });
            Ledger.SetSourceHead("raw.a", box, id);
        }
        Commit(Version("v2", box: 2)); // prod points at it already
        Ledger.MarkLost("v4", "part-0.parquet missing"); // its files are gone: nothing to adopt

        Assert.Equal([new SourceHead(1, "v1")], OpenAnother().PendingSourceHeads(Env, "raw.a", "code-1")); // v3 is of other code
        Assert.Empty(Ledger.PendingSourceHeads("dev", "raw.a", "code-1"));
    }

    [Fact]
    public void The_landing_files_of_a_source_version_are_recorded_once_by_path()
    {
        var files = new[] { new SourceFile("a/2.jsonl", 20, Sha), new SourceFile("a/1.jsonl", 10, Sha) };

        Ledger.RecordSourceFiles("v1", files);
        Ledger.RecordSourceFiles("v1", files); // the same id has the same files: nothing changes

        Assert.Equal(files.OrderBy(f => f.Path, StringComparer.Ordinal), OpenAnother().SourceFilesOf("v1"));
        Assert.Empty(Ledger.SourceFilesOf("v2"));
    }
}
