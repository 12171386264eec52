using Microsoft.Data.Sqlite;
using Takt.Boxes;

namespace Takt.Ledger.Sqlite;

/// <summary>Planning reads and versions (see <see cref="IBoxLedger"/>).</summary>
public sealed partial class SqliteLedger
{
    public long CurrentSeq()
    {
        using (Writer()) return Scalar<long>("SELECT value FROM counters WHERE name = 'seq'");
    }

    public DatasetSummary Summarize(string env, string dataset)
    {
        using (Writer())
        {
            // Separate sub-queries let SQLite answer min and max from the ends of the indexes instead of scanning them.
            var key = $"env = {StringId("$env")} AND dataset = {StringId("$dataset")}";
            var cmd = Command($"""
                SELECT (SELECT count(*) FROM box_rows WHERE {key}),
                       coalesce((SELECT min(box) FROM box_rows WHERE {key}), 0),
                       coalesce((SELECT max(box) FROM box_rows WHERE {key}), -1),
                       coalesce((SELECT max(seq) FROM box_rows INDEXED BY box_rows_by_seq WHERE {key}), 0),
                       coalesce((SELECT min(seq) FROM box_rows INDEXED BY box_rows_by_seq WHERE {key}), 0),
                       (SELECT count(*) FROM box_rows INDEXED BY box_rows_quarantined WHERE {key} AND head_status = 'quarantined')
                """, null, ("$env", env), ("$dataset", dataset));
            using var r = cmd.ExecuteReader();
            r.Read();
            return new DatasetSummary(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(5), r.GetInt64(4));
        }
    }

    public IReadOnlyList<BoxState> Boxes(string env, string dataset, BoxRange range)
    {
        lock (_readGate)
        {
            var cmd = _readCommands.Get("""
                SELECT box, current_version, head_version, head_status, code_hash, generation, seq
                FROM boxes WHERE env = $env AND dataset = $dataset AND box BETWEEN $from AND $to ORDER BY box
                """, null, ("$env", env), ("$dataset", dataset), ("$from", range.Start), ("$to", range.End));
            return ReadBoxes(cmd, env, dataset);
        }
    }

    public IReadOnlyList<BoxState> QuarantinedBoxes(string env, string dataset)
    {
        using (Writer())
        {
            var cmd = Command("""
                SELECT box, current_version, head_version, head_status, code_hash, generation, seq
                FROM boxes WHERE env = $env AND dataset = $dataset AND head_status = 'quarantined' ORDER BY box
                """, null, ("$env", env), ("$dataset", dataset));
            return ReadBoxes(cmd, env, dataset);
        }
    }

    private List<BoxState> ReadBoxes(SqliteCommand cmd, string env, string dataset)
    {
        var result = new List<BoxState>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
            result.Add(new BoxState(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2), BoxHeadStatusOf(r.GetString(3), env, dataset, r.GetInt64(0)), r.GetString(4), r.GetInt32(5), r.GetInt64(6)));
        return result;
    }

    public IReadOnlyList<long> BoxList(string env, string dataset)
    {
        using (Writer())
        {
            var cmd = Command("SELECT box FROM boxes WHERE env = $env AND dataset = $dataset ORDER BY box", null, ("$env", env), ("$dataset", dataset));
            var result = new List<long>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) result.Add(r.GetInt64(0));
            return result;
        }
    }

    public FreshStamp? Stamp(string env, string dataset)
    {
        using (Writer())
        {
            var cmd = Command("SELECT code_hash, seq FROM stamps WHERE env = $env AND dataset = $dataset", null, ("$env", env), ("$dataset", dataset));
            using var r = cmd.ExecuteReader();
            return r.Read() ? new FreshStamp(r.GetString(0), r.GetInt64(1)) : null;
        }
    }

    public void SetStamps(string env, IReadOnlyDictionary<string, FreshStamp> stamps)
    {
        if (stamps.Count == 0) return;
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            foreach (var (dataset, stamp) in stamps)
                Execute("""
                    INSERT INTO stamps VALUES ($env, $dataset, $code, $seq)
                    ON CONFLICT (env, dataset) DO UPDATE SET code_hash = excluded.code_hash, seq = excluded.seq WHERE excluded.seq >= stamps.seq
                    """, tx, ("$env", env), ("$dataset", dataset), ("$code", stamp.CodeHash), ("$seq", stamp.Seq));
            tx.Commit();
        }
    }


    private const string VersionColumns = "id, dataset, box, box_key, code_hash, generation, status, rows, bytes, schema_json, created_at_ms, run_id";
    private const string VersionColumnsRead = VersionColumns + ", collected_at_ms, collecting_run, lost_at_ms";
    private const string VersionById = $"SELECT {VersionColumnsRead} FROM versions WHERE id = $id";

    public VersionRecord? FindVersion(string id)
    {
        lock (_readGate) return ReadVersions(_readCommands.Get(VersionById, null, ("$id", id))).FirstOrDefault();
    }

    private VersionRecord? FindVersion(string id, SqliteTransaction? tx)
    {
        var cmd = Command(VersionById, tx, ("$id", id));
        return ReadVersions(cmd).FirstOrDefault();
    }

    public IReadOnlyDictionary<string, VersionShape> Shapes(IReadOnlyCollection<string> versionIds)
    {
        var result = new Dictionary<string, VersionShape>(versionIds.Count);
        if (versionIds.Count == 0) return result;
        // A task reads a handful of versions: one parameter each keeps a prepared statement per count; a long list (all
        // boxes up to this one) goes as one JSON parameter instead.
        const int MaxParameters = 16;
        var ids = versionIds.Select((id, i) => ($"$v{i}", (object?)id)).ToArray();
        var sql = ids.Length <= MaxParameters
            ? $"SELECT id, rows, bytes, schema_json FROM versions WHERE id IN ({string.Join(", ", ids.Select(p => p.Item1))})"
            : "SELECT id, rows, bytes, schema_json FROM versions WHERE id IN (SELECT value FROM json_each($ids))";
        (string, object?)[] parameters = ids.Length <= MaxParameters ? ids : [("$ids", System.Text.Json.JsonSerializer.Serialize(versionIds))];
        lock (_readGate)
        {
            var cmd = _readCommands.Get(sql, null, parameters);
            using var r = cmd.ExecuteReader();
            while (r.Read()) result[r.GetString(0)] = new VersionShape(r.GetInt64(1), r.GetInt64(2), r.GetString(3));
        }
        return result;
    }

    public IReadOnlyList<VersionRecord> Versions(string dataset, BoxRange range)
    {
        using (Writer())
        {
            var cmd = Command($"SELECT {VersionColumnsRead} FROM versions WHERE dataset = $dataset AND box BETWEEN $from AND $to ORDER BY box, created_at_ms",
                null, ("$dataset", dataset), ("$from", range.Start), ("$to", range.End));
            return ReadVersions(cmd);
        }
    }

    private List<VersionRecord> ReadVersions(SqliteCommand cmd)
    {
        var result = new List<VersionRecord>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) result.Add(ReadVersion(r));
        return result;
    }

    /// <summary>A version from the columns <see cref="VersionColumnsRead"/>, from the first.</summary>
    private VersionRecord ReadVersion(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetInt32(5),
            VersionStatusOf(r.GetString(6), r.GetString(0)), r.GetInt64(7), r.GetInt64(8), r.GetString(9), r.GetInt64(10), r.IsDBNull(11) ? null : r.GetString(11),
            FileStateOf(r, 12));

    public IReadOnlyList<LineageEdge> InputsOf(string versionId)
    {
        using (Writer()) return InputsOf(versionId, null);
    }

    private List<LineageEdge> InputsOf(string versionId, SqliteTransaction? tx)
    {
        var blob = Scalar<byte[]?>("SELECT inputs FROM version_lineage WHERE version_id = $id", tx, ("$id", versionId));
        return blob is null ? [] : DecodeLineage(blob, tx);
    }


    public IReadOnlyList<CheckResult> CheckResults(string versionId)
    {
        using (Writer())
        {
            var cmd = Command("SELECT name, kind, severity, passed, failing_rows, message FROM check_results WHERE version_id = $id ORDER BY name", null, ("$id", versionId));
            var result = new List<CheckResult>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) result.Add(new CheckResult(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3) != 0, r.GetInt64(4), r.GetString(5)));
            return result;
        }
    }
}
