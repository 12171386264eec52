using Takt.Building;
using Takt.Composition;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.Unit;

/// <summary>
/// A source's time column declared as text is read as an instant by the rules of every other timestamp (a text without
/// offset is UTC), also in the check that its rows fall in the box of their file.
/// </summary>
public sealed class TextTimeColumnTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();
    private readonly Workspace _ws;

    public TextTimeColumnTests()
    {
        var factory = new FactoryBuilder("text-time", _dir.Path)
            .Dataset("raw.readings", d => d.Owner("t").Daily()
                .Schema(s => s.Required("id", ColumnType.Int64).Column("at", ColumnType.String))
                .FromLanding("readings/{box}.jsonl", LandingFormat.JsonLines, timeColumn: "at"))
            .Build();
        _ws = WorkspaceBuilder.At(_dir.Combine("home")).Open(factory);
    }

    public void Dispose()
    {
        _ws.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void A_time_without_offset_after_one_naming_a_time_zone_is_still_read_as_UTC_by_the_in_box_check()
    {
        var path = Path.Combine(_ws.LandingDirectory, "readings", "2024-07-01.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, [
            """{"id": 1, "at": "2024-07-01 08:00:00 Europe/Copenhagen"}""",
            """{"id": 2, "at": "2024-07-01T00:30:00"}""",
            """{"id": 3, "at": "2024-07-01 00:10:00"}""",
        ]);

        var report = Assert.Single(new BuildService(_ws).Ingest(["raw.readings"], new RunOptions { Parallelism = 1, Attempts = 1 }).Tasks);

        Assert.True(report.Outcome.Status == BuildStatus.Built, $"{report.Outcome.Status}: {report.Outcome.Message}");
    }
}
