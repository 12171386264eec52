using Takt.Composition;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.Unit;

/// <summary>The commit of a staged version, on a real workspace.</summary>
public sealed class StagedVersionTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_task_that_staged_no_file_is_a_processing_error_not_a_version_that_reads_as_an_empty_box()
    {
        var factory = new FactoryBuilder("staged", _dir.Path)
            .Dataset("raw.events", d => d.Owner("t").Schema(s => s.Required("id", ColumnType.Int64)).FromLanding("events/{box}.csv", LandingFormat.Csv))
            .Build();
        using var ws = WorkspaceBuilder.At(_dir.Combine("home")).Open(factory);
        var dataset = factory["raw.events"];
        var box = new DateOnly(2026, 1, 5).DayNumber;
        var version = new VersionRecord("v-empty", dataset.Name, box, dataset.BoxKey(box), "code", 0, VersionStatus.Committed, 0, 0, "[]", 0, "run");
        var staged = new CheckedVersion(version, ws.Lake.CreateStaging("run", "attempt"), [], [], 0, Stopped: false);

        var error = Assert.Throws<ProcessingException>(() => StagedVersion.Commit(ws, dataset, staged, taskId: null));

        Assert.Contains("raw.events@2026-01-05: the task staged no Parquet file", error.Message);
        Assert.Null(ws.Ledger.FindVersion("v-empty"));
    }
}
