using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>What every <see cref="IPublicationLedger"/> must do: copies recorded before they go live, one live copy per target, rollbacks held.</summary>
public abstract class PublicationLedgerContract<TStore> : LedgerContract<TStore> where TStore : ILedgerStore, new()
{
    private PublicationRecord Copy(string copy, string target = "db", params string[] versions) =>
        new("mart.sales", target, copy, Env, NowMs, 10, versions, Live: false, DroppedAtMs: null);

    [Fact]
    public void A_recorded_copy_is_not_live_until_readers_are_switched_to_it_and_one_copy_per_target_is_live()
    {
        Ledger.RecordCopy(Copy("copy-1", versions: ["v1"]));
        Assert.False(Assert.Single(Ledger.Publications("mart.sales")).Live);

        Ledger.SetLive("mart.sales", "db", "copy-1", Env, "published copy-1");
        Advance(TimeSpan.FromSeconds(1));
        Ledger.RecordCopy(Copy("copy-2", versions: ["v2"]));
        Ledger.RecordCopy(Copy("copy-a", target: "files", versions: ["v2"]));
        Ledger.SetLive("mart.sales", "db", "copy-2", Env, "published copy-2");
        Ledger.SetLive("mart.sales", "files", "copy-a", Env, "published copy-a");

        var copies = OpenAnother().Publications("mart.sales");
        Assert.Equal([("db", "copy-1", false), ("db", "copy-2", true), ("files", "copy-a", true)], copies.Select(c => (c.Target, c.Copy, c.Live)));
        Assert.Equal(["v2"], copies[1].Versions);
        Assert.Empty(Ledger.Publications("mart.other"));
        Assert.Equal(3, Ledger.Events("mart.sales", 10).Count(e => e.Kind == EventKind.Publish));
    }

    [Fact]
    public void A_rollback_puts_readers_back_on_the_old_copy_and_holds_the_target_until_a_publish_ends_it()
    {
        Ledger.RecordCopy(Copy("copy-1", versions: ["v1"]));
        Ledger.SetLive("mart.sales", "db", "copy-1", Env, "published");
        Ledger.RecordCopy(Copy("copy-2", versions: ["v2"]));
        Ledger.SetLive("mart.sales", "db", "copy-2", Env, "published");
        var hold = new PublishHold("mart.sales", "db", "copy-1", Env, ["v2"], NowMs);

        Ledger.RollBack(hold, from: "copy-2");

        Assert.Equal(["copy-1"], Ledger.Publications("mart.sales").Where(c => c.Live).Select(c => c.Copy));
        var held = OpenAnother().PublishHold("mart.sales", "db")!;
        Assert.Equal(hold with { Versions = [] }, held with { Versions = [] });
        Assert.Equal(["v2"], held.Versions);
        Assert.Null(Ledger.PublishHold("mart.sales", "files"));
        Assert.Contains(Ledger.Events("mart.sales", 10), e => e.Kind == EventKind.Rollback);

        Ledger.SetLive("mart.sales", "db", "copy-2", Env, "published by hand");
        Assert.Null(Ledger.PublishHold("mart.sales", "db"));
    }

    [Fact]
    public void A_dropped_copy_stays_listed_with_when_it_was_dropped()
    {
        Ledger.RecordCopy(Copy("copy-1", versions: ["v1"]));
        Advance(TimeSpan.FromMinutes(1));

        Ledger.MarkDropped("mart.sales", "db", "copy-1");

        Assert.Equal(NowMs, Assert.Single(Ledger.Publications("mart.sales")).DroppedAtMs);
    }
}
