using Takt.Definitions;
using Takt.Engine;
using Takt.Lake;
using Takt.Landing;
using Takt.Ledger;

namespace Takt.Running;

/// <summary>
/// Where a factory keeps its state: the ledger, the lake and the landing zone, plus the environment in use and the
/// executor that runs tasks. Opened by the composition root (<c>Takt.Composition.WorkspaceBuilder</c>), which chooses
/// the backends and the executor.
/// </summary>
public sealed class Workspace : IDisposable
{
    public Workspace(Factory factory, ILedger ledger, ILake lake, string home, ILandingZone landing, string env = "prod", TimeProvider? clock = null)
    {
        Factory = factory;
        Home = Path.GetFullPath(home);
        Ledger = ledger;
        Lake = lake;
        Files = new VersionFiles(ledger, ledger.Describe, lake);
        Landing = landing;
        Commits = new GroupCommit(lake, ledger);
        Env = env;
        Clock = clock ?? TimeProvider.System;
    }

    public Factory Factory { get; }
    /// <summary>The Takt home: relative publish paths resolve here.</summary>
    public string Home { get; }
    public ILedger Ledger { get; }
    public ILake Lake { get; }
    /// <summary>How readers get a version's files: checked against the ledger's record first.</summary>
    public VersionFiles Files { get; }
    /// <summary>Where sources' files arrive: ingest and the scheduler's sensors read it here.</summary>
    public ILandingZone Landing { get; }
    /// <summary>What runs a run's tasks (<c>--executor</c>); tasks on threads of this process unless the root chose otherwise.</summary>
    internal ITaskExecutor Executor { get; init; } = LocalExecutor.Instance;
    public string Env { get; }
    public TimeProvider Clock { get; }
    public DuckDbPool DuckDb { get; } = new();
    /// <summary>Where tasks commit their versions: together with the tasks that finish at the same time.</summary>
    internal GroupCommit Commits { get; }
    internal OutputSchemas OutputSchemas { get; } = new();

    /// <summary>Where OpenLineage run events go: <c>HOME/openlineage/events.jsonl</c>, or the endpoint in <c>TAKT_OPENLINEAGE_URL</c>.</summary>
    public required Telemetry.ILineageSink Lineage { get; init; }

    /// <summary>The value of a variable the factory names (a publish target's connection string), as the composition root read it.</summary>
    public Func<string, string?> Variable { get; init; } = _ => null;

    public void Dispose()
    {
        DuckDb.Dispose();
        Ledger.Dispose();
    }
}
