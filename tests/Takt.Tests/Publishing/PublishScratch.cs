using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Takt.Engine;
using Takt.Publishing;

namespace Takt.Tests.Publishing;

/// <summary>
/// A scratch directory with Parquet copies whose (count, sum of ids) identify them, and the acceptance run: publish
/// 20 copies keeping 3 while a reader queries the published table without pause, then roll back.
/// </summary>
internal sealed class PublishScratch : IDisposable
{
    public const int Publishes = 20;
    public const int Keep = 3;

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "takt-publish-" + Guid.NewGuid().ToString("N"));
    public DuckDbPool DuckDb { get; } = new();

    public PublishScratch() => Directory.CreateDirectory(Dir);

    public void Dispose()
    {
        DuckDb.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Dir, recursive: true);
    }

    /// <summary>Copy k has 1000 + 37k rows (id BIGINT 1..n, v DOUBLE): every copy has its own count and sum.</summary>
    public string CopyFile(int k)
    {
        var path = Path.Combine(Dir, $"copy-{k}.parquet");
        if (File.Exists(path)) return path;
        using var lease = DuckDb.Rent();
        lease.Session.CopyToParquet($"SELECT i::BIGINT AS id, i * {k} * 1.5::DOUBLE AS v FROM range(1, {Expected(k).Count + 1}) t(i)", path);
        return path;
    }

    /// <summary>Writes the result of a DuckDB query to a Parquet file in the scratch directory.</summary>
    public string Parquet(string name, string query)
    {
        var path = Path.Combine(Dir, name + ".parquet");
        using var lease = DuckDb.Rent();
        lease.Session.CopyToParquet(query, path);
        return path;
    }

    public static (long Count, decimal Sum) Expected(int k)
    {
        long n = 1000 + 37 * k;
        return (n, n * (n + 1) / 2);
    }

    /// <summary>
    /// The acceptance: 20 publishes keeping the last 3 (dropped by this test's own keep logic) while a reader on its own
    /// connection and thread runs <c>SELECT count(*), sum(id) FROM table</c> the whole time; every read is exactly one
    /// copy and none fails; then a rollback to an older kept copy takes under a second and every read started after it
    /// sees that copy. Reads are judged by when they started, not by when their thread got to record them: on a loaded
    /// machine a read of an old copy can be recorded after the rollback.
    /// </summary>
    public void PublishWhileReading(IPublisher publisher, string table, Func<DbConnection> readerConnection)
    {
        var files = Enumerable.Range(1, Publishes).Select(CopyFile).ToArray();
        var expected = Enumerable.Range(1, Publishes).ToDictionary(Expected, k => k);
        var seen = new ConcurrentQueue<(long StartedAt, long Count, decimal Sum)>();
        var errors = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        using var published = new ManualResetEventSlim();

        var reader = Task.Factory.StartNew(() =>
        {
            using var connection = readerConnection();
            connection.Open();
            if (!published.Wait(TimeSpan.FromSeconds(60))) return;
            var clock = Stopwatch.StartNew();
            for (var reads = 0; !stop.IsCancellationRequested && reads < 200_000 && clock.Elapsed < TimeSpan.FromSeconds(60); reads++)
            {
                try
                {
                    var startedAt = Stopwatch.GetTimestamp();
                    using var cmd = connection.CreateCommand();
                    cmd.CommandText = $"SELECT count(*), sum(id) FROM {table}";
                    using var r = cmd.ExecuteReader();
                    r.Read();
                    seen.Enqueue((startedAt, Convert.ToInt64(r.GetValue(0)), Convert.ToDecimal(r.GetValue(1))));
                }
                catch (Exception e) { errors.Enqueue($"{e.GetType().Name}: {e.Message}"); }
            }
        }, TaskCreationOptions.LongRunning);

        for (var k = 1; k <= Publishes; k++)
        {
            Assert.Equal(Expected(k).Count, publisher.WriteCopy($"c{k}", [files[k - 1]], Takt.Definitions.Schema.Undeclared));
            publisher.SwitchTo($"c{k}");
            published.Set();
            if (k > Keep) publisher.DropCopy($"c{k - Keep}");
            Thread.Sleep(30); // let the reader read each copy a few times
        }
        var beforeRollback = seen.Count;
        var rollbackTo = Publishes - Keep + 1;
        var clock = Stopwatch.StartNew();
        publisher.SwitchTo($"c{rollbackTo}");
        var rollback = clock.Elapsed;
        var rolledBackAt = Stopwatch.GetTimestamp();
        var afterRollback = () => seen.Where(read => read.StartedAt > rolledBackAt).ToArray();
        SpinWait.SpinUntil(() => afterRollback().Length >= 3 || reader.IsCompleted, TimeSpan.FromSeconds(30));
        stop.Cancel();
        Assert.True(reader.Wait(TimeSpan.FromSeconds(90)), "the reader did not stop");

        Assert.True(errors.IsEmpty, $"{errors.Count} reads failed, first: {errors.FirstOrDefault()}");
        Assert.True(beforeRollback >= Publishes, $"the reader only read {beforeRollback} times while publishing");
        Assert.All(seen, read => Assert.True(expected.ContainsKey((read.Count, read.Sum)), $"a read saw {read.Count} rows summing to {read.Sum}, which is no single copy"));
        Assert.True(rollback < TimeSpan.FromSeconds(1), $"rollback took {rollback.TotalMilliseconds:0} ms");
        var readsAfterRollback = afterRollback();
        Assert.NotEmpty(readsAfterRollback);
        Assert.All(readsAfterRollback, read => Assert.Equal(rollbackTo, expected[(read.Count, read.Sum)]));
        Assert.Equal(Enumerable.Range(Publishes - Keep + 1, Keep).Select(k => $"c{k}").Order(), publisher.Copies().Order());
    }
}
