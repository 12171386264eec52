using System.Security.Cryptography;
using System.Text.Json;

namespace Takt.Tests.EndToEnd;

/// <summary><c>lineage DATASET@BOX</c> goes down to the landing files a source version was made from, by name and SHA-256.</summary>
public sealed class LineageTests : IDisposable
{
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Lineage_of_a_box_reaches_the_landing_files_its_source_versions_were_made_from_with_their_sha256()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(3));
        var build = E2E.Cli(home, "build");
        Assert.True(build.ExitCode == 0, build.ToString());
        var orders = LandingFile(home, "orders/2026-01-02.jsonl");
        var users = LandingFile(home, "users/2026-01-02.csv");

        var source = E2E.Cli(home, "lineage", "raw.orders@2026-01-02", "--json");
        Assert.True(source.ExitCode == 0, source.ToString());
        Assert.Equal([orders], LandingFiles(source.Json));

        // From the served scores, through the 7-day features (days 1 and 2 here) and both core datasets, to the files.
        var served = E2E.Cli(home, "lineage", "serving.fraud_scores@2026-01-02", "--json");
        Assert.True(served.ExitCode == 0, served.ToString());
        Assert.Equal([LandingFile(home, "orders/2026-01-01.jsonl"), orders, users], Descendants(served.Json).SelectMany(LandingFiles).Distinct().Order().ToArray());

        var text = E2E.Cli(home, "lineage", "raw.orders@2026-01-02");
        Assert.Contains($"landing file orders/2026-01-02.jsonl sha256 {orders.Sha256}", text.Console);

        // Negative amounts land for day 2: raw.orders gets a new version of the new file, core.orders stops and keeps
        // its version, whose lineage still names the file as it was (not what landed last).
        E2E.Generate(home, E2E.Day(2), E2E.Day(2), "negative-amounts");
        Assert.Equal(2, E2E.Cli(home, "build").ExitCode);
        var changed = LandingFile(home, "orders/2026-01-02.jsonl");
        Assert.NotEqual(orders.Sha256, changed.Sha256);
        Assert.Equal([changed], LandingFiles(E2E.Cli(home, "lineage", "raw.orders@2026-01-02", "--json").Json));
        var core = E2E.Cli(home, "lineage", "core.orders@2026-01-02", "--json");
        Assert.Equal([orders], Descendants(core.Json).SelectMany(LandingFiles).Distinct().Order().ToArray());
    }

    private sealed record Landed(string Path, string Sha256, long Size) : IComparable<Landed>
    {
        public int CompareTo(Landed? other) => string.CompareOrdinal(Path, other?.Path);
    }

    private static Landed LandingFile(string home, string relative)
    {
        var bytes = File.ReadAllBytes(Path.Combine(E2E.Landing(home), relative));
        return new Landed(relative, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length);
    }

    private static Landed[] LandingFiles(JsonElement node) =>
        node.TryGetProperty("landingFiles", out var files)
            ? files.EnumerateArray().Select(f => new Landed(f.GetProperty("path").GetString()!, f.GetProperty("sha256").GetString()!, f.GetProperty("size").GetInt64())).ToArray()
            : [];

    private static IEnumerable<JsonElement> Descendants(JsonElement node) =>
        node.GetProperty("upstream").EnumerateArray().SelectMany(Descendants).Prepend(node);
}
