using Takt.Definitions;
using Takt.Engine;
using Takt.Lake;
using Takt.Ledger;
using Takt.Ledger.Sqlite;

namespace Takt.Running;

/// <summary>Where a factory keeps its state: the ledger, the lake and the landing zone, plus the environment in use.</summary>
public sealed class Workspace : IDisposable
{
    public Workspace(Factory factory, ILedger ledger, ILake lake, string home, string landingDirectory, string env = "prod", TimeProvider? clock = null)
    {
        Factory = factory;
        Home = Path.GetFullPath(home);
        Ledger = ledger;
        Lake = lake;
        Files = new VersionFiles(ledger, lake);
        LandingDirectory = Path.GetFullPath(landingDirectory);
        Env = env;
        Clock = clock ?? TimeProvider.System;
    }

    /// <summary>The embedded defaults: <c>HOME/ledger.db</c>, <c>HOME/lake/</c> and, unless given, <c>HOME/landing/</c>.</summary>
    public static Workspace OpenLocal(Factory factory, string home, string? landing = null, string env = "prod", TimeProvider? clock = null)
    {
        Directory.CreateDirectory(home);
        var lineageUrl = Environment.GetEnvironmentVariable("TAKT_OPENLINEAGE_URL");
        return new Workspace(factory, new SqliteLedger(Path.Combine(home, "ledger.db"), clock), new LocalLake(Path.Combine(home, "lake")),
            home, landing ?? Path.Combine(home, "landing"), env, clock)
        {
            Lineage = Uri.TryCreate(lineageUrl, UriKind.Absolute, out var url)
                ? new Telemetry.HttpLineageSink(url)
                : new Telemetry.FileLineageSink(Path.Combine(home, "openlineage", "events.jsonl")),
        };
    }

    public Factory Factory { get; }
    /// <summary>The Takt home: relative publish paths resolve here.</summary>
    public string Home { get; }
    public ILedger Ledger { get; }
    public ILake Lake { get; }
    /// <summary>How readers get a version's files: checked against the ledger's record first.</summary>
    public VersionFiles Files { get; }
    public string LandingDirectory { get; }
    public string Env { get; }
    public TimeProvider Clock { get; }
    public DuckDbPool DuckDb { get; } = new();
    internal OutputSchemas OutputSchemas { get; } = new();

    /// <summary>Where OpenLineage run events go: <c>HOME/openlineage/events.jsonl</c>, or the endpoint in <c>TAKT_OPENLINEAGE_URL</c>.</summary>
    public required Telemetry.ILineageSink Lineage { get; init; }

    public void Dispose()
    {
        DuckDb.Dispose();
        Ledger.Dispose();
    }
}
