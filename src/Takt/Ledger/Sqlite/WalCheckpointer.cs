using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

/// <summary>
/// Copies the ledger's write-ahead log back into the database file from a background thread. SQLite otherwise does it
/// inside the commit that fills the log, with two fsyncs, while that commit holds the ledger's one write lock: on a
/// build of small boxes that is every few dozen tasks, and every other task waits for the disk behind it. A passive
/// checkpoint on its own connection blocks no writer and waits for none. It runs only when the log was written since
/// the last one, and opens its connection on the first, so that a ledger that only reads pays nothing for it.
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private readonly string _connectionString;
    private readonly string _logPath;
    private readonly Action<Exception> _failed;
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private SqliteConnection? _connection;
    private DateTime _checkpointedLogWrite;
    private bool _disposed;

    /// <summary>
    /// The log size (pages) at which a commit still checkpoints by itself: well above what the background keeps it at,
    /// so it happens only when the background cannot keep up (e.g. a long reader holds old pages).
    /// </summary>
    public const int CommitCheckpointPages = 20_000;

    /// <param name="failed">Told when a checkpoint fails for another reason than a concurrent one (disk full, file not writable).</param>
    public WalCheckpointer(string connectionString, string databasePath, Action<Exception> failed)
    {
        _connectionString = connectionString;
        _failed = failed;
        _logPath = Path.GetFullPath(databasePath) + "-wal";
        _checkpointedLogWrite = File.GetLastWriteTimeUtc(_logPath);
        _timer = new Timer(_ => Checkpoint(), null, Interval, Interval);
    }

    private void Checkpoint()
    {
        lock (_gate)
        {
            if (_disposed) return;
            try
            {
                // Read before the checkpoint: a write during it changes the time again, and the next tick copies it.
                var logWrite = File.GetLastWriteTimeUtc(_logPath);
                if (logWrite == _checkpointedLogWrite) return;
                if (_connection is null)
                {
                    _connection = new SqliteConnection(_connectionString);
                    _connection.Open();
                }
                using var cmd = _connection.CreateCommand();
                cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                cmd.ExecuteNonQuery();
                _checkpointedLogWrite = logWrite;
            }
            catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
            {
                // Another process's checkpoint is running: the next tick tries again.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _failed(e); // a timer must not throw; the build stops on it
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_gate)
        {
            _disposed = true;
            _connection?.Dispose();
        }
    }
}
