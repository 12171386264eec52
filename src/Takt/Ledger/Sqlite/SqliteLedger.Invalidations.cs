using Takt.Boxes;

namespace Takt.Ledger.Sqlite;

public sealed partial class SqliteLedger
{
    public GenerationMap Generations(string dataset, BoxRange range)
    {
        lock (_readGate)
        {
            var cmd = _readCommands.Get("""
                SELECT from_box, to_box, generations, seq FROM invalidations INDEXED BY invalidations_by_box
                WHERE dataset = $dataset AND from_box <= $to AND to_box >= $from
                """, null, ("$dataset", dataset), ("$from", range.Start), ("$to", range.End));
            var found = new List<Invalidation>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) found.Add(new Invalidation(new BoxRange(r.GetInt64(0), r.GetInt64(1)), r.GetInt32(2), r.GetInt64(3)));
            return found.Count == 0 ? GenerationMap.None : new GenerationMap(found);
        }
    }

    public long MaxGenerationSeq(string dataset)
    {
        using (Writer()) return Scalar<long>("SELECT coalesce(max(seq), 0) FROM invalidations INDEXED BY invalidations_by_seq WHERE dataset = $dataset", null, ("$dataset", dataset));
    }

    public void Invalidate(string dataset, BoxRange boxes, string describe, long count, string reason)
    {
        if (boxes.IsEmpty) throw new ArgumentException("An invalidation covers at least one box.", nameof(boxes));
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            Execute("""
                INSERT INTO invalidations (dataset, from_box, to_box, generations, seq, at_ms, reason) VALUES ($dataset, $from, $to, 1, $seq, $at, $reason)
                """, tx, ("$dataset", dataset), ("$from", boxes.Start), ("$to", boxes.End), ("$seq", NextSeq(tx)), ("$at", Now), ("$reason", reason));
            InsertEvent(EventKind.Invalidate, "*", dataset, describe, null, $"{count} box(es) of {dataset} invalidated: {reason}", tx);
            tx.Commit();
        }
    }

    public long CountBoxes(string env, string dataset, BoxRange range)
    {
        using (Writer()) return Scalar<long>("SELECT count(*) FROM boxes WHERE env = $env AND dataset = $dataset AND box BETWEEN $from AND $to", null,
            ("$env", env), ("$dataset", dataset), ("$from", range.Start), ("$to", range.End));
    }
}
