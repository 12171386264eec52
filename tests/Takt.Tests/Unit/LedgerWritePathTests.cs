using Microsoft.Data.Sqlite;
using Takt.Ledger.Sqlite;

namespace Takt.Tests.Unit;

/// <summary>
/// The SQLite ledger's own write path: task ids reserved in blocks stay unique across processes and a plain insert;
/// the write-ahead log is copied back in the background instead of inside a commit. What any ledger must do with
/// deferred writes (seen at once here, soon elsewhere, written at close) is in <c>Contracts/RunLogContract</c>.
/// </summary>
public sealed class LedgerWritePathTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();
    private string LedgerPath => _dir.Combine("ledger.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void Two_ledgers_on_one_file_and_a_plain_insert_never_give_out_the_same_task_id()
    {
        using var first = new SqliteLedger(LedgerPath);
        using var second = new SqliteLedger(LedgerPath);
        first.StartRun("run-1", "prod", "build");
        second.StartRun("run-2", "prod", "build");
        var ids = new List<long>();
        for (var i = 0; i < 40; i++) // past the first blocks of both
        {
            ids.Add(first.StartTask("run-1", "raw.a", i, $"box-{i}", "missing"));
            ids.Add(second.StartTask("run-2", "raw.a", i, $"box-{i}", "missing"));
        }
        using (var other = Open())
        using (var insert = other.CreateCommand())
        {
            // What an older Takt, or a tool writing the ledger by hand, does: let SQLite pick the id.
            insert.CommandText = "INSERT INTO tasks (run_id, dataset, box, box_key, reason, status, started_at_ms) VALUES ('run-3', 'raw.a', 0, 'box-0', 'missing', 'running', 0) RETURNING id";
            ids.Add((long)insert.ExecuteScalar()!);
        }
        ids.Add(first.StartTask("run-1", "raw.a", 99, "box-99", "missing"));

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(41, first.Tasks("run-1").Count);
        Assert.Equal(40, second.Tasks("run-2").Count);
    }

    [Fact]
    public void Task_ids_handed_out_on_many_threads_at_once_are_distinct_and_all_reserved()
    {
        long reserved = 0;
        var blocks = new TaskIdBlocks(count => Interlocked.Add(ref reserved, count));
        var ids = new long[4][];
        using var start = new Barrier(ids.Length); // all threads ask at once, so that an unguarded counter would collide
        var threads = Enumerable.Range(0, ids.Length).Select(worker => new Thread(() =>
        {
            ids[worker] = new long[1_000_000];
            start.SignalAndWait();
            for (var i = 0; i < ids[worker].Length; i++) ids[worker][i] = blocks.Next();
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var all = ids.SelectMany(w => w).ToArray();
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.InRange(all.Min(), 1, 1);
        Assert.InRange(all.Max(), all.Length, Interlocked.Read(ref reserved));
    }

    [Fact]
    public void The_write_ahead_log_is_copied_back_while_the_ledger_is_open_not_at_a_commit()
    {
        using var ledger = new SqliteLedger(LedgerPath);
        ledger.StartRun("run-1", "prod", "build");
        for (var i = 0; i < 300; i++) ledger.TryAcquireLease($"version-{i}", "run-1", TimeSpan.FromMinutes(1)); // 300 commits, far below SQLite's own threshold now
        WaitForCompleteCheckpoint();

        // After a complete checkpoint the next commit starts the log over, so it holds only that commit's pages; without
        // one, the log would hold every page of the 300 commits before it.
        ledger.TryAcquireLease("version-999", "run-1", TimeSpan.FromMinutes(1));
        var (logFrames, _) = CheckpointSeenByAnotherConnection();
        Assert.InRange(logFrames, 1, 50);
    }

    /// <summary>
    /// Waits (up to a minute, for a loaded machine) until the log is copied back whole, read from the wal-index in the
    /// -shm file (mxFrame at byte 16, nBackfill at byte 96, native order) so that looking checkpoints nothing itself.
    /// </summary>
    private void WaitForCompleteCheckpoint()
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var index = new byte[100];
            using (var shm = new FileStream(LedgerPath + "-shm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite)) shm.ReadExactly(index);
            var (frames, backfilled) = (BitConverter.ToUInt32(index, 16), BitConverter.ToUInt32(index, 96));
            if (frames > 0 && backfilled == frames) return;
            Assert.True(DateTime.UtcNow < deadline, $"the log was not copied back within a minute: {backfilled} of {frames} frames");
            Thread.Sleep(50);
        }
    }

    private (long LogFrames, long Checkpointed) CheckpointSeenByAnotherConnection()
    {
        using var connection = Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        using var reader = cmd.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetInt64(1), reader.GetInt64(2));
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = LedgerPath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}
