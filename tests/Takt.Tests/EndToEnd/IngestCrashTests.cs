namespace Takt.Tests.EndToEnd;

/// <summary>
/// A build killed after ingesting a changed landing file, before it recorded the file as taken: the ledger must not go on
/// taking the landing zone's older content for what the environment has.
/// </summary>
public sealed class IngestCrashTests : IDisposable
{
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_file_changed_back_after_a_build_died_having_ingested_its_change_is_ingested_again()
    {
        var home = _dir.Combine("home");
        E2E.Generate(home, E2E.Day(1), E2E.Day(3));
        Assert.Equal(0, E2E.Cli(home, "build").ExitCode);
        var before = LedgerSnapshot.Read(home).CurrentVersions();

        // A late order lands for day 2; the build ingests it and dies before it records the file as taken.
        var day2 = Path.Combine(E2E.Landing(home), "orders", "2026-01-02.jsonl");
        var original = File.ReadAllText(day2);
        File.AppendAllText(day2, File.ReadLines(day2).First().Replace("o-20260102-00001", "o-20260102-late1", StringComparison.Ordinal) + "\n");
        using (var dying = ShopProcess.Start(new Dictionary<string, string> { ["TAKT_CRASH_AT"] = "ingest-before-landed-files" }, "build", "--home", home))
            Assert.NotEqual(0, await dying.WaitAsync(TimeSpan.FromMinutes(3)));
        Assert.NotEqual(before["raw.orders@2026-01-02"], LedgerSnapshot.Read(home).CurrentVersions()["raw.orders@2026-01-02"]);

        File.WriteAllText(day2, original); // the late order is withdrawn: the file holds what the first build took

        var build = E2E.Cli(home, "build");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(before, LedgerSnapshot.Read(home).CurrentVersions());
        Assert.Equal(0, E2E.Cli(home, "plan", "--json").Json.GetProperty("tasks").GetArrayLength());
    }
}
