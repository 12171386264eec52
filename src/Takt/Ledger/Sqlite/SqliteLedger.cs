using Microsoft.Data.Sqlite;
using Takt.Boxes;

namespace Takt.Ledger.Sqlite;

/// <summary>
/// The embedded ledger: one SQLite file in WAL mode. Writes run in IMMEDIATE transactions so that concurrent
/// builds on the same home serialize their commits instead of failing on lock upgrades. The lookups every task makes
/// (its input boxes, generations, versions) go through a second connection, so that they read the last commit
/// without waiting for another task's commit to finish. A task's start and finish records and its released lease
/// wait for the next write transaction (<see cref="DeferredWrites"/>), and the log is checkpointed in the background
/// (<see cref="WalCheckpointer"/>), so that a task takes the write lock twice, briefly, instead of five times.
/// </summary>
public sealed partial class SqliteLedger : ILedger
{
    private readonly SqliteConnection _connection;
    private readonly SqliteConnection _readConnection;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly Lock _readGate = new();
    private readonly PreparedCommands _commands;
    private readonly PreparedCommands _readCommands;
    private readonly DeferredWrites _deferred = new();
    private readonly Timer _deferredFlush;
    private readonly WalCheckpointer _checkpointer;
    private readonly TaskIdBlocks _taskIds;
    private bool _disposed;

    public SqliteLedger(string path, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 60,
        }.ToString();
        try
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
            _commands = new PreparedCommands(_connection);
            // Temporary b-trees (a RETURNING clause's rows, sorts) stay in memory: in a file, every task's INSERT ... RETURNING
            // would create and delete one while holding the write lock.
            Execute($"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 60000; PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = {WalCheckpointer.CommitCheckpointPages};");
            Describe = $"sqlite:{Path.GetFullPath(path)}";
            Migrate();
            _readConnection = new SqliteConnection(connectionString);
            _readConnection.Open();
            _readCommands = new PreparedCommands(_readConnection);
            using (var pragma = _readConnection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA busy_timeout = 60000; PRAGMA query_only = true; PRAGMA temp_store = MEMORY;";
                pragma.ExecuteNonQuery();
            }
        }
        catch (SqliteException e)
        {
            _readConnection?.Dispose();
            _connection?.Dispose();
            throw OpenFailure(path, e);
        }
        SharedMemoryFault.Watch(LedgerPath);
        _checkpointer = new WalCheckpointer(connectionString, path, e => Faults.Report(e));
        _taskIds = new TaskIdBlocks(ReserveTaskIds);
        _deferredFlush = new Timer(_ => FlushDeferredQuietly(), null, DeferredWrites.MaxDelay, DeferredWrites.MaxDelay);
    }

    public string Describe { get; }

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private void Migrate()
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            LineageCodec.Register(_connection);
            MigrationFunctions.Register(_connection);
            Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)", tx);
            var applied = Scalar<long>("SELECT coalesce(max(version), 0) FROM schema_migrations", tx);
            var newest = SqliteMigrations.All.Max(m => m.Version);
            if (applied > newest)
                throw new InvalidOperationException($"The ledger {Describe} has schema version {applied}, newer than this program knows ({newest}). Upgrade Takt.");
            // Every migration not applied yet, not only those above the highest: numbers are handed out ahead and may land out of order.
            var done = Scalar<string>("SELECT ',' || coalesce(group_concat(version), '') || ',' FROM schema_migrations", tx);
            foreach (var (version, sql) in SqliteMigrations.All.Where(m => !done.Contains($",{m.Version},", StringComparison.Ordinal)))
            {
                Execute(sql, tx);
                Execute("INSERT INTO schema_migrations VALUES ($v, $at)", tx, ("$v", version), ("$at", Now));
            }
            tx.Commit();
        }
    }

    // ---------------------------------------------------------------- plumbing

    /// <summary>
    /// Enters the writing connection's lock with the deferred writes applied, so that what follows sees them. The writes
    /// of every task (start, lease, commit) take the lock directly and carry the deferred writes in their own
    /// transaction (<see cref="BeginWrite"/>) instead of paying one more.
    /// </summary>
    private Lock.Scope Writer()
    {
        var scope = _gate.EnterScope();
        try
        {
            if (!_deferred.IsEmpty && !_disposed)
            {
                using var tx = BeginWrite();
                tx.Commit();
            }
        }
        catch
        {
            scope.Dispose();
            throw;
        }
        return scope;
    }

    /// <summary>A write transaction that carries the deferred writes along; callers hold <see cref="_gate"/> and commit it.</summary>
    private SqliteTransaction BeginWrite()
    {
        var tx = _connection.BeginTransaction(deferred: false);
        try
        {
            _deferred.ApplyTo(tx);
        }
        catch
        {
            tx.Dispose(); // rolls back, so that the connection is not left inside a transaction
            throw;
        }
        return tx;
    }

    private void FlushDeferredQuietly()
    {
        if (_deferred.IsEmpty || Faults.First is not null) return;
        try { using (Writer()) { } }
        catch (ObjectDisposedException) { } // the ledger is closing: Dispose writes what waits
        catch (Exception e) when (e is not OutOfMemoryException) { Faults.Report(e); } // a timer must not throw: the build stops on it
    }

    /// <summary>A command on the writing connection; callers hold <see cref="_gate"/>.</summary>
    private SqliteCommand Command(string sql, SqliteTransaction? tx, params (string Name, object? Value)[] parameters) =>
        _commands.Get(sql, tx, parameters);

    private int Execute(string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters) =>
        Command(sql, tx, parameters).ExecuteNonQuery();

    private T Scalar<T>(string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        var value = Command(sql, tx, parameters).ExecuteScalar();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T));
    }

    public void Dispose()
    {
        _deferredFlush.Dispose();
        _checkpointer.Dispose();
        lock (_readGate)
        {
            _readCommands.Dispose();
            _readConnection.Dispose();
        }
        var faultedBefore = Faults.First is not null; // then the deferred writes would fail again, and that was reported
        LedgerFaultException? lost = null;
        lock (_gate)
        {
            try
            {
                if (!_deferred.IsEmpty && !faultedBefore)
                {
                    using var tx = BeginWrite(); // the last deferred writes go out here
                    tx.Commit();
                }
            }
            catch (SqliteException e) { lost = Faults.Report(e); }
            _disposed = true;
            _commands.Dispose();
            _connection.Dispose();
        }
        if (lost is not null) throw lost;
    }

    /// <summary>
    /// One connection's commands, kept prepared: SQLite then parses each statement once per ledger instead of once per
    /// call, which a task's dozen ledger statements would otherwise pay every time. Its user holds the connection's lock
    /// and does not dispose the commands.
    /// </summary>
    private sealed class PreparedCommands(SqliteConnection connection) : IDisposable
    {
        private const int MaxCommands = 500;
        private readonly Dictionary<string, SqliteCommand> _commands = [];

        public SqliteCommand Get(string sql, SqliteTransaction? tx, params (string Name, object? Value)[] parameters)
        {
            if (!_commands.TryGetValue(sql, out var cmd))
            {
                if (_commands.Count >= MaxCommands) Dispose();
                cmd = connection.CreateCommand();
                cmd.CommandText = sql;
                _commands[sql] = cmd;
            }
            cmd.Transaction = tx;
            cmd.Parameters.Clear();
            foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            return cmd;
        }

        public void Dispose()
        {
            foreach (var cmd in _commands.Values) cmd.Dispose();
            _commands.Clear();
        }
    }
}
