using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>What every <see cref="ILeaseLedger"/> must do: one holder at a time, expiry, renewal, takeover of a dead holder's lease.</summary>
public abstract class LeaseLedgerContract<TStore> : LedgerContract<TStore> where TStore : ILedgerStore, new()
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(1);

    [Fact]
    public void A_lease_has_one_holder_until_it_is_given_back()
    {
        Assert.True(Ledger.TryAcquireLease("v1", "run-a", Ttl));
        Assert.False(Ledger.TryAcquireLease("v1", "run-b", Ttl));
        Assert.True(Ledger.TryAcquireLease("v1", "run-a", Ttl)); // the holder again: renewed
        Assert.Equal("run-a", Ledger.LeaseHolder("v1"));

        Ledger.ReleaseLease("v1", "run-b"); // not the holder: nothing happens
        Assert.Equal("run-a", Ledger.LeaseHolder("v1"));
        Ledger.ReleaseLease("v1", "run-a");

        Assert.Null(Ledger.LeaseHolder("v1"));
        Assert.True(Ledger.TryAcquireLease("v1", "run-b", Ttl));
    }

    [Fact]
    public void An_expired_lease_can_be_taken_and_a_renewed_one_cannot()
    {
        Ledger.TryAcquireLease("v1", "run-a", Ttl);
        Ledger.TryAcquireLease("v2", "run-a", Ttl);
        Advance(TimeSpan.FromSeconds(50));
        Ledger.RenewLeases("run-a", Ttl);
        Advance(TimeSpan.FromSeconds(50));

        Assert.False(Ledger.TryAcquireLease("v1", "run-b", Ttl));
        Advance(TimeSpan.FromSeconds(11));
        Assert.True(Ledger.TryAcquireLease("v2", "run-b", Ttl));
        Assert.Equal("run-b", Ledger.LeaseHolder("v2"));
    }

    [Fact]
    public void The_lease_of_a_dead_holder_is_taken_over_once_by_the_first_that_asks()
    {
        Ledger.TryAcquireLease("v1", "dead-run", Ttl);
        var other = OpenAnother();

        Assert.True(other.TakeOverLease("v1", "dead-run", "run-b", Ttl)); // not expired: the caller found its holder dead
        Assert.False(Ledger.TakeOverLease("v1", "dead-run", "run-c", Ttl));
        Assert.False(Ledger.TakeOverLease("v2", "dead-run", "run-c", Ttl)); // nobody held it

        Assert.Equal("run-b", Ledger.LeaseHolder("v1"));
        Assert.Null(Ledger.LeaseHolder("v2"));
    }

    [Fact]
    public void Of_many_owners_on_two_ledgers_asking_at_once_exactly_one_gets_the_lease()
    {
        var ledgers = new[] { Ledger, OpenAnother() };
        for (var round = 0; round < 20; round++)
        {
            var key = $"v{round}";
            var won = 0;
            using var start = new Barrier(8);
            var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                if (ledgers[i % 2].TryAcquireLease(key, $"run-{i}", Ttl)) Interlocked.Increment(ref won);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Equal(1, won);
        }
    }

    [Fact]
    public void A_lease_given_back_is_free_at_once_here_and_soon_for_another_ledger()
    {
        var other = OpenAnother();
        Ledger.TryAcquireLease("v1", "run-a", Ttl);
        Assert.Equal("run-a", other.LeaseHolder("v1"));

        Ledger.ReleaseLease("v1", "run-a");

        Assert.Null(Ledger.LeaseHolder("v1"));
        Assert.Null(Eventually(() => other.LeaseHolder("v1"), holder => holder is null));
    }
}
