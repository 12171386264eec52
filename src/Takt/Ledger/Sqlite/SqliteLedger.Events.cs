using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

/// <summary>Events (see <see cref="IRunLog"/>).</summary>
public sealed partial class SqliteLedger
{
    public void RecordEvent(EventKind kind, string env, string? dataset, string? boxKey, string? versionId, string message)
    {
        using (Writer()) InsertEvent(kind, env, dataset, boxKey, versionId, message, null);
    }

    private void InsertEvent(EventKind kind, string env, string? dataset, string? boxKey, string? versionId, string message, SqliteTransaction? tx) =>
        Execute("INSERT INTO events (at_ms, kind, env, dataset, box_key, version_id, message) VALUES ($at, $kind, $env, $dataset, $box, $version, $message)", tx,
            ("$at", Now), ("$kind", Stored(kind)), ("$env", env), ("$dataset", dataset), ("$box", boxKey), ("$version", versionId), ("$message", message));

    public IReadOnlyList<EventRecord> Events(string? dataset, int limit)
    {
        using (Writer())
        {
            var cmd = Command($"SELECT {EventColumns} FROM events WHERE $dataset IS NULL OR dataset = $dataset ORDER BY id DESC LIMIT $limit", null, ("$dataset", dataset), ("$limit", limit));
            return ReadEvents(cmd);
        }
    }

    private const string EventColumns = "id, at_ms, kind, env, dataset, box_key, version_id, message";

    private EventRecord ReadEvent(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetInt64(1), EventKindOf(r.GetString(2), r.GetInt64(0)), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
            r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7));

    private List<EventRecord> ReadEvents(SqliteCommand cmd)
    {
        var result = new List<EventRecord>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) result.Add(ReadEvent(r));
        return result;
    }

    public IReadOnlyList<EventRecord> EventsOfKinds(IReadOnlyCollection<EventKind> kinds, string? dataset, int limit)
    {
        if (kinds.Count == 0) return [];
        using (Writer())
        {
            var names = kinds.Select((_, i) => $"$k{i}").ToArray();
            var parameters = kinds.Select((k, i) => ($"$k{i}", (object?)Stored(k))).Append(("$dataset", dataset)).Append(("$limit", limit)).ToArray();
            var cmd = Command($"""
                SELECT {EventColumns} FROM events
                WHERE kind IN ({string.Join(", ", names)}) AND ($dataset IS NULL OR dataset = $dataset) ORDER BY id DESC LIMIT $limit
                """, null, parameters);
            return ReadEvents(cmd);
        }
    }
}
