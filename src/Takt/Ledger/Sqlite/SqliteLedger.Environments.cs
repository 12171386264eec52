namespace Takt.Ledger.Sqlite;

/// <summary>Environments and deploys (see <see cref="IEnvironmentLedger"/>).</summary>
public sealed partial class SqliteLedger
{
    public IReadOnlyList<string> Environments()
    {
        using (Writer())
        {
            var cmd = Command("SELECT name FROM environments ORDER BY name = 'prod' DESC, name", null);
            var result = new List<string>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) result.Add(r.GetString(0));
            return result;
        }
    }

    public bool EnvironmentExists(string env)
    {
        using (Writer()) return Scalar<long>("SELECT count(*) FROM environments WHERE name = $env", null, ("$env", env)) > 0;
    }

    public void EnsureEnvironment(string env)
    {
        using (Writer()) Execute("INSERT OR IGNORE INTO environments VALUES ($env, $at)", null, ("$env", env), ("$at", Now));
    }

    public void DropEnvironment(string env)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            Execute($"DELETE FROM box_rows WHERE env = {StringId("$env")}", tx, ("$env", env));
            foreach (var table in new[] { "stamps", "deployments" })
                Execute($"DELETE FROM {table} WHERE env = $env", tx, ("$env", env));
            Execute("DELETE FROM environments WHERE name = $env", tx, ("$env", env));
            InsertEvent(EventKind.EnvDrop, env, null, null, null, $"environment {env} dropped (pointers only)", tx);
            tx.Commit();
        }
    }

    public long DifferingBoxes(string env, string against)
    {
        using (Writer()) return Scalar<long>("""
            SELECT count(*) FROM (
                SELECT x.dataset, x.box FROM boxes x WHERE x.env = $a AND NOT EXISTS (
                    SELECT 1 FROM boxes y WHERE y.env = $b AND y.dataset = x.dataset AND y.box = x.box AND y.current_version IS x.current_version)
                UNION
                SELECT x.dataset, x.box FROM boxes x WHERE x.env = $b AND NOT EXISTS (
                    SELECT 1 FROM boxes y WHERE y.env = $a AND y.dataset = x.dataset AND y.box = x.box AND y.current_version IS x.current_version))
            """, null, ("$a", env), ("$b", against));
    }


    public string? DeployedCodeHash(string env, string dataset)
    {
        using (Writer()) return Scalar<string?>("SELECT code_hash FROM deployments WHERE env = $env AND dataset = $dataset ORDER BY at_ms DESC LIMIT 1",
            null, ("$env", env), ("$dataset", dataset));
    }

    public bool RecordDeploy(string env, string dataset, string? previousHash, string codeHash, string? gitCommit)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            var deployed = Scalar<string?>("SELECT code_hash FROM deployments WHERE env = $env AND dataset = $dataset ORDER BY at_ms DESC LIMIT 1",
                tx, ("$env", env), ("$dataset", dataset));
            if (deployed != previousHash) return false; // another build recorded a deploy since the caller looked
            Execute("INSERT OR REPLACE INTO deployments VALUES ($env, $dataset, $code, $previous, $git, $at)", tx,
                ("$env", env), ("$dataset", dataset), ("$code", codeHash), ("$previous", previousHash), ("$git", gitCommit), ("$at", Now));
            InsertEvent(EventKind.Deploy, env, dataset, null, null,
                $"{dataset} code {previousHash?[..8] ?? "(none)"} -> {codeHash[..8]}{(gitCommit is null ? "" : $" at git {gitCommit[..Math.Min(12, gitCommit.Length)]}")}", tx);
            tx.Commit();
            return true;
        }
    }
}
