using Takt.Boxes;
using Takt.Ledger;

namespace Takt.Tests.Contracts;

/// <summary>What every <see cref="IProfileLedger"/> must do: profiles kept whole (every statistic, nulls included) and read by the environment's current versions.</summary>
public abstract class ProfileLedgerContract<TStore> : LedgerContract<TStore> where TStore : ILedgerStore, new()
{
    private static readonly long Day = new DateOnly(2026, 1, 5).DayNumber;
    private static readonly TopValue[] NoValues = [];

    private static readonly ColumnProfile[] Columns =
    [
        new("id", "BIGINT", 3, 0, 3, "1", "3", 1, 3, 2, [new TopValue("1", 1), new TopValue("2", 1)]),
        new("s", "VARCHAR", 3, 1, 1, "a", "a", null, null, null, [new TopValue("a", 2)]),
        new("at", "TIMESTAMP", 3, 1, 2, "2026-01-05T10:00:00Z", "2026-01-05T23:30:00.5Z", null, null, null, []),
        new("l", "BIGINT[]", 3, 1, null, null, null, null, null, null, []),
    ];

    private static VersionProfile ProfileOf(string versionId, long box) =>
        new(versionId, "core.t", box, $"box-{box}", 3, 1234, Columns);

    [Fact]
    public void Profiles_round_trip_through_the_ledger_and_follow_the_current_versions()
    {
        Commit(Version("v1", "core.t", Day) with { Rows = 3 });
        Commit(Version("v2", "core.t", Day + 1) with { Rows = 7 });
        Commit(Version("v3", "core.t", Day + 2, VersionStatus.Quarantined) with { Rows = 1 });
        Ledger.SaveProfile(ProfileOf("v1", Day) with { Rows = 2 });
        Ledger.SaveProfile(ProfileOf("v1", Day)); // saving again replaces
        Ledger.SaveProfile(ProfileOf("v3", Day + 2));

        Assert.Equal(new HashSet<string> { "v1", "v3" }, Ledger.ProfiledVersions("core.t"));
        var current = Assert.Single(OpenAnother().CurrentProfiles(Env, "core.t", BoxRange.Everything)); // v3 is quarantined, not current
        Assert.Equal(("v1", Day, 3L), (current.VersionId, current.Box, current.Rows));
        Assert.Equal(Columns.Length, current.Columns.Count);
        for (var i = 0; i < Columns.Length; i++)
        {
            Assert.Equal(Columns[i] with { TopValues = NoValues }, current.Columns[i] with { TopValues = NoValues });
            Assert.Equal(Columns[i].TopValues, current.Columns[i].TopValues);
        }
        Assert.Empty(Ledger.CurrentProfiles(Env, "core.t", new BoxRange(Day + 1, Day + 5)));
        Assert.Empty(Ledger.CurrentProfiles("dev-x", "core.t", BoxRange.Everything));

        Assert.Equal([(Day, 3L), (Day + 1, 7L)], Ledger.CurrentRowCounts(Env, "core.t", BoxRange.Everything));
        Assert.Equal([(Day + 1, 7L)], Ledger.CurrentRowCounts(Env, "core.t", new BoxRange(Day + 1, Day + 2)));
    }
}
