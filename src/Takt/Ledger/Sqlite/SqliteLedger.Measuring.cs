using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

public sealed partial class SqliteLedger
{
    public IReadOnlyList<VersionRecord> VersionsSince(long sinceMs)
    {
        using (Writer())
        {
            var cmd = Command($"SELECT {VersionColumnsRead} FROM versions WHERE created_at_ms >= $since ORDER BY created_at_ms", null, ("$since", sinceMs));
            return ReadVersions(cmd);
        }
    }

    public IReadOnlyList<CheckFailureRecord> CheckFailuresSince(long sinceMs) => Read("""
        SELECT v.dataset, v.box_key, v.id, c.name, c.severity, v.created_at_ms FROM check_results c JOIN versions v ON v.id = c.version_id
        WHERE c.passed = 0 AND v.created_at_ms >= $since ORDER BY v.created_at_ms
        """, r => new CheckFailureRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5)), ("$since", sinceMs));

    public IReadOnlyList<CheckResultStat> CheckStats() => Read("""
        SELECT v.dataset, c.name, count(*), sum(1 - c.passed) FROM check_results c JOIN versions v ON v.id = c.version_id GROUP BY v.dataset, c.name
        ORDER BY v.dataset, c.name
        """, r => new CheckResultStat(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)));

    public IReadOnlyList<TaskRecord> TasksSince(long sinceMs) =>
        Read($"SELECT {TaskColumns} FROM tasks WHERE started_at_ms >= $since ORDER BY id", ReadTask, ("$since", sinceMs));

    public IReadOnlyList<DeployRecord> DeploysSince(long sinceMs) => Read("""
        SELECT env, dataset, code_hash, previous_hash, git_commit, at_ms FROM deployments WHERE at_ms >= $since ORDER BY at_ms
        """, r => new DeployRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetInt64(5)),
        ("$since", sinceMs));

    public IReadOnlyList<EventRecord> EventsSince(long sinceMs, EventKind kind) =>
        Read($"SELECT {EventColumns} FROM events WHERE at_ms >= $since AND kind = $kind ORDER BY id", ReadEvent, ("$since", sinceMs), ("$kind", Stored(kind)));

    public IReadOnlyList<VersionInventory> Inventory(string env) => Read("""
        SELECT v.dataset, count(*), sum(CASE WHEN v.collected_at_ms IS NULL THEN v.bytes ELSE 0 END),
               coalesce((SELECT sum(cv.rows) FROM boxes b JOIN versions cv ON cv.id = b.current_version WHERE b.env = $env AND b.dataset = v.dataset), 0),
               max(v.created_at_ms)
        FROM versions v GROUP BY v.dataset ORDER BY v.dataset
        """, r => new VersionInventory(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)), ("$env", env));

    private List<T> Read<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object? Value)[] parameters)
    {
        using (Writer())
        {
            var cmd = Command(sql, null, parameters);
            using var r = cmd.ExecuteReader();
            var result = new List<T>();
            while (r.Read()) result.Add(map(r));
            return result;
        }
    }
}
