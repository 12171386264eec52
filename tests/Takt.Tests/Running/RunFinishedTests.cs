using Takt.Composition;
using Takt.Building;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Running;

/// <summary>A run started is always finished, also when an error escapes the build or the ingest: `runs` never shows it running for ever.</summary>
public sealed class RunFinishedTests : IDisposable
{
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_build_whose_error_escapes_finishes_its_run_as_failed()
    {
        using var ws = WorkspaceBuilder.At(_dir.Combine("home")).Open(E2E.ShopFactoryAt());
        // The targets are resolved after the run started (for its deploy records): a name the factory does not have escapes from there.
        Assert.Throws<UnknownDatasetException>(() => new BuildService(ws).Build(["core.no_such_dataset"]));

        var run = Assert.Single(ws.Ledger.Runs(10));
        Assert.Equal(("build", RunStatus.Failed), (run.Command, run.Status));
        Assert.NotNull(run.FinishedAtMs);
    }

    [Fact]
    public void An_ingest_whose_error_escapes_finishes_its_run_as_failed()
    {
        using var ws = WorkspaceBuilder.At(_dir.Combine("home")).Open(E2E.ShopFactoryAt());
        Assert.Throws<UnknownDatasetException>(() => new BuildService(ws).Ingest(["raw.no_such_dataset"]));

        var run = Assert.Single(ws.Ledger.Runs(10));
        Assert.Equal(("ingest", RunStatus.Failed), (run.Command, run.Status));
        Assert.NotNull(run.FinishedAtMs);
    }
}
