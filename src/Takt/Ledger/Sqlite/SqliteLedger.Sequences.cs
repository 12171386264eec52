using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

public sealed partial class SqliteLedger
{
    /// <summary>
    /// A box whose head is found again (same recipe, so same version) after its inputs moved away and back, or after an
    /// input's quarantined head was released back to the version it had, keeps its version but must not stay below its
    /// inputs' change sequence: the planner would call it stale for ever. Its sequence moves only then, and only up to
    /// its inputs' (a reader built since then stays fresh); the ledger's counter moves too, since plans change.
    /// </summary>
    private void CatchUpWithInputs(string env, VersionRecord v, SqliteTransaction tx)
    {
        var cmd = Command("""
            SELECT coalesce(sum(b.current_version IS NOT i.input_version_id), 0), coalesce(max(b.seq), 0),
                   (SELECT seq FROM boxes WHERE env = $env AND dataset = $dataset AND box = $box)
            FROM version_inputs i LEFT JOIN boxes b ON b.env = $env AND b.dataset = i.input_dataset AND b.box = i.input_box
            WHERE i.version_id = $id
            """, tx, ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box), ("$id", v.Id));
        long moved, inputSeq, seq;
        using (var r = cmd.ExecuteReader())
        {
            r.Read();
            (moved, inputSeq, seq) = (r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? long.MaxValue : r.GetInt64(2));
        }
        if (moved > 0 || seq >= inputSeq) return; // inputs not current: the box is really stale, and the planner must say so
        NextSeq(tx);
        Execute("UPDATE boxes SET seq = $seq WHERE env = $env AND dataset = $dataset AND box = $box", tx,
            ("$seq", inputSeq), ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box));
    }
}
