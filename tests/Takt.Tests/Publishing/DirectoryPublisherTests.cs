using DuckDB.NET.Data;
using Takt.Definitions;
using Takt.Publishing;

namespace Takt.Tests.Publishing;

/// <summary>The directory publisher: copies are directories, and <c>current</c> is a link renamed into place.</summary>
public sealed class DirectoryPublisherTests : IDisposable
{
    private readonly PublishScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private string Root => Path.Combine(_scratch.Dir, "out", "scores");
    private string Current => Path.Combine(Root, "current");

    [Fact]
    public void Readers_of_current_always_see_one_complete_copy_and_rollback_is_instant()
    {
        using var publisher = Publishers.Open(PublishTarget.Directory("out/scores"), _scratch.Dir, _scratch.DuckDb, Environment.GetEnvironmentVariable);
        Assert.Null(publisher.LiveCopy());
        using var stop = new CancellationTokenSource();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(long, decimal)>();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var reader = new Thread(() =>
        {
            for (var reads = 0; !stop.IsCancellationRequested && reads < 100_000; reads++)
            {
                if (!Directory.Exists(Current)) { Thread.Sleep(1); continue; }
                try { seen.Enqueue(Read(Path.Combine(Current, "*.parquet"))); }
                catch (Exception e) { errors.Enqueue($"{e.GetType().Name}: {e.Message}"); }
            }
        });
        reader.Start();

        for (var k = 1; k <= 8; k++)
        {
            Assert.Equal(PublishScratch.Expected(k).Count, publisher.WriteCopy($"c{k}", [_scratch.CopyFile(k)], Schema.Undeclared));
            publisher.SwitchTo($"c{k}");
            if (k > PublishScratch.Keep) publisher.DropCopy($"c{k - PublishScratch.Keep}");
            Thread.Sleep(30);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        publisher.SwitchTo("c6");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1));
        Thread.Sleep(100);
        stop.Cancel();
        Assert.True(reader.Join(TimeSpan.FromSeconds(60)), "the reader did not stop");

        // A reader that resolved `current` just before a copy was dropped may find its files gone (the directory
        // target's one weakness: no reader lock); it never sees a mix of copies.
        var expected = Enumerable.Range(1, 8).Select(PublishScratch.Expected).ToHashSet();
        Assert.True(seen.Count > errors.Count, $"{errors.Count} reads failed, first: {errors.FirstOrDefault()}");
        Assert.All(seen, read => Assert.Contains(read, expected));
        Assert.Equal("c6", new FileInfo(Current).LinkTarget);
        Assert.Equal("c6", publisher.LiveCopy());
        Assert.Equal(PublishScratch.Expected(6), Read(Path.Combine(Current, "part-00000.parquet")));
        Assert.Equal(["c6", "c7", "c8"], publisher.Copies().Order());
        Assert.Empty(Directory.GetFileSystemEntries(Root, ".*")); // no temporary directory or link left behind
        Assert.Throws<PublishTargetException>(() => publisher.DropCopy("c6"));
        Assert.Throws<PublishTargetException>(() => publisher.SwitchTo("c1"));
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
