namespace Takt.Ledger;

/// <summary>
/// Leases: no two runs do the same work at once (build a box, publish a target, collect a version). A lease is a key held
/// by one owner (a run id) until it expires, is given back, or is taken over from a run found dead. Expiry is by the
/// ledger's clock; holders renew before it.
/// </summary>
public interface ILeaseLedger
{
    /// <summary>
    /// Takes the lease for <paramref name="ttl"/> when nobody holds it, its holder's lease expired, or the owner already
    /// holds it (then it is renewed). Atomic: of two owners trying at once, exactly one gets true.
    /// </summary>
    bool TryAcquireLease(string key, string owner, TimeSpan ttl);

    /// <summary>The owner that holds the lease (expired or not, until someone takes it), or null when nobody does.</summary>
    string? LeaseHolder(string key);

    /// <summary>
    /// Takes the lease over from <paramref name="from"/> (a run found dead) for <paramref name="ttl"/>, whether expired or
    /// not; false, changing nothing, when <paramref name="from"/> no longer holds it (someone else took it first).
    /// </summary>
    bool TakeOverLease(string key, string from, string to, TimeSpan ttl);

    /// <summary>Extends every lease the owner holds to now + <paramref name="ttl"/>.</summary>
    void RenewLeases(string owner, TimeSpan ttl);

    /// <summary>Gives a lease back if the owner holds it (otherwise nothing). May be deferred (see <see cref="ILedger"/>).</summary>
    void ReleaseLease(string key, string owner);
}
