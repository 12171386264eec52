using System.Diagnostics;
using Takt.Ledger;
using Takt.Tests.Scheduling;
using Takt.Tests.Unit;

namespace Takt.Tests.Contracts;

/// <summary>How a contract suite opens one kind of ledger: a new ledger implements this once and subclasses each suite with it.</summary>
public interface ILedgerStore
{
    /// <summary>Opens the ledger stored in <paramref name="directory"/> (creating it when empty), reading time from <paramref name="clock"/>.</summary>
    ILedger Open(string directory, TimeProvider clock);
}

/// <summary>
/// What the contract suites of the ledger's roles share: a store in a fresh directory, opened through
/// <typeparamref name="TStore"/> (a second instance on the same store is another process's view), a clock the test
/// moves, and small helpers that write versions the way tasks do.
/// </summary>
public abstract class LedgerContract<TStore> : IDisposable where TStore : ILedgerStore, new()
{
    protected const string Env = "prod";
    protected const string Sha = "0000000000000000000000000000000000000000000000000000000000000000";
    private static readonly DateTimeOffset Start = new(2026, 1, 10, 0, 0, 0, TimeSpan.Zero);

    private readonly UnitTempDirectory _dir = new();
    private readonly ManualClock _clock = new(Start);
    private readonly List<ILedger> _opened = [];
    private ILedger? _ledger;

    private readonly TStore _store = new();

    /// <summary>The ledger under test, with the environment <see cref="Env"/>.</summary>
    protected ILedger Ledger => _ledger ??= OpenAnother();

    /// <summary>Another instance on the same store, as another process would open it.</summary>
    protected ILedger OpenAnother()
    {
        var ledger = _store.Open(_dir.Path, _clock);
        _opened.Add(ledger);
        ledger.EnsureEnvironment(Env);
        return ledger;
    }

    /// <summary>Closes <see cref="Ledger"/> (what it deferred is written) and opens the store again.</summary>
    protected ILedger Reopen()
    {
        Ledger.Dispose();
        _opened.Remove(Ledger);
        _ledger = null;
        return Ledger;
    }

    protected long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    protected void Advance(TimeSpan by) => _clock.Advance(by);

    protected static VersionRecord Version(string id, string dataset = "raw.a", long box = 1, VersionStatus status = VersionStatus.Committed,
        string code = "code-1", int generation = 0, long createdAtMs = 0) =>
        new(id, dataset, box, $"box-{box}", code, generation, status, 10, 100, "[]", createdAtMs, "run-1");

    protected static IReadOnlyList<VersionFile> FilesOf(VersionRecord v) => [new VersionFile("part-0.parquet", v.Bytes, Sha)];

    protected CommitOutcome Commit(VersionRecord v, params LineageEdge[] inputs) => Commit(Ledger, v, [], inputs);

    protected static CommitOutcome Commit(ILedger ledger, VersionRecord v, IReadOnlyList<CheckResult> checks, params LineageEdge[] inputs) =>
        ledger.Commit(new CommitRequest(Env, v, inputs, checks, null) { Files = FilesOf(v) });

    protected static BoxState? Box(ILedger ledger, string dataset, long box) =>
        ledger.Boxes(Env, dataset, Takt.Boxes.BoxRange.Single(box)).SingleOrDefault();

    /// <summary>Waits up to 10 s for what another instance wrote with a deferred write (the contract allows "soon").</summary>
    protected static T Eventually<T>(Func<T> read, Func<T, bool> done)
    {
        var clock = Stopwatch.StartNew();
        var value = read();
        while (!done(value) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(20);
            value = read();
        }
        return value;
    }

    public void Dispose()
    {
        foreach (var ledger in _opened) ledger.Dispose();
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
