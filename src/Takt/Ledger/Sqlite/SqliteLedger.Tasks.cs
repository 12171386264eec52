using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

/// <summary>Tasks and their logs (see <see cref="IRunLog"/>).</summary>
public sealed partial class SqliteLedger
{
    /// <remarks>
    /// The task row is a deferred write: the id comes from a block this ledger reserved, so that starting a task
    /// takes no write transaction of its own; the row is in the ledger before any version that names the task.
    /// </remarks>
    public long StartTask(string runId, string dataset, long box, string boxKey, string reason)
    {
        var id = _taskIds.Next(); // waits for the write lock only when it reserves a new block
        var at = Now;
        _deferred.Add(tx => Execute("""
            INSERT INTO tasks (id, run_id, dataset, box, box_key, reason, status, started_at_ms) VALUES ($id, $run, $dataset, $box, $key, $reason, $status, $at)
            """, tx, ("$id", id), ("$run", runId), ("$dataset", dataset), ("$box", box), ("$key", boxKey), ("$reason", reason), ("$status", Stored(BuildStatus.Running)), ("$at", at)));
        return id;
    }

    /// <summary>
    /// Reserves the next <paramref name="count"/> task ids and returns the last: SQLite gives AUTOINCREMENT ids above
    /// the table's sqlite_sequence entry, so every process that inserts tasks or reserves ids skips the block.
    /// </summary>
    private long ReserveTaskIds(int count)
    {
        lock (_gate)
        {
            using var tx = BeginWrite();
            Execute("""
                INSERT INTO sqlite_sequence (name, seq) SELECT 'tasks', coalesce((SELECT max(id) FROM tasks), 0)
                WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'tasks')
                """, tx);
            var last = Scalar<long>("UPDATE sqlite_sequence SET seq = seq + $count WHERE name = 'tasks' RETURNING seq", tx, ("$count", count));
            tx.Commit();
            return last;
        }
    }

    public void FinishTask(long taskId, BuildStatus status, string? versionId, int attempts, long durationMs, long rowsIn, long rowsOut, string? error, IReadOnlyList<string> logLines)
    {
        var lines = logLines.ToArray();
        _deferred.Add(tx =>
        {
            Execute("""
                UPDATE tasks SET status = $status, version_id = $version, attempts = $attempts, duration_ms = $duration, rows_in = $in, rows_out = $out, error = $error
                WHERE id = $id
                """, tx, ("$id", taskId), ("$status", Stored(status)), ("$version", versionId), ("$attempts", attempts), ("$duration", durationMs),
                ("$in", rowsIn), ("$out", rowsOut), ("$error", error));
            for (var i = 0; i < lines.Length; i++)
                Execute("INSERT OR REPLACE INTO task_logs VALUES ($id, $n, $message)", tx, ("$id", taskId), ("$n", i), ("$message", lines[i]));
        });
    }


    public IReadOnlyList<TaskRecord> Tasks(string runId)
    {
        using (Writer())
        {
            var cmd = Command($"SELECT {TaskColumns} FROM tasks WHERE run_id = $run ORDER BY id", null, ("$run", runId));
            var result = new List<TaskRecord>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) result.Add(ReadTask(r));
            return result;
        }
    }

    private const string TaskColumns = "id, run_id, dataset, box_key, reason, status, version_id, attempts, started_at_ms, duration_ms, rows_out, error";

    private TaskRecord ReadTask(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), TaskStatusOf(r.GetString(5), r.GetInt64(0), r.GetString(1)),
            r.IsDBNull(6) ? null : r.GetString(6), r.GetInt32(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), r.IsDBNull(11) ? null : r.GetString(11));

    public IReadOnlyList<string> TaskLog(long taskId)
    {
        using (Writer())
        {
            var cmd = Command("SELECT message FROM task_logs WHERE task_id = $id ORDER BY line_no", null, ("$id", taskId));
            var result = new List<string>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) result.Add(r.GetString(0));
            return result;
        }
    }
}
