using Takt.Boxes;
using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>What every <see cref="IEnvironmentLedger"/> must do: environments over one set of versions, deploys recorded once.</summary>
public abstract class EnvironmentLedgerContract<TStore> : LedgerContract<TStore> where TStore : ILedgerStore, new()
{
    [Fact]
    public void Environments_are_listed_prod_first_and_dropping_one_keeps_the_versions()
    {
        Ledger.EnsureEnvironment("dev-b");
        Ledger.EnsureEnvironment("dev-a");
        Ledger.EnsureEnvironment("dev-a");
        Ledger.Commit(new CommitRequest("dev-a", Version("v1"), [], [], null));

        Assert.Equal([Env, "dev-a", "dev-b"], Ledger.Environments());
        Ledger.DropEnvironment("dev-a");

        Assert.Equal([Env, "dev-b"], OpenAnother().Environments());
        Assert.False(Ledger.EnvironmentExists("dev-a"));
        Assert.Empty(Ledger.Boxes("dev-a", "raw.a", BoxRange.Everything));
        Assert.NotNull(Ledger.FindVersion("v1"));
    }

    [Fact]
    public void Differing_boxes_count_the_boxes_two_environments_point_differently_or_only_one_has()
    {
        Ledger.EnsureEnvironment("dev");
        foreach (var box in new long[] { 1, 2, 3 }) Commit(Version($"v{box}", box: box));
        Ledger.Commit(new CommitRequest("dev", Version("v1"), [], [], null));
        Ledger.Commit(new CommitRequest("dev", Version("v2-dev", box: 2, code: "code-dev"), [], [], null));
        Ledger.Commit(new CommitRequest("dev", Version("v4", box: 4), [], [], null));

        Assert.Equal(3, Ledger.DifferingBoxes("dev", Env)); // 2 differs, 3 only in prod, 4 only in dev
        Assert.Equal(0, Ledger.DifferingBoxes(Env, Env));
    }

    [Fact]
    public void Of_two_builds_that_saw_the_same_deployed_code_only_the_first_records_the_deploy()
    {
        Assert.Null(Ledger.DeployedCodeHash(Env, "raw.a"));
        var other = OpenAnother();

        Assert.True(Ledger.RecordDeploy(Env, "raw.a", null, "code-1aaaaaaaa", null));
        Assert.False(other.RecordDeploy(Env, "raw.a", null, "code-1aaaaaaaa", null));
        Advance(TimeSpan.FromSeconds(1));
        Assert.True(other.RecordDeploy(Env, "raw.a", "code-1aaaaaaaa", "code-2bbbbbbbb", "0123456789abcdef"));

        Assert.Equal("code-2bbbbbbbb", Ledger.DeployedCodeHash(Env, "raw.a"));
        Assert.Null(Ledger.DeployedCodeHash("dev", "raw.a"));
        Assert.Equal(2, Ledger.Events("raw.a", 10).Count(e => e.Kind == EventKind.Deploy));
    }
}
