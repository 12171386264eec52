using Takt.Ledger;

namespace Takt.Running;

/// <summary>
/// Holds this run's leases in the ledger and renews them while the run lives, so that two builds on the same home
/// never compute and commit the same box at once. A killed build's leases expire; when its process ran on this host
/// and is gone, they are taken over at once instead.
/// </summary>
internal sealed class LeaseKeeper : IDisposable
{
    // Short enough that a killed build's work is taken over within seconds; renewed every third of it.
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private readonly ILeaseLedger _leases;
    private readonly IRunLog _runs;
    private readonly LedgerFaults _faults;
    private readonly string _owner;
    private readonly Timer _renewal;

    /// <param name="faults">Where a renewal that fails reports (the timer must not throw).</param>
    public LeaseKeeper(ILeaseLedger leases, IRunLog runs, LedgerFaults faults, string owner)
    {
        (_leases, _runs, _faults, _owner) = (leases, runs, faults, owner);
        _renewal = new Timer(_ => Renew(), null, Ttl / 3, Ttl / 3);
    }

    /// <summary>The leases of <paramref name="owner"/> (a run id) in <paramref name="ledger"/>.</summary>
    public static LeaseKeeper Of(ILedger ledger, string owner) => new(ledger, ledger, ledger.Faults, owner);

    /// <summary>Takes the lease, waiting while another live run holds it; gives up (false) as soon as <paramref name="done"/> says the work exists.</summary>
    public bool Acquire(string key, Func<bool> done)
    {
        var deadline = DateTime.UtcNow + Ttl * 20;
        while (!_leases.TryAcquireLease(key, _owner, Ttl))
        {
            if (_leases.LeaseHolder(key) is { } holder && IsGone(_runs, holder) && _leases.TakeOverLease(key, holder, _owner, Ttl))
                return true;
            if (done() || DateTime.UtcNow > deadline) return false;
            Thread.Sleep(200);
        }
        return true;
    }

    /// <summary>True when the run was started by a process of this host that no longer exists.</summary>
    public static bool IsGone(IRunLog runs, string runId) => runs.ProcessOf(runId)?.IsGoneFromThisHost() == true;

    public void Release(string key) => _leases.ReleaseLease(key, _owner);

    /// <summary>Renews the leases and records the run as seen alive (the owner is the run's id), so a killed run shows when it died.</summary>
    private void Renew()
    {
        try
        {
            _leases.RenewLeases(_owner, Ttl);
            _runs.RecordRunSeen(_owner);
        }
        catch (ObjectDisposedException) { }
        catch (Exception e) when (e is not OutOfMemoryException) { _faults.Report(e); } // a timer must not throw: the build stops on it
    }

    public void Dispose() => _renewal.Dispose();
}
