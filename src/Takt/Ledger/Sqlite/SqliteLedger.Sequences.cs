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
        var seq = Scalar<long?>("SELECT seq FROM boxes WHERE env = $env AND dataset = $dataset AND box = $box", tx,
            ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box)) ?? long.MaxValue;
        long moved = 0, inputSeq = 0;
        foreach (var input in InputsOf(v.Id, tx))
        {
            using var r = Command("SELECT current_version, seq FROM boxes WHERE env = $env AND dataset = $dataset AND box = $box", tx,
                ("$env", env), ("$dataset", input.Dataset), ("$box", input.Box)).ExecuteReader();
            var found = r.Read();
            if (!found || r.IsDBNull(0) || r.GetString(0) != input.VersionId) moved++;
            if (found) inputSeq = Math.Max(inputSeq, r.GetInt64(1));
        }
        if (moved > 0 || seq >= inputSeq) return; // inputs not current: the box is really stale, and the planner must say so
        NextSeq(tx);
        Execute($"UPDATE box_rows AS b SET seq = $seq WHERE {OneBox}", tx,
            ("$seq", inputSeq), ("$env", env), ("$dataset", v.Dataset), ("$box", v.Box));
    }
}
