using Microsoft.Data.Sqlite;
using Takt.Boxes;
using Takt.Ledger.Sqlite;

namespace Takt.Tests.Unit;

/// <summary>A ledger written before invalidations were ranges keeps every box's generation, so no recipe changes on upgrade.</summary>
public sealed class InvalidationMigrationTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();
    private string LedgerPath => _dir.Combine("ledger.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void Per_box_generations_become_ranges_with_the_same_generation_per_box()
    {
        // Schema version 5, with per-box rows as `invalidate` wrote them: days 10..12 twice (the second time at seq 9),
        // day 11 once more alone (seq 12), and another dataset's day 3 once.
        using (var old = new OldSchemaLedger(LedgerPath, 5))
        {
            old.Run("""
                INSERT INTO generations VALUES ('raw.a', 10, 2, 9), ('raw.a', 11, 3, 12), ('raw.a', 12, 2, 9), ('raw.b', 3, 1, 4);
                UPDATE counters SET value = 12 WHERE name = 'seq';
                """);
        }

        using var ledger = new SqliteLedger(LedgerPath);
        var a = ledger.Generations("raw.a", new BoxRange(0, 100));
        Assert.Equal([0, 2, 3, 2, 0], new long[] { 9, 10, 11, 12, 13 }.Select(a.Of));
        Assert.Equal(1, ledger.Generations("raw.b", BoxRange.Single(3)).Of(3));
        Assert.Equal(0, ledger.Generations("raw.b", BoxRange.Single(4)).Of(4));
        Assert.Equal(12, ledger.MaxGenerationSeq("raw.a"));
        Assert.Equal(4, ledger.MaxGenerationSeq("raw.b"));

        // A new invalidation over all of it adds one row and one generation everywhere.
        ledger.Invalidate("raw.a", new BoxRange(0, 100), "0..100", 101, "again");
        var after = ledger.Generations("raw.a", new BoxRange(0, 100));
        Assert.Equal([1, 3, 4, 3, 1], new long[] { 9, 10, 11, 12, 13 }.Select(after.Of));
        Assert.True(ledger.MaxGenerationSeq("raw.a") > 12);
        // Converted: raw.a's days 10 and 12 (generation 2, not adjacent), day 11, raw.b's day 3; then the new range.
        Assert.Equal(5L, CountRows("invalidations"));
    }

    private long CountRows(string tableAndWhere) => OldSchemaLedger.CountRows(LedgerPath, tableAndWhere);
}
