using Takt.Building;
using Takt.Composition;
using Takt.Definitions;
using Takt.Lake;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.Unit;

/// <summary>
/// A late file for a source split by a column: the unchanged big file is neither hashed nor read again; its per-box
/// extract kept from the earlier build serves, and the versions are those a build from scratch makes.
/// </summary>
public sealed class KeptSplitTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();
    private static readonly RunOptions Options = new() { Parallelism = 2, Attempts = 1 };

    public void Dispose() => _dir.Dispose();

    private Workspace Open(string home) => WorkspaceBuilder.At(_dir.Combine(home)).Open(new FactoryBuilder("kept", _dir.Path)
        .Dataset("raw.visits", d => d.Owner("t")
            .Schema(s => s.Required("id", ColumnType.Int64).Column("at", ColumnType.Timestamp))
            .FromLandingSplitBy("visits/*.csv", LandingFormat.Csv, "at"))
        .Build());

    private static void Land(Workspace ws, string name, params string[] rows)
    {
        var path = Path.Combine(ws.LandingDirectory, "visits", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "id,at\n" + string.Join("\n", rows) + "\n");
    }

    private static readonly string[] Big = ["1,2024-03-01T08:00:00Z", "2,2024-03-02T08:00:00Z", "3,2024-03-02T09:00:00Z", "4,2024-03-03T08:00:00Z"];

    private static IReadOnlyList<TaskReport> Ingest(Workspace ws) => new BuildService(ws).Ingest(["raw.visits"], Options).Tasks;

    private static IReadOnlyList<string> LogOf(Workspace ws, string boxKey)
    {
        var run = ws.Ledger.Runs(1)[0];
        var task = Assert.Single(ws.Ledger.Tasks(run.Id), t => t.BoxKey == boxKey);
        return ws.Ledger.TaskLog(task.Id);
    }

    /// <summary>The version of every box a fresh home makes of the same landing files.</summary>
    private Dictionary<string, string> FromScratch(Workspace ws)
    {
        using var fresh = Open("scratch-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.GetFiles(Path.Combine(ws.LandingDirectory, "visits")))
            Land(fresh, Path.GetFileName(file), File.ReadAllLines(file).Skip(1).ToArray());
        return Ingest(fresh).ToDictionary(r => r.BoxKey, r => r.Outcome.VersionId!);
    }

    private static string KeptRoot(Workspace ws) => Path.Combine(ws.Lake.KeptDirectory, "raw.visits");

    [Fact]
    public void A_late_file_reads_only_itself_and_takes_the_unchanged_file_from_its_kept_split()
    {
        using var ws = Open("home");
        Land(ws, "big.csv", Big);
        Land(ws, "late.csv", "5,2024-03-02T10:00:00Z");
        Assert.Equal(3, Ingest(ws).Count);

        // The big file's bytes are changed behind the ledger's back, same size and time: only a read or a hash of it would notice.
        var big = Path.Combine(ws.LandingDirectory, "visits", "big.csv");
        var time = File.GetLastWriteTimeUtc(big);
        var original = File.ReadAllBytes(big);
        File.WriteAllBytes(big, File.ReadAllText(big).Replace("1,2024", "7,2024").Select(c => (byte)c).ToArray());
        File.SetLastWriteTimeUtc(big, time);
        Land(ws, "late.csv", "5,2024-03-02T10:00:00Z", "6,2024-03-02T11:00:00Z");

        var late = Assert.Single(Ingest(ws));
        Assert.Equal("2024-03-02", late.BoxKey);
        Assert.Equal(BuildStatus.Built, late.Outcome.Status);
        Assert.Equal(4, late.Outcome.RowsOut);
        var log = LogOf(ws, "2024-03-02");
        Assert.Contains("read 1 file(s) again; 1 from the kept split of visits/big.csv", log);
        Assert.DoesNotContain(log, l => l.StartsWith("shared read of visits/big.csv", StringComparison.Ordinal));

        File.WriteAllBytes(big, original);
        File.SetLastWriteTimeUtc(big, time);
        Assert.Equal(late.Outcome.VersionId, FromScratch(ws)["2024-03-02"]);
    }

    [Fact]
    public void A_damaged_kept_split_is_not_trusted_the_file_is_read_again_and_said()
    {
        using var ws = Open("home");
        Land(ws, "big.csv", Big);
        Land(ws, "late.csv", "5,2024-03-02T10:00:00Z");
        Ingest(ws);
        foreach (var part in Directory.GetFiles(KeptRoot(ws), "*.parquet", SearchOption.AllDirectories))
            File.WriteAllBytes(part, [1, 2, 3]);

        Land(ws, "late.csv", "5,2024-03-02T10:00:00Z", "6,2024-03-02T11:00:00Z");
        var late = Assert.Single(Ingest(ws));

        Assert.Equal(BuildStatus.Built, late.Outcome.Status);
        var log = LogOf(ws, "2024-03-02");
        Assert.Contains(log, l => l.StartsWith("kept split of visits/big.csv is damaged", StringComparison.Ordinal) && l.Contains("read again"));
        Assert.Contains(log, l => l.StartsWith("shared read of visits/big.csv", StringComparison.Ordinal));
        Assert.Equal(late.Outcome.VersionId, FromScratch(ws)["2024-03-02"]);
    }

    [Fact]
    public void The_kept_split_of_a_file_whose_content_changed_is_deleted()
    {
        using var ws = Open("home");
        Land(ws, "big.csv", Big);
        Land(ws, "late.csv", "5,2024-03-02T10:00:00Z");
        Ingest(ws);
        Assert.Equal(2, Directory.GetDirectories(KeptRoot(ws)).Length);

        Land(ws, "late.csv", "5,2024-03-02T10:00:00Z", "6,2024-03-02T11:00:00Z");
        Ingest(ws);
        Land(ws, "late.csv", "5,2024-03-02T10:00:00Z", "6,2024-03-02T11:00:00Z", "8,2024-03-03T11:00:00Z");
        Ingest(ws);

        Assert.Equal(2, Directory.GetDirectories(KeptRoot(ws)).Length);
    }
}
