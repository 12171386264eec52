namespace Takt.Tests.EndToEnd;

/// <summary>
/// Invalidations are stored as ranges clipped to what the dataset has: any width costs a row, and the next build runs
/// exactly the boxes that read an invalidated box (DESIGN contract 2), the same as for the narrow range.
/// </summary>
public sealed class InvalidateTests : IDisposable
{
    private const int Days = 10;
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void A_wide_invalidate_writes_a_few_rows_and_the_next_build_recomputes_exactly_what_the_narrow_one_does()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(Days));
        Assert.Equal(0, E2E.Cli(home, "build").ExitCode);

        var before = LedgerContents.RowCounts(home);
        var wide = E2E.Cli(home, "invalidate", "raw.orders", "--from", "0001-01-01", "--to", "9999-12-31", "--reason", "all wrong", "--json");
        Assert.True(wide.ExitCode == 0, wide.ToString());
        Assert.Equal(Days, wide.Json.GetProperty("boxes").GetInt64());
        var written = LedgerContents.RowCounts(home).Sum(t => t.Value - before.GetValueOrDefault(t.Key));
        Assert.True(written <= 3, $"the invalidate wrote {written} rows: {string.Join(", ", LedgerContents.RowCounts(home).Where(t => t.Value != before.GetValueOrDefault(t.Key)).Select(t => $"{t.Key} +{t.Value - before.GetValueOrDefault(t.Key)}"))}");
        Assert.True(new FileInfo(LedgerSnapshot.PathOf(home)).Length < 4 << 20, "the ledger grew past 4 MB");

        // Every box of raw.orders and everything that reads it; the users side is untouched.
        var expected = E2E.Counts(("core.orders", Days), ("mart.daily_revenue", Days), ("mart.user_features", Days), ("raw.orders", Days), ("serving.fraud_scores", Days));
        var afterWide = E2E.Cli(home, "build", "--json");
        Assert.True(afterWide.ExitCode == 0, afterWide.ToString());
        var ranWide = Tasks(afterWide);
        Assert.True(expected.SequenceEqual(E2E.CountByDataset(afterWide.Json.GetProperty("tasks"))), $"expected {E2E.Show(expected)}:\n{afterWide}");
        Assert.Equal(0, E2E.Cli(home, "plan", "--json").Json.GetProperty("tasks").GetArrayLength());

        var narrow = E2E.Cli(home, "invalidate", "raw.orders", "--from", E2E.Key(E2E.Day(1)), "--to", E2E.Key(E2E.Day(Days)), "--reason", "again");
        Assert.True(narrow.ExitCode == 0, narrow.ToString());
        var afterNarrow = E2E.Cli(home, "build", "--json");
        Assert.True(afterNarrow.ExitCode == 0, afterNarrow.ToString());
        Assert.Equal(ranWide, Tasks(afterNarrow));
    }

    [Fact]
    public void Invalidating_a_range_without_boxes_says_so_and_writes_nothing()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(3));
        Assert.Equal(0, E2E.Cli(home, "build").ExitCode);

        var before = LedgerContents.RowCounts(home);
        var result = E2E.Cli(home, "invalidate", "raw.orders", "--from", "2025-01-01", "--to", "2025-12-31", "--reason", "wrong year");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("raw.orders has no boxes in 2025-01-01..2025-12-31", result.Console);
        Assert.Contains("2026-01-01..2026-01-03", result.Console);
        Assert.Contains("nothing invalidated", result.Console);
        Assert.Equal(before, LedgerContents.RowCounts(home));
        Assert.Equal(0, E2E.Cli(home, "plan", "--json").Json.GetProperty("tasks").GetArrayLength());
    }

    private static string[] Tasks(CliResult build) => build.Json.GetProperty("tasks").EnumerateArray()
        .Select(t => $"{t.GetProperty("dataset").GetString()}@{t.GetProperty("box").GetString()}").Order(StringComparer.Ordinal).ToArray();
}
