using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using Npgsql;
using Takt.Engine;
using Takt.Publishing;
using Takt.Tests.Support;

namespace Takt.Tests.Publishing;

/// <summary>
/// The hand-over contract, against real SQLite and a real PostgreSQL server: while a reader queries the published table
/// without pause, 20 publishes never show it a mix of copies or an error, and a rollback is instant and keeps the copies.
/// </summary>
public sealed class PublisherTests : IDisposable
{
    private const int Publishes = 20;
    private const int Keep = 3;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "takt-publish-" + Guid.NewGuid().ToString("N"));
    private readonly DuckDbPool _duckDb = new();
    private readonly Lazy<PostgresServer> _postgres = new(() => new PostgresServer());

    public PublisherTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (_postgres.IsValueCreated) _postgres.Value.Dispose();
        _duckDb.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Sqlite_readers_always_see_exactly_one_complete_copy_and_rollback_is_instant() =>
        PublishWhileReading(PublishTarget.Sqlite("published/p.db", "scores"), () =>
            new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dir, "published", "p.db"), Pooling = false, DefaultTimeout = 30 }.ToString()));

    [Fact]
    public void Postgres_readers_always_see_exactly_one_complete_copy_and_rollback_is_instant()
    {
        var server = _postgres.Value;
        Environment.SetEnvironmentVariable("TAKT_TEST_PG", server.ConnectionString);
        PublishWhileReading(PublishTarget.Postgres("TAKT_TEST_PG", "scores"), () => new NpgsqlConnection(server.ConnectionString));
    }

    [Fact]
    public void Postgres_down_or_refusing_the_login_is_one_clear_line()
    {
        Environment.SetEnvironmentVariable("TAKT_TEST_PG_DOWN", $"Host=127.0.0.1;Port={PostgresServer.FreePort()};Username=postgres;Timeout=3");
        var down = Assert.Throws<PublishTargetException>(() => Publishers.Open(PublishTarget.Postgres("TAKT_TEST_PG_DOWN", "scores"), _dir, _duckDb));
        Assert.Contains("is not reachable", down.Message);
        Assert.DoesNotContain("\n", down.Message);

        Environment.SetEnvironmentVariable("TAKT_TEST_PG_NOBODY", _postgres.Value.ConnectionString.Replace("Username=postgres", "Username=nobody"));
        var refused = Assert.Throws<PublishTargetException>(() => Publishers.Open(PublishTarget.Postgres("TAKT_TEST_PG_NOBODY", "scores"), _dir, _duckDb));
        Assert.Contains("refused the login", refused.Message);
        Assert.DoesNotContain("\n", refused.Message);

        var unset = Assert.Throws<PublishTargetException>(() => Publishers.Open(PublishTarget.Postgres("TAKT_TEST_PG_UNSET_" + Guid.NewGuid().ToString("N"), "scores"), _dir, _duckDb));
        Assert.Contains("environment variable", unset.Message);
    }

    [Fact]
    public void A_bad_table_name_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Publishers.Open(PublishTarget.Sqlite("p.db", "scores; DROP TABLE x"), _dir, _duckDb));
        Assert.Contains("scores; DROP TABLE x", error.Message);
    }

    [Fact]
    public void A_directory_target_switches_its_current_link_between_copies()
    {
        using var publisher = Publishers.Open(PublishTarget.Directory("out/scores"), _dir, _duckDb);
        Assert.Equal(1037, publisher.WriteCopy("c1", [CopyFile(1)], Takt.Definitions.Schema.Undeclared));
        publisher.SwitchTo("c1");
        publisher.WriteCopy("c2", [CopyFile(2)], Takt.Definitions.Schema.Undeclared);
        publisher.SwitchTo("c2");
        var current = Path.Combine(_dir, "out", "scores", "current");
        Assert.Equal("c2", new FileInfo(current).LinkTarget);
        Assert.Equal(Expected(2), Read(Path.Combine(current, "part-00000.parquet")));
        publisher.SwitchTo("c1");
        Assert.Equal(Expected(1), Read(Path.Combine(current, "part-00000.parquet")));
        Assert.Equal(["c1", "c2"], publisher.Copies().Order());
    }

    private void PublishWhileReading(PublishTarget target, Func<DbConnection> readerConnection)
    {
        var files = Enumerable.Range(1, Publishes).Select(CopyFile).ToArray();
        var expected = Enumerable.Range(1, Publishes).ToDictionary(Expected, k => k);
        var seen = new ConcurrentQueue<(long Count, decimal Sum)>();
        var errors = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var published = new ManualResetEventSlim();

        var reader = Task.Run(() =>
        {
            using var connection = readerConnection();
            connection.Open();
            published.Wait(TimeSpan.FromSeconds(60));
            var deadline = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested && deadline.Elapsed < TimeSpan.FromMinutes(2))
            {
                try
                {
                    using var cmd = connection.CreateCommand();
                    cmd.CommandText = "SELECT count(*), sum(id) FROM scores";
                    using var r = cmd.ExecuteReader();
                    r.Read();
                    seen.Enqueue((Convert.ToInt64(r.GetValue(0)), Convert.ToDecimal(r.GetValue(1))));
                }
                catch (DbException e) { errors.Add(e.Message); }
            }
        });

        using var publisher = Publishers.Open(target, _dir, _duckDb);
        for (var k = 1; k <= Publishes; k++)
        {
            publisher.WriteCopy($"c{k}", [files[k - 1]], Takt.Definitions.Schema.Undeclared);
            publisher.SwitchTo($"c{k}");
            published.Set();
            if (k > Keep) publisher.DropCopy($"c{k - Keep}");
            Thread.Sleep(40); // let the reader read each copy a few times
        }
        var beforeRollback = seen.Count;
        var clock = Stopwatch.StartNew();
        publisher.SwitchTo($"c{Publishes - 2}");
        var rollback = clock.Elapsed;
        Thread.Sleep(300);
        stop.Cancel();
        reader.Wait();

        Assert.Empty(errors);
        Assert.True(beforeRollback >= Publishes, $"the reader only read {beforeRollback} times while publishing");
        Assert.All(seen, read => Assert.True(expected.ContainsKey(read), $"a read saw {read.Count} rows summing to {read.Sum}, which is no single copy"));
        Assert.True(rollback < TimeSpan.FromSeconds(1), $"rollback took {rollback.TotalMilliseconds:0} ms");
        Assert.Equal(Publishes - 2, expected[seen.Last()]);
        Assert.Equal(Enumerable.Range(Publishes - Keep + 1, Keep).Select(k => $"c{k}").Order(), publisher.Copies().Order());
    }

    /// <summary>Copy k has 1000 + 37k rows with ids 1..n: every copy has its own count and sum.</summary>
    private string CopyFile(int k)
    {
        var path = Path.Combine(_dir, $"copy-{k}.parquet");
        if (File.Exists(path)) return path;
        using var lease = _duckDb.Rent();
        lease.Session.CopyToParquet($"SELECT i AS id, {k} * 1.5 AS v FROM range(1, {Expected(k).Count + 1}) t(i)", path);
        return path;
    }

    private static (long Count, decimal Sum) Expected(int k)
    {
        long n = 1000 + 37 * k;
        return (n, n * (n + 1) / 2);
    }

    private static (long, decimal) Read(string parquet)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT count(*), sum(id)::BIGINT FROM read_parquet('{parquet.Replace("'", "''")}')";
        using var r = cmd.ExecuteReader();
        r.Read();
        return (Convert.ToInt64(r.GetValue(0)), Convert.ToDecimal(r.GetValue(1)));
    }
}
