using System.Text.Json;
using Microsoft.Data.Sqlite;
using Takt.Running;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// <c>verify</c> finds every version in use whose files are missing, short or (with <c>--deep</c>) changed, marks
/// them lost, and the next build makes exactly those boxes again, under the same version ids, with their downstream.
/// </summary>
public sealed class VerifyTests : IDisposable
{
    private const int Days = 5;
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Verify_names_each_lost_file_and_the_next_build_makes_exactly_those_boxes_again_under_the_same_versions()
    {
        var home = BuiltShop();
        var healthy = E2E.Cli(home, "verify", "--json");
        Assert.True(healthy.ExitCode == 0, healthy.ToString());
        Assert.Empty(healthy.Json.GetProperty("problems").EnumerateArray());
        Assert.Equal(E2E.Datasets.Length * Days, healthy.Json.GetProperty("versions").GetInt32());
        var before = LedgerSnapshot.Read(home).CurrentVersions();

        var deleted = LostFileTests.CurrentFile(home, "core.orders", E2E.Day(3));
        File.Delete(deleted.File);
        var truncated = LostFileTests.CurrentFile(home, "raw.users", E2E.Day(2)); // a source: made again from its landing file
        using (var stream = new FileStream(truncated.File, FileMode.Open)) stream.SetLength(stream.Length - 100);
        var directoryGone = LostFileTests.CurrentFile(home, "mart.daily_revenue", E2E.Day(4));
        Directory.Delete(Path.GetDirectoryName(directoryGone.File)!, recursive: true);
        var changed = LostFileTests.CurrentFile(home, "serving.fraud_scores", E2E.Day(5)); // same size, other bytes: only --deep sees it
        FlipOneByte(changed.File);

        var verify = E2E.Cli(home, "verify");
        Assert.True(verify.ExitCode == 3, verify.ToString());
        Assert.Contains($"core.orders@2026-01-03 version {deleted.Version} (prod): part-0.parquet missing", verify.Console);
        Assert.Contains($"raw.users@2026-01-02 version {truncated.Version} (prod): part-0.parquet is", verify.Console);
        Assert.Contains($"mart.daily_revenue@2026-01-04 version {directoryGone.Version} (prod): part-0.parquet missing", verify.Console);
        Assert.DoesNotContain(changed.Version, verify.Console);

        var versions = E2E.Cli(home, "versions", "core.orders@2026-01-03", "--json").Json.GetProperty("versions")[0];
        Assert.Equal(("lost", 0), (versions.GetProperty("fileState").GetString(), versions.GetProperty("files").GetArrayLength()));

        var deep = E2E.Cli(home, "verify", "--deep", "--json");
        Assert.True(deep.ExitCode == 3, deep.ToString());
        var problems = deep.Json.GetProperty("problems").EnumerateArray().ToArray();
        Assert.Equal(
            [("core.orders", "missing", true), ("mart.daily_revenue", "missing", true), ("raw.users", "size", true), ("serving.fraud_scores", "checksum", false)],
            problems.Select(p => (p.GetProperty("dataset").GetString()!, p.GetProperty("kind").GetString()!, p.GetProperty("alreadyLost").GetBoolean())).ToArray());

        var plan = E2E.Cli(home, "plan", "--json");
        var lost = new[] { ("core.orders", 3), ("raw.users", 2), ("mart.daily_revenue", 4), ("serving.fraud_scores", 5) }
            .Select(l => $"{l.Item1}@{E2E.Key(E2E.Day(l.Item2))}").ToHashSet();
        var expected = lost.Union(Downstream(home, lost)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, Keys(plan.Json.GetProperty("tasks")).Order(StringComparer.Ordinal).ToArray());

        var build = E2E.Cli(home, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());
        var tasks = build.Json.GetProperty("tasks").EnumerateArray().ToArray();
        Assert.Equal(lost.Order(StringComparer.Ordinal), Keys(tasks.Where(t => Status(t) == "built")).Order(StringComparer.Ordinal));
        Assert.All(tasks.Where(t => !lost.Contains(Key(t))), t => Assert.Equal("reused", Status(t)));
        Assert.Equal(expected.Length, tasks.Length);

        Assert.Equal(before, LedgerSnapshot.Read(home).CurrentVersions()); // the same versions, made again
        var rebuilt = E2E.Cli(home, "versions", "core.orders@2026-01-03", "--json").Json.GetProperty("versions")[0];
        Assert.Equal(("present", deleted.File), (rebuilt.GetProperty("fileState").GetString(), rebuilt.GetProperty("files")[0].GetString()));
        var after = E2E.Cli(home, "verify", "--deep", "--json");
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Equal(0, E2E.Cli(home, "plan", "--json").Json.GetProperty("tasks").GetArrayLength());
        LedgerSnapshot.AssertConsistent(home, "after the lost boxes were made again");
    }

    [Fact]
    public void A_lost_source_whose_landing_file_changed_is_ingested_as_a_new_version_and_its_downstream_rebuilt()
    {
        var home = BuiltShop();
        var lost = LostFileTests.CurrentFile(home, "raw.orders", E2E.Day(2));
        File.Delete(lost.File);
        var landing = Path.Combine(E2E.Landing(home), "orders", "2026-01-02.jsonl");
        File.WriteAllLines(landing, File.ReadAllLines(landing).SkipLast(1)); // one order fewer

        Assert.Equal(3, E2E.Cli(home, "verify").ExitCode);
        var build = E2E.Cli(home, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());
        var built = E2E.CountByDataset(build.Json.GetProperty("tasks"), "built");
        var expected = E2E.Counts(("core.orders", 1), ("mart.daily_revenue", 1), ("mart.user_features", 4), ("raw.orders", 1), ("serving.fraud_scores", 4));
        Assert.True(expected.SequenceEqual(built), $"expected built {E2E.Show(expected)}, got {E2E.Show(built)}\n{build}");
        Assert.NotEqual(lost.Version, LedgerSnapshot.Read(home).Find("raw.orders", E2E.Day(2))!.CurrentVersion);
        Assert.Equal(0, E2E.Cli(home, "verify").ExitCode);
    }

    [Fact]
    public void A_lost_source_whose_landing_file_is_gone_fails_the_build_naming_the_box()
    {
        var home = BuiltShop();
        File.Delete(LostFileTests.CurrentFile(home, "raw.orders", E2E.Day(2)).File);
        File.Delete(Path.Combine(E2E.Landing(home), "orders", "2026-01-02.jsonl"));

        Assert.Equal(3, E2E.Cli(home, "verify").ExitCode);
        var build = E2E.Cli(home, "build", "--json");
        Assert.True(build.ExitCode == 3, build.ToString());
        var failed = build.Json.GetProperty("tasks").EnumerateArray().Single(t => Status(t) == "failed");
        Assert.Equal("raw.orders@2026-01-02", Key(failed));
        Assert.Contains("no landing files match", failed.GetProperty("message").GetString());
    }

    [Fact]
    public void Versions_committed_before_file_records_get_them_on_first_need_and_a_short_one_is_found()
    {
        var home = BuiltShop();
        ForgetFileRecords(home); // as a ledger written before file records existed
        var cut = LostFileTests.CurrentFile(home, "core.orders", E2E.Day(3));
        using (var stream = new FileStream(cut.File, FileMode.Open)) stream.SetLength(stream.Length / 2);

        var verify = E2E.Cli(home, "verify", "--json");
        Assert.True(verify.ExitCode == 3, verify.ToString());
        Assert.Equal(E2E.Datasets.Length * Days - 1, verify.Json.GetProperty("recorded").GetInt32());
        var problem = Assert.Single(verify.Json.GetProperty("problems").EnumerateArray());
        Assert.Equal(cut.Version, problem.GetProperty("version").GetString());
        Assert.Equal("part-0.parquet is not a complete Parquet file (no footer at its end)", problem.GetProperty("problem").GetString());

        Assert.Equal(0, E2E.Cli(home, "build").ExitCode);
        Assert.Equal(0, E2E.Cli(home, "verify", "--deep").ExitCode);
    }

    private string BuiltShop()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(Days));
        var build = E2E.Cli(home, "build");
        Assert.True(build.ExitCode == 0, build.ToString());
        return home;
    }

    /// <summary>Every box whose current version was made, directly or not, from the current versions of these boxes.</summary>
    private static IEnumerable<string> Downstream(string home, IReadOnlySet<string> boxes)
    {
        var ledger = LedgerSnapshot.Read(home);
        var keyOf = ledger.CurrentVersions().ToDictionary(kv => kv.Value, kv => kv.Key);
        var found = boxes.ToHashSet();
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (version, input) in ledger.Lineage)
                if (keyOf.TryGetValue(input, out var from) && found.Contains(from) && keyOf.TryGetValue(version, out var reader)) grew |= found.Add(reader);
        }
        return found.Except(boxes);
    }

    private static void FlipOneByte(string file)
    {
        using var stream = new FileStream(file, FileMode.Open);
        stream.Position = stream.Length / 2;
        var b = stream.ReadByte();
        stream.Position = stream.Length / 2;
        stream.WriteByte((byte)(b ^ 0xFF));
    }

    private static void ForgetFileRecords(string home)
    {
        using var connection = new SqliteConnection($"Data Source={LedgerSnapshot.PathOf(home)};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "DELETE FROM version_files";
        Assert.Equal(E2E.Datasets.Length * Days, cmd.ExecuteNonQuery());
    }

    private static string Status(JsonElement task) => task.GetProperty("status").GetString()!;

    private static string Key(JsonElement task) => $"{task.GetProperty("dataset").GetString()}@{task.GetProperty("box").GetString()}";

    private static IEnumerable<string> Keys(IEnumerable<JsonElement> tasks) => tasks.Select(Key);

    private static IEnumerable<string> Keys(JsonElement tasks) => Keys(tasks.EnumerateArray());
}
