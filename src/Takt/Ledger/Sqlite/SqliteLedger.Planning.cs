using Takt.Boxes;

namespace Takt.Ledger.Sqlite;

/// <summary>The planner's bulk read of boxes (see <see cref="IBoxLedger.PlanningFacts"/>).</summary>
public sealed partial class SqliteLedger
{
    public BoxFacts PlanningFacts(string env, string dataset, BoxRange range, string codeHash)
    {
        // Statuses and the code comparison come back as small integers: no string is made per box.
        // Integer keys only: the box's key, its head version's row by vid, and the code hash compared as its string id.
        var sql = $"""
            SELECT b.box, b.seq, v.generation, CASE b.head_status WHEN 'ok' THEN 0 WHEN 'quarantined' THEN 1 WHEN 'lost' THEN 2 ELSE -1 END,
                   coalesce(v.code = {StringId("$code")}, 0), b.head_status
            FROM box_rows b JOIN version_rows v ON v.vid = b.head
            WHERE b.env = {StringId("$env")} AND b.dataset = {StringId("$dataset")} AND b.box BETWEEN $from AND $to ORDER BY b.box
            """;
        const int capacity = 4096;
        var (boxes, seqs, generations) = (new List<long>(capacity), new List<long>(capacity), new List<int>(capacity));
        var (statuses, codeMatches) = (new List<BoxHeadStatus>(capacity), new List<bool>(capacity));
        lock (_readGate)
        {
            var cmd = _readCommands.Get(sql, null, ("$env", env), ("$dataset", dataset), ("$from", range.Start), ("$to", range.End), ("$code", codeHash));
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                boxes.Add(r.GetInt64(0));
                seqs.Add(r.GetInt64(1));
                generations.Add(r.GetInt32(2));
                statuses.Add(r.GetInt32(3) switch
                {
                    0 => BoxHeadStatus.Ok,
                    1 => BoxHeadStatus.Quarantined,
                    2 => BoxHeadStatus.Lost,
                    _ => LedgerStatuses.BoxHeadStatusOf(r.GetString(5)), // throws: a word no version of Takt writes
                });
                codeMatches.Add(r.GetInt64(4) != 0);
            }
        }
        return new BoxFacts([.. boxes], [.. seqs], [.. generations], [.. statuses], [.. codeMatches]);
    }
}
