using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

/// <summary>Version files, lost files and garbage collection (see <see cref="IFileLedger"/>).</summary>
public sealed partial class SqliteLedger
{
    private const string HasNoFilesCondition = "(collected_at_ms IS NOT NULL OR collecting_run IS NOT NULL OR lost_at_ms IS NOT NULL)";

    /// <summary>The file state from the columns collected_at_ms, collecting_run and lost_at_ms, starting at <paramref name="first"/>.</summary>
    private static VersionFileState FileStateOf(SqliteDataReader r, int first) =>
        !r.IsDBNull(first) ? VersionFileState.Collected
        : !r.IsDBNull(first + 1) ? VersionFileState.Collecting
        : !r.IsDBNull(first + 2) ? VersionFileState.Lost
        : VersionFileState.Present;

    private bool HasFiles(string versionId, SqliteTransaction tx) =>
        Scalar<long>($"SELECT count(*) FROM versions WHERE id = $id AND NOT {HasNoFilesCondition}", tx, ("$id", versionId)) > 0;

    private void InsertFiles(string versionId, IReadOnlyList<VersionFile> files, SqliteTransaction tx)
    {
        foreach (var f in files)
            Execute("INSERT OR REPLACE INTO version_files VALUES ($id, $name, $size, $sha)", tx,
                ("$id", versionId), ("$name", f.Name), ("$size", f.Size), ("$sha", Convert.FromHexString(f.Sha256)));
    }

    /// <summary>
    /// Records the files a task just promoted for a version the ledger already knows; they are what is on disk now.
    /// Returns true when the version had no files (lost, or freed by gc) and is live again.
    /// </summary>
    private bool ReplaceFiles(VersionRecord v, IReadOnlyList<VersionFile> files, SqliteTransaction tx)
    {
        var revived = Execute($"""
            UPDATE version_rows SET collected_at_ms = NULL, collecting_run = NULL, lost_at_ms = NULL WHERE id = $id AND {HasNoFilesCondition}
            """, tx, ("$id", v.Id)) > 0;
        if (files.Count == 0) return revived;
        Execute("UPDATE version_rows SET bytes = $bytes WHERE id = $id", tx, ("$id", v.Id), ("$bytes", files.Sum(f => f.Size)));
        Execute("DELETE FROM version_files WHERE version_id = $id", tx, ("$id", v.Id));
        InsertFiles(v.Id, files, tx);
        return revived;
    }

    /// <summary>A box marked lost gets its version back: its head is ok again, with the change sequence it had before.</summary>
    private bool RestoreLostBox(string env, VersionRecord v, SqliteTransaction tx)
    {
        var seq = Scalar<long?>("""
            DELETE FROM lost_boxes WHERE env = $env AND dataset = $dataset AND box = $box AND version_id = $id RETURNING seq_before
            """, tx, ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box), ("$id", v.Id));
        if (seq is null) return false;
        Execute($"UPDATE box_rows AS b SET head_status = $ok, seq = $seq WHERE {OneBox}", tx,
            ("$ok", BoxHeadStatus.Ok.ToText()), ("$seq", seq), ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box));
        return true;
    }

    public IReadOnlyDictionary<string, StoredVersion> StoredFiles(IReadOnlyCollection<string> versionIds)
    {
        var result = new Dictionary<string, StoredVersion>(versionIds.Count);
        if (versionIds.Count == 0) return result;
        const int MaxParameters = 16; // as in Shapes: a prepared statement per small count, one JSON parameter for long lists
        var ids = versionIds.Select((id, i) => ($"$v{i}", (object?)id)).ToArray();
        var filter = ids.Length <= MaxParameters ? string.Join(", ", ids.Select(p => p.Item1)) : "SELECT value FROM json_each($ids)";
        (string, object?)[] parameters = ids.Length <= MaxParameters ? ids : [("$ids", System.Text.Json.JsonSerializer.Serialize(versionIds))];
        var files = new Dictionary<string, List<VersionFile>>();
        lock (_readGate)
        {
            var cmd = _readCommands.Get($"""
                SELECT v.id, v.collected_at_ms, v.collecting_run, v.lost_at_ms, f.name, f.size, f.sha256
                FROM versions v LEFT JOIN version_files f ON f.version_id = v.id WHERE v.id IN ({filter}) ORDER BY v.id, f.name
                """, null, parameters);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetString(0);
                if (!files.TryGetValue(id, out var list))
                {
                    files[id] = list = [];
                    result[id] = new StoredVersion(id, FileStateOf(r, 1), list);
                }
                if (!r.IsDBNull(4)) list.Add(new VersionFile(r.GetString(4), r.GetInt64(5), Convert.ToHexStringLower((byte[])r.GetValue(6))));
            }
        }
        return result;
    }

    public void RecordFiles(string versionId, IReadOnlyList<VersionFile> files)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            if (Scalar<long>("SELECT count(*) FROM version_files WHERE version_id = $id", tx, ("$id", versionId)) == 0) InsertFiles(versionId, files, tx);
            tx.Commit();
        }
    }

    public int MarkLost(string versionId, string problem)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            var version = FindVersion(versionId, tx);
            if (version is null) return 0;
            var newlyLost = Execute("UPDATE version_rows SET lost_at_ms = $now WHERE id = $id AND lost_at_ms IS NULL", tx, ("$id", versionId), ("$now", Now)) > 0;
            // Boxes of every environment whose pointer and head are this version (a quarantined head keeps its box as it is).
            const string Pointing = """
                env IN (SELECT name FROM environments) AND dataset = $dataset AND box = $box AND current_version = $id AND head_version = $id AND head_status = 'ok'
                """;
            (string, object?)[] box = [("$dataset", version.Dataset), ("$box", version.Box), ("$id", versionId)];
            var boxes = Execute($"INSERT OR REPLACE INTO lost_boxes SELECT env, dataset, box, current_version, seq FROM boxes WHERE {Pointing}", tx, box);
            if (boxes > 0)
                Execute($"""
                    UPDATE box_rows AS b SET head_status = $lost, seq = $seq
                    WHERE b.env IN (SELECT s.id FROM environments e JOIN strings s ON s.text = e.name) AND b.dataset = {StringId("$dataset")} AND b.box = $box
                      AND b.current = {Vid("$id")} AND b.head = b.current AND b.head_status = 'ok'
                    """, tx, [.. box, ("$lost", BoxHeadStatus.Lost.ToText()), ("$seq", NextSeq(tx))]);
            if (newlyLost || boxes > 0)
                InsertEvent(EventKind.Lost, "*", version.Dataset, version.BoxKey, versionId, $"{version.Dataset}@{version.BoxKey} version {versionId}: {problem}", tx);
            tx.Commit();
            return boxes;
        }
    }

    public IReadOnlyList<VersionInUse> VersionsInUse(string? env)
    {
        var columns = string.Join(", ", VersionColumnsRead.Split(", ").Select(c => "v." + c));
        using (Writer())
        {
            var cmd = Command($"""
                SELECT {columns}, group_concat(DISTINCT u.env) FROM (
                    SELECT env, current_version AS id FROM boxes WHERE current_version IS NOT NULL AND ($env IS NULL OR env = $env)
                    UNION SELECT env, head_version FROM boxes WHERE ($env IS NULL OR env = $env)
                    UNION SELECT NULL, version_id FROM source_heads WHERE $env IS NULL) u
                JOIN versions v ON v.id = u.id
                GROUP BY v.id ORDER BY v.dataset, v.box, v.id
                """, null, ("$env", env));
            using var r = cmd.ExecuteReader();
            return ReadVersionsWithEnvironments(r);
        }
    }

    private List<VersionInUse> ReadVersionsWithEnvironments(SqliteDataReader r)
    {
        var result = new List<VersionInUse>();
        while (r.Read())
        {
            result.Add(new VersionInUse(ReadVersion(r), r.IsDBNull(15) ? [] : r.GetString(15).Split(',')));
        }
        return result;
    }

    // ---------------------------------------------------------------- garbage collection

    public IReadOnlyList<VersionRecord> CollectableVersions(long createdBeforeMs)
    {
        using (Writer())
        {
            var cmd = Command($"""
                WITH referenced(id) AS (
                    SELECT current_version FROM boxes WHERE current_version IS NOT NULL
                    UNION SELECT head_version FROM boxes
                    UNION SELECT version_id FROM source_heads
                    UNION SELECT j.value FROM publications p, json_each(p.versions_json) j WHERE p.dropped_at_ms IS NULL)
                SELECT {VersionColumnsRead} FROM versions v
                WHERE v.collected_at_ms IS NULL AND (v.created_at_ms < $before OR v.collecting_run IS NOT NULL) AND v.id NOT IN referenced
                ORDER BY v.created_at_ms
                """, null, ("$before", createdBeforeMs));
            return ReadVersions(cmd);
        }
    }

    public CollectingBatch BeginCollecting(IReadOnlyCollection<string> versionIds, string runId, TimeSpan leaseTtl)
    {
        var ids = System.Text.Json.JsonSerializer.Serialize(versionIds);
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            // The references again, inside the write lock: a build may have pointed at a candidate since it was listed.
            var marked = Execute("""
                UPDATE version_rows AS v SET collecting_run = $run
                WHERE v.id IN (SELECT value FROM json_each($ids)) AND v.collected_at_ms IS NULL AND v.collecting_run IS NULL
                  AND NOT EXISTS (SELECT 1 FROM box_rows b WHERE b.env IN (SELECT s.id FROM environments e JOIN strings s ON s.text = e.name)
                                  AND b.dataset = v.dataset AND b.box = v.box AND (b.current = v.vid OR b.head = v.vid))
                  AND NOT EXISTS (SELECT 1 FROM source_heads h WHERE h.dataset = (SELECT text FROM strings WHERE id = v.dataset) AND h.box = v.box AND h.version_id = v.id)
                  AND NOT EXISTS (SELECT 1 FROM publications p, json_each(p.versions_json) j
                                  WHERE p.dataset = (SELECT text FROM strings WHERE id = v.dataset) AND p.dropped_at_ms IS NULL AND j.value = v.id)
                  AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.key = v.id AND l.owner <> $run AND l.expires_at_ms >= $now)
                """, tx, ("$ids", ids), ("$run", runId), ("$now", Now));
            Execute("""
                INSERT INTO leases SELECT id, $run, $expires FROM versions WHERE id IN (SELECT value FROM json_each($ids)) AND collecting_run = $run
                ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at_ms = excluded.expires_at_ms
                """, tx, ("$ids", ids), ("$run", runId), ("$expires", Now + (long)leaseTtl.TotalMilliseconds));
            var versions = ReadVersions(Command($"""
                SELECT {VersionColumnsRead} FROM versions WHERE id IN (SELECT value FROM json_each($ids)) AND collecting_run = $run ORDER BY created_at_ms
                """, tx, ("$ids", ids), ("$run", runId)));
            tx.Commit();
            return new CollectingBatch(versions, versionIds.Count - marked);
        }
    }

    public bool TakeOverCollecting(string versionId, string runId)
    {
        using (Writer()) return Execute("UPDATE version_rows SET collecting_run = $run WHERE id = $id AND collecting_run IS NOT NULL AND collected_at_ms IS NULL", null,
            ("$id", versionId), ("$run", runId)) > 0;
    }

    public void FinishCollecting(IReadOnlyCollection<string> versionIds, string runId)
    {
        var ids = System.Text.Json.JsonSerializer.Serialize(versionIds);
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            Execute("""
                DELETE FROM version_files WHERE version_id IN (SELECT id FROM versions WHERE id IN (SELECT value FROM json_each($ids)) AND collecting_run = $run)
                """, tx, ("$ids", ids), ("$run", runId));
            Execute("""
                UPDATE version_rows SET collected_at_ms = $now, collecting_run = NULL WHERE id IN (SELECT value FROM json_each($ids)) AND collecting_run = $run
                """, tx, ("$ids", ids), ("$run", runId), ("$now", Now));
            Execute("DELETE FROM leases WHERE key IN (SELECT value FROM json_each($ids)) AND owner = $run", tx, ("$ids", ids), ("$run", runId));
            tx.Commit();
        }
    }

    public void AbandonCollecting(IReadOnlyCollection<string> versionIds, string runId)
    {
        var ids = System.Text.Json.JsonSerializer.Serialize(versionIds);
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            Execute("UPDATE version_rows SET collecting_run = NULL WHERE id IN (SELECT value FROM json_each($ids)) AND collecting_run = $run", tx,
                ("$ids", ids), ("$run", runId));
            Execute("DELETE FROM leases WHERE key IN (SELECT value FROM json_each($ids)) AND owner = $run", tx, ("$ids", ids), ("$run", runId));
            tx.Commit();
        }
    }
}
