using Takt.Lake;
using Takt.Ledger;
using Takt.Ledger.Sqlite;
using Takt.Running;

namespace Takt.Tests.Running;

/// <summary>
/// A version computed from an input that was placed but not yet committed commits after that input, in the same
/// transaction or a later one, and never when the input does not commit: the ledger never names a version whose input
/// it does not hold. Real SQLite ledger and real local lake.
/// </summary>
public sealed class GroupCommitOrderTests : IDisposable
{
    private const string Env = "prod";
    private readonly string _dir = Directory.CreateTempSubdirectory("takt-order-").FullName;
    private readonly SqliteLedger _ledger;
    private readonly LocalLake _lake;
    private readonly GroupCommit _commits;

    public GroupCommitOrderTests()
    {
        _ledger = new SqliteLedger(Path.Combine(_dir, "ledger.db"));
        _lake = new LocalLake(Path.Combine(_dir, "lake"));
        _commits = new GroupCommit(_lake, _ledger);
    }

    public void Dispose()
    {
        _ledger.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void A_version_ordered_after_an_input_whose_commit_fails_is_not_written_and_says_why()
    {
        var (input, inputLocation, _) = Placed("in-1", "raw.a");
        var (output, outputLocation, outputFiles) = Placed("out-1", "core.b");
        var broken = new CommitRequest(Env, input, [], [], null) { Files = [new VersionFile("part-0.parquet", input.Bytes, "not a sha-256")] };

        var inputTicket = _commits.Enqueue(broken, inputLocation, []);
        var outputTicket = _commits.Enqueue(new CommitRequest(Env, output, [new LineageEdge("raw.a", 1, "in-1")], [], null) { Files = outputFiles },
            outputLocation, [inputTicket]);

        var error = Assert.Throws<InputNotCommittedException>(() => outputTicket.Await());
        Assert.Contains("raw.a@box-1", error.Message);
        Assert.ThrowsAny<Exception>(() => inputTicket.Await());
        Assert.Null(_ledger.FindVersion("in-1"));
        Assert.Null(_ledger.FindVersion("out-1"));
    }

    [Fact]
    public void A_version_ordered_after_an_input_queued_with_it_commits_after_it_and_points_at_it()
    {
        var (input, inputLocation, inputFiles) = Placed("in-1", "raw.a");
        var (output, outputLocation, outputFiles) = Placed("out-1", "core.b");

        var inputTicket = _commits.Enqueue(new CommitRequest(Env, input, [], [], null) { Files = inputFiles }, inputLocation, []);
        var outputTicket = _commits.Enqueue(new CommitRequest(Env, output, [new LineageEdge("raw.a", 1, "in-1")], [], null) { Files = outputFiles },
            outputLocation, [inputTicket]);

        Assert.Equal(CommitOutcome.Committed, outputTicket.Await()); // leads the batch that holds both
        Assert.Equal(CommitOutcome.Committed, inputTicket.Await());
        Assert.Equal("out-1", _ledger.Boxes(Env, "core.b", Takt.Boxes.BoxRange.Single(1)).Single().CurrentVersion);
    }

    [Fact]
    public void A_version_ordered_after_an_input_whose_pointer_did_not_move_is_not_written()
    {
        var (current, currentLocation, currentFiles) = Placed("raw-new", "raw.a");
        Assert.Equal(CommitOutcome.Committed, _commits.Commit(new CommitRequest(Env, current, [], [], null) { Files = currentFiles }, currentLocation));
        // The input was computed from a raw.a version that is no longer current: it is kept, its pointer does not move.
        var (input, inputLocation, inputFiles) = Placed("in-1", "core.a");
        var (output, outputLocation, outputFiles) = Placed("out-1", "mart.b");

        var inputTicket = _commits.Enqueue(new CommitRequest(Env, input, [new LineageEdge("raw.a", 1, "raw-old")], [], null) { Files = inputFiles }, inputLocation, []);
        var outputTicket = _commits.Enqueue(new CommitRequest(Env, output, [new LineageEdge("core.a", 1, "in-1")], [], null) { Files = outputFiles },
            outputLocation, [inputTicket]);

        Assert.Throws<InputNotCommittedException>(() => outputTicket.Await());
        Assert.Equal(CommitOutcome.InputsMoved, inputTicket.Await());
        Assert.Null(_ledger.FindVersion("out-1"));
    }

    private (VersionRecord Version, VersionLocation Location, IReadOnlyList<VersionFile> Files) Placed(string id, string dataset)
    {
        var staging = _lake.CreateStaging("run-1", id);
        File.WriteAllBytes(Path.Combine(staging, StagedVersion.DataFile), [1, 2, 3, 4]);
        var location = new VersionLocation(dataset, "box-1", id);
        var files = _lake.Place(staging, location);
        var version = new VersionRecord(id, dataset, 1, "box-1", "code-1", 0, VersionStatus.Committed, 1, files.Sum(f => f.Size), "[]", 0, "run-1");
        return (version, location, files);
    }
}
