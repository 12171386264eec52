using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Data.Sqlite;
using Takt.Building;
using Takt.Definitions;
using Takt.Lake;
using Takt.Landing;
using Takt.Ledger;
using Takt.Ledger.Sqlite;
using Takt.Running;
using Takt.Telemetry;
using Takt.Tests.Unit;

namespace Takt.Tests.Running;

/// <summary>
/// A box that started on an input placed but not yet committed, whose commit then fails and succeeds only on its task's
/// retry, is built in the same build: it does not end skipped in a build that exits 0 with a box it planned unbuilt.
/// Real SQLite ledger, lake and DuckDB; the ledger refuses the input's first commit as SQLite does when another writer
/// holds it past the busy timeout.
/// </summary>
public sealed class PlacedInputRetryTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_box_released_by_an_input_that_commits_only_on_its_retry_is_built_in_the_same_build()
    {
        _dir.Write("a.sql", "SELECT count(*) AS n FROM raw.events");
        _dir.Write("b.sql", "SELECT n + 1 AS m FROM core.a");
        var factory = new FactoryBuilder("retry", _dir.Path)
            .Dataset("raw.events", d => d.Owner("t").Schema(s => s.Required("day", ColumnType.String)).FromLanding("events/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("core.a", d => d.Owner("t").Input("raw.events").Sql("a.sql"))
            .Dataset("mart.b", d => d.Owner("t").Input("core.a").Sql("b.sql"))
            .Build();
        var home = _dir.Combine("home");
        _dir.Write("home/landing/events/2026-01-05.jsonl", "{\"day\": \"2026-01-05\"}\n");
        var real = new SqliteLedger(Path.Combine(home, "ledger.db"));
        var ledger = FirstCommitOfRefused.Wrap(real, "core.a");
        using var ws = new Workspace(factory, ledger, new LocalLake(Path.Combine(home, "lake")), home, new LocalLandingZone(Path.Combine(home, "landing")))
        {
            Lineage = new FileLineageSink(Path.Combine(home, "openlineage", "events.jsonl")),
        };
        // The retry waits long enough that mart.b, released when core.a's first version was placed, reads that version.
        var options = new RunOptions { Parallelism = 2, Attempts = 3, Backoff = TimeSpan.FromSeconds(1) };

        var build = new BuildService(ws).Build([], options: options, publish: false);

        var a = Assert.Single(build.Tasks, t => t.Dataset == "core.a");
        Assert.True(a.Attempts == 2, $"core.a took {a.Attempts} attempt(s); the test needs its first commit refused");
        var b = Assert.Single(build.Tasks, t => t.Dataset == "mart.b");
        Assert.True(b.Outcome.Status == BuildStatus.Built, $"mart.b ended {b.Outcome.Status}: {b.Outcome.Message}");
        Assert.Empty(new BuildService(ws).Plan([]).Tasks); // nothing the build planned is left
    }

    /// <summary>The real ledger, except that its first group commit holding a version of one dataset fails as SQLite busy.</summary>
    public class FirstCommitOfRefused : DispatchProxy
    {
        private ILedger _inner = null!;
        private string _dataset = "";
        private int _refused;

        public static ILedger Wrap(ILedger inner, string dataset)
        {
            var proxy = Create<ILedger, FirstCommitOfRefused>();
            var self = (FirstCommitOfRefused)(object)proxy;
            (self._inner, self._dataset) = (inner, dataset);
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IBoxLedger.CommitAll) && args?[0] is IReadOnlyList<CommitRequest> requests
                && requests.Any(r => r.Version.Dataset == _dataset) && Interlocked.Exchange(ref _refused, 1) == 0)
                throw new SqliteException("database is locked", 5);
            try { return targetMethod.Invoke(_inner, args); }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }
}
