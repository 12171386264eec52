using System.Text.Json;
using Takt.Running;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// Stored data is verified, never assumed: a version's file that is deleted or cut short after its commit is a located
/// processing error for whoever reads it, never an empty or partial box.
/// </summary>
public sealed class LostFileTests : IDisposable
{
    private const int Days = 5;
    private static readonly DateOnly Day = E2E.Day(3);
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void A_deleted_input_file_fails_its_reader_naming_version_and_file_instead_of_reading_an_empty_box()
    {
        var home = BuiltShop();
        var (version, file) = CurrentFile(home, "core.orders", Day);
        File.Delete(file);

        Assert.Equal(0, E2E.Cli(home, "invalidate", "mart.daily_revenue", "--from", E2E.Key(Day), "--to", E2E.Key(Day), "--reason", "recompute").ExitCode);
        var build = E2E.Cli(home, "build", "--json");

        Assert.True(build.ExitCode == 3, $"reading a version whose file is gone must be a processing error:\n{build}");
        var failed = Task(build, "mart.daily_revenue", Day);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains($"core.orders@{E2E.Key(Day)} version {version}: part-0.parquet missing", failed.GetProperty("message").GetString());
    }

    [Fact]
    public void A_truncated_input_file_fails_its_reader_naming_version_file_and_sizes()
    {
        var home = BuiltShop();
        var (version, file) = CurrentFile(home, "core.orders", Day);
        var size = new FileInfo(file).Length;
        using (var stream = new FileStream(file, FileMode.Open)) stream.SetLength(size / 2);

        Assert.Equal(0, E2E.Cli(home, "invalidate", "mart.daily_revenue", "--from", E2E.Key(Day), "--to", E2E.Key(Day), "--reason", "recompute").ExitCode);
        var build = E2E.Cli(home, "build", "--json");

        Assert.True(build.ExitCode == 3, build.ToString());
        var message = Task(build, "mart.daily_revenue", Day).GetProperty("message").GetString()!;
        Assert.Contains($"core.orders@{E2E.Key(Day)} version {version}: part-0.parquet is {size / 2} bytes, {size} recorded", message);
    }

    [Fact]
    public void Publishing_over_a_version_whose_file_is_gone_fails_instead_of_publishing_fewer_rows()
    {
        var home = BuiltShop();
        var (version, file) = CurrentFile(home, "serving.fraud_scores", Day);
        Assert.Equal(1, Copies(home));
        File.Delete(file);

        E2E.Generate(home, E2E.Day(Days + 1), E2E.Day(Days + 1));
        var build = E2E.Cli(home, "build", "--json");

        Assert.True(build.ExitCode == 3, $"the publish after this build reads every box of fraud scores:\n{build}");
        Assert.Contains($"serving.fraud_scores@{E2E.Key(Day)} version {version}: part-0.parquet missing", build.Stdout + build.Stderr);
        Assert.Equal(1, Copies(home)); // only the first build's copy: nothing with a hole in it was published
    }

    private string BuiltShop()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(Days));
        var build = E2E.Cli(home, "build");
        Assert.True(build.ExitCode == 0, build.ToString());
        return home;
    }

    internal static (string Version, string File) CurrentFile(string home, string dataset, DateOnly day)
    {
        var version = LedgerSnapshot.Read(home).Find(dataset, day)!.CurrentVersion!;
        var file = Path.Combine(home, "lake", dataset, E2E.Key(day), version, "part-0.parquet");
        Assert.True(File.Exists(file), file);
        return (version, file);
    }

    private static int Copies(string home) =>
        E2E.Cli(home, "published", "serving.fraud_scores", "--json").Json.GetProperty("copies").GetArrayLength();

    private static JsonElement Task(CliResult build, string dataset, DateOnly day) =>
        build.Json.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("dataset").GetString() == dataset && t.GetProperty("box").GetString() == E2E.Key(day));
}
