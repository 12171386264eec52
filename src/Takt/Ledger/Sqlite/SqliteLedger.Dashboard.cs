namespace Takt.Ledger.Sqlite;

/// <summary>The dashboard's read queries (see <c>ILedger.Dashboard.cs</c>).</summary>
public sealed partial class SqliteLedger
{
    public RunRecord? FindRun(string runId)
    {
        using (Writer())
        {
            var cmd = Command("SELECT id, env, command, started_at_ms, finished_at_ms, status, summary_json FROM runs WHERE id = $id", null, ("$id", runId));
            using var r = cmd.ExecuteReader();
            return r.Read()
                ? new RunRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6))
                : null;
        }
    }

    public IReadOnlyList<EventRecord> EventsOfKinds(IReadOnlyCollection<string> kinds, string? dataset, int limit)
    {
        if (kinds.Count == 0) return [];
        using (Writer())
        {
            var names = kinds.Select((_, i) => $"$k{i}").ToArray();
            var parameters = kinds.Select((k, i) => ($"$k{i}", (object?)k)).Append(("$dataset", dataset)).Append(("$limit", limit)).ToArray();
            var cmd = Command($"""
                SELECT id, at_ms, kind, env, dataset, box_key, version_id, message FROM events
                WHERE kind IN ({string.Join(", ", names)}) AND ($dataset IS NULL OR dataset = $dataset) ORDER BY id DESC LIMIT $limit
                """, null, parameters);
            return ReadEvents(cmd);
        }
    }
}
