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

    // ---------------------------------------------------------------- planning

    public long CurrentSeq()
    {
        using (Writer()) return Scalar<long>("SELECT value FROM counters WHERE name = 'seq'");
    }

    public DatasetSummary Summarize(string env, string dataset)
    {
        using (Writer())
        {
            // Separate sub-queries let SQLite answer min and max from the ends of the indexes instead of scanning them.
            var cmd = Command("""
                SELECT (SELECT count(*) FROM boxes WHERE env = $env AND dataset = $dataset),
                       coalesce((SELECT min(box) FROM boxes WHERE env = $env AND dataset = $dataset), 0),
                       coalesce((SELECT max(box) FROM boxes WHERE env = $env AND dataset = $dataset), -1),
                       coalesce((SELECT max(seq) FROM boxes INDEXED BY boxes_by_seq WHERE env = $env AND dataset = $dataset), 0),
                       coalesce((SELECT min(seq) FROM boxes INDEXED BY boxes_by_seq WHERE env = $env AND dataset = $dataset), 0),
                       (SELECT count(*) FROM boxes INDEXED BY boxes_quarantined WHERE env = $env AND dataset = $dataset AND head_status = 'quarantined')
                """, null, ("$env", env), ("$dataset", dataset));
            using var r = cmd.ExecuteReader();
            r.Read();
            return new DatasetSummary(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(5), r.GetInt64(4));
        }
    }

    public IReadOnlyList<BoxState> Boxes(string env, string dataset, BoxRange range)
    {
        lock (_readGate)
        {
            var cmd = _readCommands.Get("""
                SELECT box, current_version, head_version, head_status, code_hash, generation, seq
                FROM boxes WHERE env = $env AND dataset = $dataset AND box BETWEEN $from AND $to ORDER BY box
                """, null, ("$env", env), ("$dataset", dataset), ("$from", range.Start), ("$to", range.End));
            return ReadBoxes(cmd);
        }
    }

    public IReadOnlyList<BoxState> QuarantinedBoxes(string env, string dataset)
    {
        using (Writer())
        {
            var cmd = Command("""
                SELECT box, current_version, head_version, head_status, code_hash, generation, seq
                FROM boxes WHERE env = $env AND dataset = $dataset AND head_status = 'quarantined' ORDER BY box
                """, null, ("$env", env), ("$dataset", dataset));
            return ReadBoxes(cmd);
        }
    }

    private static List<BoxState> ReadBoxes(SqliteCommand cmd)
    {
        var result = new List<BoxState>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
            result.Add(new BoxState(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5), r.GetInt64(6)));
        return result;
    }

    public IReadOnlyList<long> BoxList(string env, string dataset)
    {
        using (Writer())
        {
            var cmd = Command("SELECT box FROM boxes WHERE env = $env AND dataset = $dataset ORDER BY box", null, ("$env", env), ("$dataset", dataset));
            var result = new List<long>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) result.Add(r.GetInt64(0));
            return result;
        }
    }

    public FreshStamp? Stamp(string env, string dataset)
    {
        using (Writer())
        {
            var cmd = Command("SELECT code_hash, seq FROM stamps WHERE env = $env AND dataset = $dataset", null, ("$env", env), ("$dataset", dataset));
            using var r = cmd.ExecuteReader();
            return r.Read() ? new FreshStamp(r.GetString(0), r.GetInt64(1)) : null;
        }
    }

    public void SetStamps(string env, IReadOnlyDictionary<string, FreshStamp> stamps)
    {
        if (stamps.Count == 0) return;
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            foreach (var (dataset, stamp) in stamps)
                Execute("""
                    INSERT INTO stamps VALUES ($env, $dataset, $code, $seq)
                    ON CONFLICT (env, dataset) DO UPDATE SET code_hash = excluded.code_hash, seq = excluded.seq WHERE excluded.seq >= stamps.seq
                    """, tx, ("$env", env), ("$dataset", dataset), ("$code", stamp.CodeHash), ("$seq", stamp.Seq));
            tx.Commit();
        }
    }

    // ---------------------------------------------------------------- versions and commits

    private const string VersionColumns = "id, dataset, box, box_key, code_hash, generation, status, rows, bytes, schema_json, created_at_ms, run_id";
    private const string VersionColumnsRead = VersionColumns + ", collected_at_ms, collecting_run, lost_at_ms";
    private const string VersionById = $"SELECT {VersionColumnsRead} FROM versions WHERE id = $id";

    public VersionRecord? FindVersion(string id)
    {
        lock (_readGate) return ReadVersions(_readCommands.Get(VersionById, null, ("$id", id))).FirstOrDefault();
    }

    private VersionRecord? FindVersion(string id, SqliteTransaction? tx)
    {
        var cmd = Command(VersionById, tx, ("$id", id));
        return ReadVersions(cmd).FirstOrDefault();
    }

    public IReadOnlyDictionary<string, VersionShape> Shapes(IReadOnlyCollection<string> versionIds)
    {
        var result = new Dictionary<string, VersionShape>(versionIds.Count);
        if (versionIds.Count == 0) return result;
        // A task reads a handful of versions: one parameter each keeps a prepared statement per count; a long list (all
        // boxes up to this one) goes as one JSON parameter instead.
        const int MaxParameters = 16;
        var ids = versionIds.Select((id, i) => ($"$v{i}", (object?)id)).ToArray();
        var sql = ids.Length <= MaxParameters
            ? $"SELECT id, rows, bytes, schema_json FROM versions WHERE id IN ({string.Join(", ", ids.Select(p => p.Item1))})"
            : "SELECT id, rows, bytes, schema_json FROM versions WHERE id IN (SELECT value FROM json_each($ids))";
        (string, object?)[] parameters = ids.Length <= MaxParameters ? ids : [("$ids", System.Text.Json.JsonSerializer.Serialize(versionIds))];
        lock (_readGate)
        {
            var cmd = _readCommands.Get(sql, null, parameters);
            using var r = cmd.ExecuteReader();
            while (r.Read()) result[r.GetString(0)] = new VersionShape(r.GetInt64(1), r.GetInt64(2), r.GetString(3));
        }
        return result;
    }

    public IReadOnlyList<VersionRecord> Versions(string dataset, BoxRange range)
    {
        using (Writer())
        {
            var cmd = Command($"SELECT {VersionColumnsRead} FROM versions WHERE dataset = $dataset AND box BETWEEN $from AND $to ORDER BY box, created_at_ms",
                null, ("$dataset", dataset), ("$from", range.Start), ("$to", range.End));
            return ReadVersions(cmd);
        }
    }

    private static List<VersionRecord> ReadVersions(SqliteCommand cmd)
    {
        var result = new List<VersionRecord>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
            result.Add(new VersionRecord(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetInt32(5),
                r.GetString(6), r.GetInt64(7), r.GetInt64(8), r.GetString(9), r.GetInt64(10), r.IsDBNull(11) ? null : r.GetString(11),
                FileStateOf(r, 12)));
        return result;
    }

    public IReadOnlyList<LineageEdge> InputsOf(string versionId)
    {
        using (Writer())
        {
            var cmd = Command("SELECT input_dataset, input_box, input_version_id FROM version_inputs WHERE version_id = $id ORDER BY input_dataset, input_box",
                null, ("$id", versionId));
            var result = new List<LineageEdge>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) result.Add(new LineageEdge(r.GetString(0), r.GetInt64(1), r.GetString(2)));
            return result;
        }
    }

    public IReadOnlyList<(string Dataset, long Box, string VersionId)> ReadersOf(string versionId)
    {
        using (Writer())
        {
            var cmd = Command("""
                SELECT v.dataset, v.box, v.id FROM version_inputs i JOIN versions v ON v.id = i.version_id
                WHERE i.input_version_id = $id ORDER BY v.dataset, v.box
                """, null, ("$id", versionId));
            var result = new List<(string, long, string)>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) result.Add((r.GetString(0), r.GetInt64(1), r.GetString(2)));
            return result;
        }
    }

    public IReadOnlyList<CheckResult> CheckResults(string versionId)
    {
        using (Writer())
        {
            var cmd = Command("SELECT name, kind, severity, passed, failing_rows, message FROM check_results WHERE version_id = $id ORDER BY name", null, ("$id", versionId));
            var result = new List<CheckResult>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) result.Add(new CheckResult(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3) != 0, r.GetInt64(4), r.GetString(5)));
            return result;
        }
    }

    public CommitOutcome Commit(CommitRequest request)
    {
        var v = request.Version;
        lock (_gate)
        {
            using var tx = BeginWrite();
            var inserted = Execute($"""
                INSERT OR IGNORE INTO versions ({VersionColumns}, task_id)
                VALUES ($id, $dataset, $box, $key, $code, $gen, $status, $rows, $bytes, $schema, $at, $run, $task)
                """, tx, ("$id", v.Id), ("$dataset", v.Dataset), ("$box", v.Box), ("$key", v.BoxKey), ("$code", v.CodeHash), ("$gen", v.Generation),
                ("$status", v.Status), ("$rows", v.Rows), ("$bytes", v.Bytes), ("$schema", v.SchemaJson), ("$at", v.CreatedAtMs), ("$run", v.RunId), ("$task", request.TaskId));
            if (inserted == 0)
            {
                // The task made the files of a version the ledger knows again: lost or freed by gc, it is live again.
                var revived = ReplaceFiles(v, request.Files, tx);
                var existing = FindVersion(v.Id, tx)!;
                var outcome = VersionStatus.IsUsable(existing.Status)
                    ? MovePointer(request.Env, existing, request.Inputs, tx)
                    : QuarantineHead(request.Env, existing, tx);
                tx.Commit();
                return outcome == CommitOutcome.Committed && !revived ? CommitOutcome.AlreadyCurrent : outcome;
            }
            InsertFiles(v.Id, request.Files, tx);
            foreach (var input in request.Inputs)
                Execute("INSERT OR IGNORE INTO version_inputs VALUES ($id, $dataset, $box, $input)", tx,
                    ("$id", v.Id), ("$dataset", input.Dataset), ("$box", input.Box), ("$input", input.VersionId));
            foreach (var check in request.Checks)
                Execute("INSERT OR REPLACE INTO check_results VALUES ($id, $name, $kind, $severity, $passed, $failing, $message)", tx,
                    ("$id", v.Id), ("$name", check.Name), ("$kind", check.Kind), ("$severity", check.Severity), ("$passed", check.Passed ? 1 : 0),
                    ("$failing", check.FailingRows), ("$message", check.Message));
            var result = VersionStatus.IsUsable(v.Status) ? MovePointer(request.Env, v, request.Inputs, tx) : QuarantineHead(request.Env, v, tx);
            tx.Commit();
            return result;
        }
    }

    public CommitOutcome Adopt(string env, VersionRecord version, IReadOnlyList<LineageEdge> inputs)
    {
        lock (_gate)
        {
            using var tx = BeginWrite();
            var outcome = HasFiles(version.Id, tx) ? MovePointer(env, version, inputs, tx) : CommitOutcome.FilesGone;
            tx.Commit();
            return outcome;
        }
    }

    public CommitOutcome MarkQuarantined(string env, VersionRecord version)
    {
        lock (_gate)
        {
            using var tx = BeginWrite();
            var outcome = HasFiles(version.Id, tx) ? QuarantineHead(env, version, tx) : CommitOutcome.FilesGone;
            tx.Commit();
            return outcome;
        }
    }

    private CommitOutcome MovePointer(string env, VersionRecord v, IReadOnlyList<LineageEdge> inputs, SqliteTransaction tx)
    {
        foreach (var input in inputs)
        {
            var current = Scalar<string?>("SELECT current_version FROM boxes WHERE env = $env AND dataset = $dataset AND box = $box", tx,
                ("$env", env), ("$dataset", input.Dataset), ("$box", input.Box));
            if (current != input.VersionId) return CommitOutcome.InputsMoved;
        }
        var before = Scalar<string?>("SELECT current_version || '|' || head_status FROM boxes WHERE env = $env AND dataset = $dataset AND box = $box", tx,
            ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box));
        if (before == v.Id + "|" + BoxHeadStatus.Ok)
        {
            CatchUpWithInputs(env, v, tx);
            return CommitOutcome.AlreadyCurrent;
        }
        if (before == v.Id + "|" + BoxHeadStatus.Lost && RestoreLostBox(env, v, tx)) return CommitOutcome.Committed;
        UpsertBox(env, v, currentVersion: v.Id, BoxHeadStatus.Ok, tx);
        return CommitOutcome.Committed;
    }

    private CommitOutcome QuarantineHead(string env, VersionRecord v, SqliteTransaction tx)
    {
        var before = Scalar<string?>("SELECT head_version || '|' || head_status FROM boxes WHERE env = $env AND dataset = $dataset AND box = $box", tx,
            ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box));
        if (before == v.Id + "|" + BoxHeadStatus.Quarantined)
        {
            CatchUpWithInputs(env, v, tx);
            return CommitOutcome.AlreadyCurrent;
        }
        var current = Scalar<string?>("SELECT current_version FROM boxes WHERE env = $env AND dataset = $dataset AND box = $box", tx,
            ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box));
        UpsertBox(env, v, current, BoxHeadStatus.Quarantined, tx);
        InsertEvent("andon", env, v.Dataset, v.BoxKey, v.Id, $"{v.Dataset}@{v.BoxKey} stopped by a failing check; version {v.Id} quarantined", tx);
        return CommitOutcome.Committed;
    }

    private void UpsertBox(string env, VersionRecord v, string? currentVersion, string headStatus, SqliteTransaction tx)
    {
        var seq = NextSeq(tx);
        Execute("""
            INSERT INTO boxes VALUES ($env, $dataset, $box, $current, $head, $status, $code, $gen, $seq)
            ON CONFLICT (env, dataset, box) DO UPDATE SET current_version = excluded.current_version, head_version = excluded.head_version,
                head_status = excluded.head_status, code_hash = excluded.code_hash, generation = excluded.generation, seq = excluded.seq
            """, tx, ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box), ("$current", currentVersion), ("$head", v.Id),
            ("$status", headStatus), ("$code", v.CodeHash), ("$gen", v.Generation), ("$seq", seq));
    }

    private long NextSeq(SqliteTransaction tx) => Scalar<long>("UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value", tx);

    // ---------------------------------------------------------------- andon and recovery

    public VersionRecord? Override(string env, string dataset, long box, string reason)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            var head = Scalar<string?>("SELECT head_version FROM boxes WHERE env = $env AND dataset = $dataset AND box = $box AND head_status = 'quarantined'", tx,
                ("$env", env), ("$dataset", dataset), ("$box", box));
            if (head is null) return null;
            Execute("UPDATE versions SET status = $status WHERE id = $id", tx, ("$status", VersionStatus.Overridden), ("$id", head));
            var version = FindVersion(head, tx)!;
            UpsertBox(env, version, version.Id, BoxHeadStatus.Ok, tx);
            InsertEvent("override", env, dataset, version.BoxKey, version.Id, reason, tx);
            tx.Commit();
            return version;
        }
    }

    // ---------------------------------------------------------------- leases

    public bool TryAcquireLease(string key, string owner, TimeSpan ttl)
    {
        lock (_gate)
        {
            using var tx = BeginWrite();
            var now = Now;
            var taken = Execute("""
                INSERT INTO leases VALUES ($key, $owner, $expires)
                ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at_ms = excluded.expires_at_ms
                WHERE leases.owner = excluded.owner OR leases.expires_at_ms < $now
                """, tx, ("$key", key), ("$owner", owner), ("$expires", now + (long)ttl.TotalMilliseconds), ("$now", now));
            tx.Commit();
            return taken > 0;
        }
    }

    public string? LeaseHolder(string key)
    {
        using (Writer()) return Scalar<string?>("SELECT owner FROM leases WHERE key = $key", null, ("$key", key));
    }

    public bool TakeOverLease(string key, string from, string to, TimeSpan ttl)
    {
        using (Writer())
            return Execute("UPDATE leases SET owner = $to, expires_at_ms = $expires WHERE key = $key AND owner = $from", null,
                ("$key", key), ("$from", from), ("$to", to), ("$expires", Now + (long)ttl.TotalMilliseconds)) > 0;
    }

    public void RenewLeases(string owner, TimeSpan ttl)
    {
        using (Writer()) Execute("UPDATE leases SET expires_at_ms = $expires WHERE owner = $owner", null, ("$owner", owner), ("$expires", Now + (long)ttl.TotalMilliseconds));
    }

    public void ReleaseLease(string key, string owner)
    {
        _deferred.Add(tx => Execute("DELETE FROM leases WHERE key = $key AND owner = $owner", tx, ("$key", key), ("$owner", owner)));
    }

    // ---------------------------------------------------------------- environments

    public IReadOnlyList<string> Environments()
    {
        using (Writer())
        {
            var cmd = Command("SELECT name FROM environments ORDER BY name = 'prod' DESC, name", null);
            var result = new List<string>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) result.Add(r.GetString(0));
            return result;
        }
    }

    public bool EnvironmentExists(string env)
    {
        using (Writer()) return Scalar<long>("SELECT count(*) FROM environments WHERE name = $env", null, ("$env", env)) > 0;
    }

    public void EnsureEnvironment(string env)
    {
        using (Writer()) Execute("INSERT OR IGNORE INTO environments VALUES ($env, $at)", null, ("$env", env), ("$at", Now));
    }

    public void DropEnvironment(string env)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            foreach (var table in new[] { "boxes", "stamps", "deployments" })
                Execute($"DELETE FROM {table} WHERE env = $env", tx, ("$env", env));
            Execute("DELETE FROM environments WHERE name = $env", tx, ("$env", env));
            InsertEvent("env_drop", env, null, null, null, $"environment {env} dropped (pointers only)", tx);
            tx.Commit();
        }
    }

    public long DifferingBoxes(string env, string against)
    {
        using (Writer()) return Scalar<long>("""
            SELECT count(*) FROM (
                SELECT x.dataset, x.box FROM boxes x WHERE x.env = $a AND NOT EXISTS (
                    SELECT 1 FROM boxes y WHERE y.env = $b AND y.dataset = x.dataset AND y.box = x.box AND y.current_version IS x.current_version)
                UNION
                SELECT x.dataset, x.box FROM boxes x WHERE x.env = $b AND NOT EXISTS (
                    SELECT 1 FROM boxes y WHERE y.env = $a AND y.dataset = x.dataset AND y.box = x.box AND y.current_version IS x.current_version))
            """, null, ("$a", env), ("$b", against));
    }

    public void SetSourceHead(string dataset, long box, string versionId)
    {
        using (Writer()) Execute("INSERT OR REPLACE INTO source_heads VALUES ($dataset, $box, $version)", null,
            ("$dataset", dataset), ("$box", box), ("$version", versionId));
    }

    public string? DeployedCodeHash(string env, string dataset)
    {
        using (Writer()) return Scalar<string?>("SELECT code_hash FROM deployments WHERE env = $env AND dataset = $dataset ORDER BY at_ms DESC LIMIT 1",
            null, ("$env", env), ("$dataset", dataset));
    }

    public bool RecordDeploy(string env, string dataset, string? previousHash, string codeHash, string? gitCommit)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            var deployed = Scalar<string?>("SELECT code_hash FROM deployments WHERE env = $env AND dataset = $dataset ORDER BY at_ms DESC LIMIT 1",
                tx, ("$env", env), ("$dataset", dataset));
            if (deployed != previousHash) return false; // another build recorded a deploy since the caller looked
            Execute("INSERT OR REPLACE INTO deployments VALUES ($env, $dataset, $code, $previous, $git, $at)", tx,
                ("$env", env), ("$dataset", dataset), ("$code", codeHash), ("$previous", previousHash), ("$git", gitCommit), ("$at", Now));
            InsertEvent("deploy", env, dataset, null, null,
                $"{dataset} code {previousHash?[..8] ?? "(none)"} -> {codeHash[..8]}{(gitCommit is null ? "" : $" at git {gitCommit[..Math.Min(12, gitCommit.Length)]}")}", tx);
            tx.Commit();
            return true;
        }
    }

    // ---------------------------------------------------------------- landing zone

    public IReadOnlyDictionary<string, LandedFile> LandedFiles(string dataset)
    {
        using (Writer())
        {
            var cmd = Command("SELECT path, size, modified_ticks, sha256, boxes FROM landed_files WHERE dataset = $dataset", null, ("$dataset", dataset));
            var result = new Dictionary<string, LandedFile>(StringComparer.Ordinal);
            using var r = cmd.ExecuteReader();
            while (r.Read()) result[r.GetString(0)] = new LandedFile(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetString(4));
            return result;
        }
    }

    public void RecordLandedFiles(string dataset, IReadOnlyList<LandedFile> files)
    {
        if (files.Count == 0) return;
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            foreach (var f in files)
                Execute("INSERT OR REPLACE INTO landed_files VALUES ($dataset, $path, $size, $mtime, $sha, $boxes)", tx,
                    ("$dataset", dataset), ("$path", f.Path), ("$size", f.Size), ("$mtime", f.ModifiedTicks), ("$sha", f.Sha256), ("$boxes", f.Boxes));
            tx.Commit();
        }
    }

    // ---------------------------------------------------------------- runs, tasks, events

    public void StartRun(string runId, string env, string command)
    {
        var process = RunProcess.Current;
        using (Writer()) Execute("""
            INSERT INTO runs (id, env, command, started_at_ms, status, host, pid, process_started_at_ms)
            VALUES ($id, $env, $command, $at, 'running', $host, $pid, $process_started)
            """, null, ("$id", runId), ("$env", env), ("$command", command), ("$at", Now),
            ("$host", process.Host), ("$pid", process.Pid), ("$process_started", process.StartedAtMs));
    }

    public RunProcess? ProcessOf(string runId)
    {
        using (Writer())
        {
            var cmd = Command("SELECT host, pid, process_started_at_ms FROM runs WHERE id = $id AND host IS NOT NULL", null, ("$id", runId));
            using var r = cmd.ExecuteReader();
            return r.Read() ? new RunProcess(r.GetString(0), r.GetInt32(1), r.GetInt64(2)) : null;
        }
    }

    public void FinishRun(string runId, string status, string summaryJson)
    {
        using (Writer()) Execute("UPDATE runs SET finished_at_ms = $at, status = $status, summary_json = $summary WHERE id = $id", null,
            ("$id", runId), ("$at", Now), ("$status", status), ("$summary", summaryJson));
    }

    /// <remarks>
    /// The task row is a deferred write: the id comes from a block this ledger reserved, so that starting a task
    /// takes no write transaction of its own; the row is in the ledger before any version that names the task.
    /// </remarks>
    public long StartTask(string runId, string dataset, long box, string boxKey, string reason)
    {
        var id = _taskIds.Next(); // waits for the write lock only when it reserves a new block
        var at = Now;
        _deferred.Add(tx => Execute("""
            INSERT INTO tasks (id, run_id, dataset, box, box_key, reason, status, started_at_ms) VALUES ($id, $run, $dataset, $box, $key, $reason, 'running', $at)
            """, tx, ("$id", id), ("$run", runId), ("$dataset", dataset), ("$box", box), ("$key", boxKey), ("$reason", reason), ("$at", at)));
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

    public void FinishTask(long taskId, string status, string? versionId, int attempts, long durationMs, long rowsIn, long rowsOut, string? error, IReadOnlyList<string> logLines)
    {
        var lines = logLines.ToArray();
        _deferred.Add(tx =>
        {
            Execute("""
                UPDATE tasks SET status = $status, version_id = $version, attempts = $attempts, duration_ms = $duration, rows_in = $in, rows_out = $out, error = $error
                WHERE id = $id
                """, tx, ("$id", taskId), ("$status", status), ("$version", versionId), ("$attempts", attempts), ("$duration", durationMs),
                ("$in", rowsIn), ("$out", rowsOut), ("$error", error));
            for (var i = 0; i < lines.Length; i++)
                Execute("INSERT OR REPLACE INTO task_logs VALUES ($id, $n, $message)", tx, ("$id", taskId), ("$n", i), ("$message", lines[i]));
        });
    }

    public void RecordEvent(string kind, string env, string? dataset, string? boxKey, string? versionId, string message)
    {
        using (Writer()) InsertEvent(kind, env, dataset, boxKey, versionId, message, null);
    }

    private void InsertEvent(string kind, string env, string? dataset, string? boxKey, string? versionId, string message, SqliteTransaction? tx) =>
        Execute("INSERT INTO events (at_ms, kind, env, dataset, box_key, version_id, message) VALUES ($at, $kind, $env, $dataset, $box, $version, $message)", tx,
            ("$at", Now), ("$kind", kind), ("$env", env), ("$dataset", dataset), ("$box", boxKey), ("$version", versionId), ("$message", message));

    public IReadOnlyList<EventRecord> Events(string? dataset, int limit)
    {
        using (Writer())
        {
            var cmd = Command("""
                SELECT id, at_ms, kind, env, dataset, box_key, version_id, message FROM events
                WHERE $dataset IS NULL OR dataset = $dataset ORDER BY id DESC LIMIT $limit
                """, null, ("$dataset", dataset), ("$limit", limit));
            return ReadEvents(cmd);
        }
    }

    private static List<EventRecord> ReadEvents(SqliteCommand cmd)
    {
        var result = new List<EventRecord>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
            result.Add(new EventRecord(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7)));
        return result;
    }

    public IReadOnlyList<TaskRecord> Tasks(string runId)
    {
        using (Writer())
        {
            var cmd = Command("""
                SELECT id, run_id, dataset, box_key, reason, status, version_id, attempts, started_at_ms, duration_ms, rows_out, error
                FROM tasks WHERE run_id = $run ORDER BY id
                """, null, ("$run", runId));
            var result = new List<TaskRecord>();
            using var r = cmd.ExecuteReader();
            while (r.Read())
                result.Add(new TaskRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                    r.IsDBNull(6) ? null : r.GetString(6), r.GetInt32(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), r.IsDBNull(11) ? null : r.GetString(11)));
            return result;
        }
    }

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
