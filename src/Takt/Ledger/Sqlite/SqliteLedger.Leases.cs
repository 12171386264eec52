namespace Takt.Ledger.Sqlite;

/// <summary>Leases (see <see cref="ILeaseLedger"/>).</summary>
public sealed partial class SqliteLedger
{
    public bool TryAcquireLease(string key, string owner, TimeSpan ttl)
    {
        lock (_gate)
        {
            using var tx = BeginWrite();
            var now = Now;
            var taken = Execute("""
                INSERT INTO leases VALUES ($key, $owner, $expires)
                ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at_ms = excluded.expires_at_ms
                WHERE leases.owner = excluded.owner OR leases.expires_at_ms < $now
                """, tx, ("$key", key), ("$owner", owner), ("$expires", now + (long)ttl.TotalMilliseconds), ("$now", now));
            tx.Commit();
            return taken > 0;
        }
    }

    public string? LeaseHolder(string key)
    {
        using (Writer()) return Scalar<string?>("SELECT owner FROM leases WHERE key = $key", null, ("$key", key));
    }

    public bool TakeOverLease(string key, string from, string to, TimeSpan ttl)
    {
        using (Writer())
            return Execute("UPDATE leases SET owner = $to, expires_at_ms = $expires WHERE key = $key AND owner = $from", null,
                ("$key", key), ("$from", from), ("$to", to), ("$expires", Now + (long)ttl.TotalMilliseconds)) > 0;
    }

    public void RenewLeases(string owner, TimeSpan ttl)
    {
        using (Writer()) Execute("UPDATE leases SET expires_at_ms = $expires WHERE owner = $owner", null, ("$owner", owner), ("$expires", Now + (long)ttl.TotalMilliseconds));
    }

    public void ReleaseLease(string key, string owner)
    {
        _deferred.Add(tx => Execute("DELETE FROM leases WHERE key = $key AND owner = $owner", tx, ("$key", key), ("$owner", owner)));
    }
}
