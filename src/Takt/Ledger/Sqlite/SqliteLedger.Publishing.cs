using System.Text.Json;

namespace Takt.Ledger.Sqlite;

/// <summary>Copies handed to online systems, which of them readers see, and rollbacks' holds (see <see cref="IPublicationLedger"/>).</summary>
public sealed partial class SqliteLedger
{
    public IReadOnlyList<PublicationRecord> Publications(string dataset) => Read("""
        SELECT dataset, target, copy, env, created_at_ms, rows, versions_json, live, dropped_at_ms
        FROM publications WHERE dataset = $dataset ORDER BY target, created_at_ms, copy
        """, r => new PublicationRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5),
            JsonSerializer.Deserialize<string[]>(r.GetString(6)) ?? [], r.GetInt64(7) != 0, r.IsDBNull(8) ? null : r.GetInt64(8)),
        ("$dataset", dataset));

    public void RecordCopy(PublicationRecord p)
    {
        using (Writer())
            Execute("INSERT OR REPLACE INTO publications VALUES ($dataset, $target, $copy, $env, $at, $rows, $versions, 0, NULL)", null,
                ("$dataset", p.Dataset), ("$target", p.Target), ("$copy", p.Copy), ("$env", p.Env), ("$at", p.CreatedAtMs), ("$rows", p.Rows),
                ("$versions", JsonSerializer.Serialize(p.Versions)));
    }

    public void SetLive(string dataset, string target, string copy, string env, string message)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            Execute("UPDATE publications SET live = (copy = $copy) WHERE dataset = $dataset AND target = $target", tx,
                ("$dataset", dataset), ("$target", target), ("$copy", copy));
            Execute("DELETE FROM publish_holds WHERE dataset = $dataset AND target = $target", tx, ("$dataset", dataset), ("$target", target));
            InsertEvent(EventKind.Publish, env, dataset, null, null, message, tx);
            tx.Commit();
        }
    }

    public void RollBack(PublishHold hold, string from)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            Execute("UPDATE publications SET live = (copy = $copy) WHERE dataset = $dataset AND target = $target", tx,
                ("$dataset", hold.Dataset), ("$target", hold.Target), ("$copy", hold.Copy));
            Execute("INSERT OR REPLACE INTO publish_holds VALUES ($dataset, $target, $copy, $env, $versions, $at)", tx,
                ("$dataset", hold.Dataset), ("$target", hold.Target), ("$copy", hold.Copy), ("$env", hold.Env),
                ("$versions", JsonSerializer.Serialize(hold.Versions)), ("$at", hold.AtMs));
            InsertEvent(EventKind.Rollback, hold.Env, hold.Dataset, null, null, $"{hold.Dataset} on {hold.Target} rolled back from copy {from} to {hold.Copy}; builds hold it there until the current versions change", tx);
            tx.Commit();
        }
    }

    public PublishHold? PublishHold(string dataset, string target) => Read("""
        SELECT dataset, target, copy, env, versions_json, at_ms FROM publish_holds WHERE dataset = $dataset AND target = $target
        """, r => new PublishHold(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
            JsonSerializer.Deserialize<string[]>(r.GetString(4)) ?? [], r.GetInt64(5)),
        ("$dataset", dataset), ("$target", target)).SingleOrDefault();

    public void MarkDropped(string dataset, string target, string copy)
    {
        using (Writer()) Execute("UPDATE publications SET dropped_at_ms = $at WHERE dataset = $dataset AND target = $target AND copy = $copy", null,
            ("$dataset", dataset), ("$target", target), ("$copy", copy), ("$at", Now));
    }
}
