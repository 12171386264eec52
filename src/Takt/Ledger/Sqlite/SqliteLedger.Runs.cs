using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

/// <summary>Runs: listed, found, and seen alive.</summary>
public sealed partial class SqliteLedger
{
    private const string RunColumns = """
        id, env, command, started_at_ms, finished_at_ms, status, summary_json, host, pid, process_started_at_ms,
        coalesce(last_seen_at_ms, started_at_ms)
        """;

    public void RecordRunSeen(string runId)
    {
        using (Writer()) Execute("UPDATE runs SET last_seen_at_ms = $at WHERE id = $id AND finished_at_ms IS NULL", null, ("$id", runId), ("$at", Now));
    }

    public IReadOnlyList<RunRecord> Runs(int limit)
    {
        using (Writer())
        {
            using var r = Command($"SELECT {RunColumns} FROM runs ORDER BY started_at_ms DESC LIMIT $limit", null, ("$limit", limit)).ExecuteReader();
            var result = new List<RunRecord>();
            while (r.Read()) result.Add(ReadRun(r));
            return result;
        }
    }

    public RunRecord? FindRun(string runId)
    {
        using (Writer())
        {
            using var r = Command($"SELECT {RunColumns} FROM runs WHERE id = $id", null, ("$id", runId)).ExecuteReader();
            return r.Read() ? ReadRun(r) : null;
        }
    }

    private RunRecord ReadRun(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4), RunStatusOf(r.GetString(5), r.GetString(0)),
            r.IsDBNull(6) ? null : r.GetString(6))
        {
            Process = r.IsDBNull(7) ? null : new RunProcess(r.GetString(7), r.GetInt32(8), r.GetInt64(9)),
            LastSeenAtMs = r.GetInt64(10),
        };

    public void StartRun(string runId, string env, string command)
    {
        var process = RunProcess.Current;
        using (Writer()) Execute("""
            INSERT INTO runs (id, env, command, started_at_ms, status, host, pid, process_started_at_ms)
            VALUES ($id, $env, $command, $at, $status, $host, $pid, $process_started)
            """, null, ("$id", runId), ("$env", env), ("$command", command), ("$at", Now), ("$status", Stored(RunStatus.Running)),
            ("$host", process.Host), ("$pid", process.Pid), ("$process_started", process.StartedAtMs));
    }

    public RunProcess? ProcessOf(string runId)
    {
        using (Writer())
        {
            var cmd = Command("SELECT host, pid, process_started_at_ms FROM runs WHERE id = $id AND host IS NOT NULL", null, ("$id", runId));
            using var r = cmd.ExecuteReader();
            return r.Read() ? new RunProcess(r.GetString(0), r.GetInt32(1), r.GetInt64(2)) : null;
        }
    }

    public void FinishRun(string runId, RunStatus status, string summaryJson)
    {
        using (Writer()) Execute("UPDATE runs SET finished_at_ms = $at, status = $status, summary_json = $summary WHERE id = $id", null,
            ("$id", runId), ("$at", Now), ("$status", Stored(status)), ("$summary", summaryJson));
    }
}
