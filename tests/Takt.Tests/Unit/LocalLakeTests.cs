using System.Security.Cryptography;
using Takt.Engine;
using Takt.Lake;
using Takt.Ledger;

namespace Takt.Tests.Unit;

/// <summary>The local lake: what it stores it measures, and what it checks it reports, on real Parquet files written by DuckDB.</summary>
public sealed class LocalLakeTests : IDisposable
{
    private static readonly VersionLocation Version = new("core.orders", "2026-01-05", "v1");
    private readonly UnitTempDirectory _dir = new();
    private readonly LocalLake _lake;

    public LocalLakeTests() => _lake = new LocalLake(_dir.Combine("lake"));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Promote_returns_each_stored_file_with_its_size_and_sha256()
    {
        var staging = StageRows(1000);
        var staged = File.ReadAllBytes(Path.Combine(staging, "part-0.parquet"));

        var file = Assert.Single(_lake.Promote(staging, Version));

        Assert.Equal(new VersionFile("part-0.parquet", staged.Length, Convert.ToHexStringLower(SHA256.HashData(staged))), file);
        Assert.Empty(_lake.Check(Version, [file], deep: true));
        Assert.False(Directory.Exists(staging));
    }

    [Fact]
    public void Check_reports_a_missing_a_short_and_with_deep_a_changed_file()
    {
        var file = Assert.Single(_lake.Promote(StageRows(1000), Version));
        var path = Assert.Single(_lake.LocalPaths(Version, [file]));

        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        Assert.Empty(_lake.Check(Version, [file], deep: false));
        Assert.Equal(FileProblemKind.Checksum, Assert.Single(_lake.Check(Version, [file], deep: true)).Kind);

        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(10);
        Assert.Equal($"part-0.parquet is 10 bytes, {file.Size} recorded", Assert.Single(_lake.Check(Version, [file], deep: false)).Description);

        File.Delete(path);
        Assert.Equal("part-0.parquet missing", Assert.Single(_lake.Check(Version, [file], deep: false)).Description);
    }

    [Fact]
    public void Survey_measures_complete_parquet_files_and_reports_a_cut_one_or_an_empty_directory()
    {
        var file = Assert.Single(_lake.Promote(StageRows(1000), Version));
        var (found, problems) = _lake.Survey(Version);
        Assert.Equal([file], found);
        Assert.Empty(problems);

        var path = _lake.LocalPaths(Version, [file])[0];
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(file.Size - 1);
        (found, problems) = _lake.Survey(Version);
        Assert.Empty(found);
        Assert.Equal(FileProblemKind.NotParquet, Assert.Single(problems).Kind);

        File.Delete(path);
        Assert.Equal(FileProblemKind.Missing, Assert.Single(_lake.Survey(Version).Problems).Kind);
    }

    [Fact]
    public void A_recorded_file_name_that_is_not_a_plain_name_is_refused()
    {
        _lake.Promote(StageRows(10), Version);
        Assert.Throws<InvalidDataException>(() => _lake.Check(Version, [new VersionFile("../v2/part-0.parquet", 1, "00")], deep: false));
    }

    private string StageRows(int rows)
    {
        var staging = _lake.CreateStaging("run", "attempt");
        using var db = new DuckDbSession();
        db.CopyToParquet($"SELECT range AS id, 'order ' || range AS name FROM range({rows})", Path.Combine(staging, "part-0.parquet"));
        return staging;
    }
}
