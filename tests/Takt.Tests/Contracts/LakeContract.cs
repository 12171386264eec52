using System.Security.Cryptography;
using Takt.Engine;
using Takt.Lake;
using Takt.Ledger;
using Takt.Tests.Unit;

namespace Takt.Tests.Contracts;

/// <summary>
/// What every <see cref="ILake"/> must do, on real Parquet files written by DuckDB: stage, promote (measured), read
/// through local paths, check, survey, delete, and clean what a crashed run left. A new lake subclasses this suite and
/// implements <see cref="Open"/> and <see cref="Damage"/>.
/// </summary>
public abstract class LakeContract : IDisposable
{
    private static readonly VersionLocation Version = new("core.orders", "2026-01-05", "v1");
    private readonly UnitTempDirectory _dir = new();
    private ILake? _lake;

    /// <summary>Opens the lake stored in <paramref name="directory"/>, creating it when empty.</summary>
    protected abstract ILake Open(string directory);

    /// <summary>Changes a stored file behind the lake's back, as a disk or a person would: <paramref name="change"/> gets its bytes; null deletes it.</summary>
    protected abstract void Damage(ILake lake, VersionLocation location, VersionFile file, Func<byte[], byte[]?> change);

    private ILake Lake => _lake ??= Open(_dir.Combine("lake"));

    /// <summary>What a task's commit does with one version: place its files, then make them durable.</summary>
    private IReadOnlyList<VersionFile> Promote(string staging, VersionLocation location)
    {
        var files = Lake.Place(staging, location);
        Lake.Persist([location]);
        return files;
    }

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Promote_returns_each_stored_file_with_its_size_and_sha256()
    {
        var staging = StageRows(1000);
        var staged = File.ReadAllBytes(Path.Combine(staging, "part-0.parquet"));

        var file = Assert.Single(Promote(staging, Version));

        Assert.Equal(new VersionFile("part-0.parquet", staged.Length, Convert.ToHexStringLower(SHA256.HashData(staged))), file);
        Assert.Empty(Lake.Check(Version, [file], deep: true));
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public void A_promoted_version_is_read_by_duckdb_through_its_local_paths()
    {
        var file = Assert.Single(Promote(StageRows(1000), Version));

        using var db = new DuckDbSession();
        var path = Assert.Single(Lake.LocalPaths(Version, [file]));
        Assert.Equal(1000, db.Scalar<long>($"SELECT count(*) FROM read_parquet({SqlText.Literal(path)})"));
    }

    [Fact]
    public void Check_reports_a_missing_a_short_and_with_deep_a_changed_file()
    {
        var file = Assert.Single(Promote(StageRows(1000), Version));

        Damage(Lake, Version, file, bytes =>
        {
            bytes[bytes.Length / 2] ^= 0xFF;
            return bytes;
        });
        Assert.Empty(Lake.Check(Version, [file], deep: false));
        Assert.Equal(FileProblemKind.Checksum, Assert.Single(Lake.Check(Version, [file], deep: true)).Kind);

        Damage(Lake, Version, file, bytes => bytes[..10]);
        Assert.Equal($"part-0.parquet is 10 bytes, {file.Size} recorded", Assert.Single(Lake.Check(Version, [file], deep: false)).Description);

        Damage(Lake, Version, file, _ => null);
        Assert.Equal("part-0.parquet missing", Assert.Single(Lake.Check(Version, [file], deep: false)).Description);
    }

    [Fact]
    public void Survey_measures_complete_parquet_files_and_reports_a_cut_one_or_an_empty_location()
    {
        var file = Assert.Single(Promote(StageRows(1000), Version));
        var (found, problems) = Lake.Survey(Version);
        Assert.Equal([file], found);
        Assert.Empty(problems);

        Damage(Lake, Version, file, bytes => bytes[..^1]);
        (found, problems) = Lake.Survey(Version);
        Assert.Empty(found);
        Assert.Equal(FileProblemKind.NotParquet, Assert.Single(problems).Kind);

        Damage(Lake, Version, file, _ => null);
        Assert.Equal(FileProblemKind.Missing, Assert.Single(Lake.Survey(Version).Problems).Kind);
    }

    [Fact]
    public void A_recorded_file_name_that_is_not_a_plain_name_is_refused()
    {
        Promote(StageRows(10), Version);
        Assert.Throws<InvalidDataException>(() => Lake.Check(Version, [new VersionFile("../v2/part-0.parquet", 1, "00")], deep: false));
        Assert.Throws<InvalidDataException>(() => Lake.LocalPaths(Version, [new VersionFile("..", 1, "00")]));
    }

    [Fact]
    public void A_new_attempt_stages_into_an_empty_directory_even_where_an_earlier_attempt_wrote()
    {
        var first = Lake.CreateStaging("run", "attempt");
        File.WriteAllText(Path.Combine(first, "part-0.parquet"), "half written");

        var again = Lake.CreateStaging("run", "attempt");

        Assert.Empty(Directory.EnumerateFileSystemEntries(again));
        Assert.NotEqual(Lake.CreateStaging("run", "attempt-2"), again);
    }

    [Fact]
    public void Promoting_a_version_again_replaces_what_an_earlier_attempt_left_at_its_location()
    {
        var leftover = StageRows(10);
        File.Copy(Path.Combine(leftover, "part-0.parquet"), Path.Combine(leftover, "part-1.parquet"));
        Assert.Equal(2, Promote(leftover, Version).Count);

        var file = Assert.Single(Promote(StageRows(20), Version));

        Assert.Equal([file], Lake.Survey(Version).Files);
        Assert.Empty(Lake.Check(Version, [file], deep: true));
    }

    [Fact]
    public void A_deleted_version_has_no_files_left()
    {
        var file = Assert.Single(Promote(StageRows(10), Version));

        Lake.Delete(Version);
        Lake.Delete(Version); // twice: gc taken over after a crash deletes again

        Assert.Equal(FileProblemKind.Missing, Assert.Single(Lake.Check(Version, [file], deep: false)).Kind);
        Assert.Equal(FileProblemKind.Missing, Assert.Single(Lake.Survey(Version).Problems).Kind);
    }

    [Fact]
    public void What_a_crashed_run_staged_is_cleaned_and_a_live_runs_staging_is_kept()
    {
        var dead = Lake.CreateStaging("dead-run", "attempt");
        File.WriteAllText(Path.Combine(dead, "part-0.parquet"), "never promoted");
        var live = Lake.CreateStaging("live-run", "attempt");
        var discarded = Lake.CreateStaging("live-run", "attempt-2");

        Lake.DiscardStaging(discarded);
        Lake.CleanStaging(run => run == "live-run");

        Assert.False(Directory.Exists(dead));
        Assert.False(Directory.Exists(discarded));
        Assert.True(Directory.Exists(live));
        Lake.DiscardStaging(discarded); // already gone: nothing to do
    }

    private string StageRows(int rows)
    {
        var staging = Lake.CreateStaging("run", "attempt");
        using var db = new DuckDbSession();
        db.CopyToParquet($"SELECT range AS id, 'order ' || range AS name FROM range({rows})", Path.Combine(staging, "part-0.parquet"));
        return staging;
    }
}
