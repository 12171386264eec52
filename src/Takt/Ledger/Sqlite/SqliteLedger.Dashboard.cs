namespace Takt.Ledger.Sqlite;

/// <summary>The dashboard's read queries (see <c>ILedger.Dashboard.cs</c>).</summary>
public sealed partial class SqliteLedger
{
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
