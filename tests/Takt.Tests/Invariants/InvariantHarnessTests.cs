using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;

namespace Takt.Tests.Invariants;

/// <summary>
/// The harness's checks can fail: each test plants one fault behind Takt's back (rows changed in a committed version,
/// a lost file, a staging leftover, a published view switched without the ledger) and expects its invariant reported.
/// </summary>
public sealed class InvariantHarnessTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "takt-harness-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly ContentHasher _hasher = new();
    private readonly HistoryRunner _runner;

    public InvariantHarnessTests()
    {
        var subject = new SmallSubject();
        _runner = new HistoryRunner(subject, 7, _root, _hasher, new Oracle(subject, Path.Combine(_root, "oracle"), _hasher));
        // Other invariants (open defects of today's Takt) are not what these tests are about: explore past them.
        _runner.Run(Op.ParseList("land:3:0;build"), explore: true);
    }

    public void Dispose()
    {
        _hasher.Dispose();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void A_committed_version_whose_rows_differ_from_a_from_scratch_build_breaks_content_matches_oracle()
    {
        var file = CurrentFile("mart.to_date");
        Rewrite(file, "SELECT segment, events, amount + 1 AS amount FROM read_parquet({0})");
        AssertBroken("build", "content-matches-oracle");
    }

    [Fact]
    public void A_lost_file_of_a_current_version_breaks_pointer_files_complete()
    {
        File.Delete(CurrentFile("serving.scores"));
        AssertBroken("build", "pointer-files-complete");
    }

    [Fact]
    public void A_file_left_in_staging_breaks_staging_empty_after_build()
    {
        var leftover = Path.Combine(_runner.Sut.Staging, "a-run", "attempt", "part-0.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(leftover)!);
        File.WriteAllText(leftover, "half a file");
        _runner.Checks.Found.Clear();
        _runner.Checks.StagingEmpty();
        Assert.Equal("staging-empty-after-build", Assert.Single(_runner.Checks.Found).Invariant);
    }

    [Fact]
    public void A_published_view_switched_behind_the_ledger_breaks_published_view_is_ledger_live()
    {
        _runner.Run(Op.ParseList("land:1:0;build"), explore: true);
        using (var db = new SqliteConnection($"Data Source={_runner.Sut.PublishedPath};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "DROP VIEW scores; CREATE VIEW scores AS SELECT * FROM scores__c1";
            cmd.ExecuteNonQuery();
        }
        AssertBroken("publish", "published-view-is-ledger-live");
    }

    private void AssertBroken(string step, string invariant)
    {
        _runner.Later.Clear();
        var first = _runner.Run(Op.ParseList(step), explore: true);
        var found = _runner.Later.Prepend(first).OfType<Failure>().Select(f => f.Violation).ToList();
        Assert.True(found.Any(v => v.Invariant == invariant), $"expected {invariant}, got: {string.Join("; ", found.Select(v => v.Invariant))}");
    }

    private string CurrentFile(string dataset)
    {
        var ledger = _runner.Sut.ReadLedger();
        var box = ledger.Boxes.First(b => b.Env == "prod" && b.Dataset == dataset && b.Current is not null);
        return ContentHasher.Files(_runner.Sut.Home, ledger.Versions[box.Current!]).Single();
    }

    private static void Rewrite(string file, string select)
    {
        var temp = file + ".tmp.parquet";
        using (var duck = new DuckDBConnection("DataSource=:memory:"))
        {
            duck.Open();
            using var cmd = duck.CreateCommand();
            cmd.CommandText = $"COPY ({string.Format(select, "'" + file + "'")}) TO '{temp}' (FORMAT parquet)";
            cmd.ExecuteNonQuery();
        }
        File.Move(temp, file, overwrite: true);
    }
}
