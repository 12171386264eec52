using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

/// <summary>Commits, the andon and override: the writes that move a box (see <see cref="IBoxLedger"/>).</summary>
public sealed partial class SqliteLedger
{
    public CommitOutcome Commit(CommitRequest request)
    {
        lock (_gate)
        {
            using var tx = BeginWrite();
            var outcome = Write(request, tx);
            tx.Commit();
            return outcome;
        }
    }

    /// <summary>The writes of one commit, in the caller's transaction (see <see cref="IBoxLedger.Commit"/>).</summary>
    private CommitOutcome Write(CommitRequest request, SqliteTransaction tx)
    {
        var v = request.Version;
        Intern(tx, v.Dataset, v.CodeHash, v.SchemaJson, v.RunId);
        var inserted = Execute($"""
            INSERT OR IGNORE INTO version_rows (id, dataset, box, box_key, code, generation, status, rows, bytes, schema, created_at_ms, run, task_id)
            VALUES ($id, {StringId("$dataset")}, $box, $key, {StringId("$code")}, $gen, $status, $rows, $bytes, {StringId("$schema")}, $at, {StringId("$run")}, $task)
            """, tx, ("$id", v.Id), ("$dataset", v.Dataset), ("$box", v.Box), ("$key", v.BoxKey), ("$code", v.CodeHash), ("$gen", v.Generation),
            ("$status", v.Status.ToText()), ("$rows", v.Rows), ("$bytes", v.Bytes), ("$schema", v.SchemaJson), ("$at", v.CreatedAtMs), ("$run", v.RunId), ("$task", request.TaskId));
        if (inserted == 0)
        {
            // The task made the files of a version the ledger knows again: lost or freed by gc, it is live again.
            var revived = ReplaceFiles(v, request.Files, tx);
            var existing = FindVersion(v.Id, tx)!;
            var outcome = existing.Status.IsUsable()
                ? MovePointer(request.Env, existing, request.Inputs, tx)
                : QuarantineHead(request.Env, existing, tx);
            return outcome == CommitOutcome.Committed && !revived ? CommitOutcome.AlreadyCurrent : outcome;
        }
        InsertFiles(v.Id, request.Files, tx);
        if (request.Inputs.Count > 0)
            Execute($"INSERT OR IGNORE INTO lineage_rows VALUES ({Vid("$id")}, $inputs)", tx, ("$id", v.Id), ("$inputs", EncodeLineage(request.Inputs, tx)));
        foreach (var check in request.Checks)
            Execute("INSERT OR REPLACE INTO check_results VALUES ($id, $name, $kind, $severity, $passed, $failing, $message)", tx,
                ("$id", v.Id), ("$name", check.Name), ("$kind", check.Kind), ("$severity", check.Severity), ("$passed", check.Passed ? 1 : 0),
                ("$failing", check.FailingRows), ("$message", check.Message));
        return v.Status.IsUsable() ? MovePointer(request.Env, v, request.Inputs, tx) : QuarantineHead(request.Env, v, tx);
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
        if (before == v.Id + "|" + BoxHeadStatus.Ok.ToText())
        {
            CatchUpWithInputs(env, v, tx);
            return CommitOutcome.AlreadyCurrent;
        }
        if (before == v.Id + "|" + BoxHeadStatus.Lost.ToText() && RestoreLostBox(env, v, tx)) return CommitOutcome.Committed;
        UpsertBox(env, v, currentVersion: v.Id, BoxHeadStatus.Ok, tx);
        return CommitOutcome.Committed;
    }

    private CommitOutcome QuarantineHead(string env, VersionRecord v, SqliteTransaction tx)
    {
        var before = Scalar<string?>("SELECT head_version || '|' || head_status FROM boxes WHERE env = $env AND dataset = $dataset AND box = $box", tx,
            ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box));
        if (before == v.Id + "|" + BoxHeadStatus.Quarantined.ToText())
        {
            CatchUpWithInputs(env, v, tx);
            return CommitOutcome.AlreadyCurrent;
        }
        var current = Scalar<string?>("SELECT current_version FROM boxes WHERE env = $env AND dataset = $dataset AND box = $box", tx,
            ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box));
        UpsertBox(env, v, current, BoxHeadStatus.Quarantined, tx);
        InsertEvent(EventKind.Andon, env, v.Dataset, v.BoxKey, v.Id, $"{v.Dataset}@{v.BoxKey} stopped by a failing check; version {v.Id} quarantined", tx);
        return CommitOutcome.Committed;
    }

    private void UpsertBox(string env, VersionRecord v, string? currentVersion, BoxHeadStatus headStatus, SqliteTransaction tx)
    {
        var seq = NextSeq(tx);
        Intern(tx, env, v.Dataset);
        Execute($"""
            INSERT INTO box_rows VALUES ({StringId("$env")}, {StringId("$dataset")}, $box, {Vid("$current")}, {Vid("$head")}, $status, $seq)
            ON CONFLICT (env, dataset, box) DO UPDATE SET current = excluded.current, head = excluded.head, head_status = excluded.head_status, seq = excluded.seq
            """, tx, ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box), ("$current", currentVersion), ("$head", v.Id),
            ("$status", headStatus.ToText()), ("$seq", seq));
    }

    private long NextSeq(SqliteTransaction tx) => Scalar<long>("UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value", tx);

    public VersionRecord? Override(string env, string dataset, long box, string reason)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            var head = Scalar<string?>("SELECT head_version FROM boxes WHERE env = $env AND dataset = $dataset AND box = $box AND head_status = 'quarantined'", tx,
                ("$env", env), ("$dataset", dataset), ("$box", box));
            if (head is null) return null;
            Execute("UPDATE version_rows SET status = $status WHERE id = $id", tx, ("$status", VersionStatus.Overridden.ToText()), ("$id", head));
            var version = FindVersion(head, tx)!;
            UpsertBox(env, version, version.Id, BoxHeadStatus.Ok, tx);
            InsertEvent(EventKind.Override, env, dataset, version.BoxKey, version.Id, reason, tx);
            tx.Commit();
            return version;
        }
    }
}
