namespace Takt.Tests.EndToEnd;

/// <summary>
/// A build removes what dead runs left in staging; a directory it cannot remove (here immutable: even root cannot
/// delete what is in it) is named in the build's output, never passed over in silence.
/// </summary>
/// <remarks>Needs root (chattr), as the machines and CI have; the flag is undone even when the test fails.</remarks>
public sealed class StagingLeftoverTests : IDisposable
{
    private readonly E2EDirectory _dir = new();
    private readonly FileSystemFaults _faults = new();

    public void Dispose()
    {
        _faults.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_staging_directory_of_a_dead_run_that_cannot_be_removed_is_named_by_the_build()
    {
        var home = _dir.Combine("home");
        E2E.Generate(home, E2E.Day(1), E2E.Day(1));
        var leftover = Path.Combine(home, "lake", "_staging", "20260101T000000-dead-run", "attempt-1");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "part-0.parquet"), "never promoted");
        var removable = Path.Combine(home, "lake", "_staging", "20260101T000000-other-dead-run");
        Directory.CreateDirectory(removable);
        _faults.Immutable(leftover);

        var build = E2E.Cli(home, "build", "--json");

        Assert.True(build.ExitCode == 0, build.ToString());
        var reported = Assert.Single(build.Json.GetProperty("stagingLeftovers").EnumerateArray());
        Assert.Equal(Path.Combine(home, "lake", "_staging", "20260101T000000-dead-run"), reported.GetProperty("directory").GetString());
        Assert.False(string.IsNullOrEmpty(reported.GetProperty("reason").GetString()));
        Assert.False(Directory.Exists(removable));
        var recorded = Assert.Single(LeftoverEvents(home));
        Assert.StartsWith($"staging directory {Path.Combine(home, "lake", "_staging", "20260101T000000-dead-run")} of a run no longer running could not be removed (", recorded);

        var text = E2E.Cli(home, "build");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains($"staging directory {Path.Combine(home, "lake", "_staging", "20260101T000000-dead-run")} of a run no longer running could not be removed", text.Console);
    }

    private static List<string> LeftoverEvents(string home)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={LedgerSnapshot.PathOf(home)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message FROM events WHERE kind = 'staging_leftover' ORDER BY id";
        using var reader = command.ExecuteReader();
        var messages = new List<string>();
        while (reader.Read()) messages.Add(reader.GetString(0));
        return messages;
    }
}
