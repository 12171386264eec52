using Takt.Boxes;

namespace Takt.Ledger.Sqlite;

/// <summary>The planner's bulk read of boxes (see <see cref="IBoxLedger.PlanningFacts"/>).</summary>
public sealed partial class SqliteLedger
{
    // Integer keys only: the box's key, its head version's row by vid, and the code hash compared as its string id. The
    // generation, status and code comparison come back packed in one integer (generation * 8 + status * 2 + code match):
    // a cold plan reads millions of rows, and each column read costs more than the arithmetic.
    private static readonly string PlanningSql = $"""
        SELECT b.box, b.seq,
               v.generation * 8 + CASE b.head_status WHEN 'ok' THEN 0 WHEN 'quarantined' THEN 2 WHEN 'lost' THEN 4 ELSE 6 END
                                + coalesce(v.code = {StringId("$code")}, 0),
               b.head_status
        FROM box_rows b JOIN version_rows v ON v.vid = b.head
        WHERE b.env = {StringId("$env")} AND b.dataset = {StringId("$dataset")} AND b.box BETWEEN $from AND $to ORDER BY b.box
        """;

    public BoxFacts PlanningFacts(string env, string dataset, BoxRange range, string codeHash)
    {
        const int capacity = 4096;
        var (boxes, seqs, generations) = (new List<long>(capacity), new List<long>(capacity), new List<int>(capacity));
        var (statuses, codeMatches) = (new List<BoxHeadStatus>(capacity), new List<bool>(capacity));
        lock (_readGate)
        {
            var cmd = _readCommands.Get(PlanningSql, null, ("$env", env), ("$dataset", dataset), ("$from", range.Start), ("$to", range.End), ("$code", codeHash));
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                boxes.Add(r.GetInt64(0));
                seqs.Add(r.GetInt64(1));
                var packed = r.GetInt64(2);
                generations.Add(checked((int)(packed >> 3)));
                statuses.Add(((packed >> 1) & 3) switch
                {
                    0 => BoxHeadStatus.Ok,
                    1 => BoxHeadStatus.Quarantined,
                    2 => BoxHeadStatus.Lost,
                    _ => BoxHeadStatusOf(r.GetString(3), env, dataset, r.GetInt64(0)), // throws: a word no version of Takt writes
                });
                codeMatches.Add((packed & 1) != 0);
            }
        }
        return new BoxFacts([.. boxes], [.. seqs], [.. generations], [.. statuses], [.. codeMatches]);
    }
}
