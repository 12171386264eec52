using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Ledger.Sqlite;
using Takt.Running;

namespace Takt.Bench;

internal enum FillMode { Api, Direct }

internal sealed record FillResult(FillMode Mode, long Boxes, long Edges, TimeSpan Elapsed, long DatabaseBytes);

/// <summary>
/// Leaves the ledger as a complete build of every box would: per box a committed version named by its recipe, its
/// lineage, and the box pointing at it with head_status ok, today's code hash, generation 0 and a change sequence
/// given in build order (so every box's seq is above the seqs of all the boxes it reads), the source heads and a
/// deploy per dataset.
/// Either through <see cref="ILedger.Commit"/>, one transaction per box as a build does it, or by writing the same
/// rows directly in one transaction.
/// </summary>
internal static class LedgerFill
{
    public const string Env = "prod";
    public const string RunId = "bench-fill";
    /// <summary>Fixed so that both fill modes write byte-identical rows.</summary>
    private const long CreatedAtMs = 1_735_689_600_000;

    public static FillResult Fill(Factory factory, string ledgerPath, long firstBox, int days, FillMode mode, Action<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        // Opening the ledger once creates the schema (the migrations) either way.
        using (var ledger = new SqliteLedger(ledgerPath))
        {
            if (ledger.CurrentSeq() != 0) throw new InvalidOperationException($"{ledgerPath} is not a fresh ledger.");
            // As BuildService.Build does before anything else: the environment, and a deploy per dataset.
            ledger.EnsureEnvironment(Env);
            foreach (var dataset in factory.Datasets) ledger.RecordDeploy(Env, dataset.Name, null, factory.CodeHashOf(dataset.Name), null);
            if (mode == FillMode.Api)
            {
                var (boxes, edges) = Generate(factory, firstBox, days, (version, inputs) =>
                {
                    var outcome = ledger.Commit(new CommitRequest(Env, version, inputs, [], null));
                    if (outcome != CommitOutcome.Committed)
                        throw new InvalidOperationException($"Commit of {version.Dataset}@{version.BoxKey} returned {outcome}, expected Committed.");
                    // As SourceExecutor.Execute: what landed last for the source box.
                    if (inputs.Count == 0 && factory[version.Dataset].IsSource) ledger.SetSourceHead(version.Dataset, version.Box, version.Id);
                }, progress, clock);
                return new FillResult(mode, boxes, edges, clock.Elapsed, DatabaseBytes(ledgerPath));
            }
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = ledgerPath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        connection.Open();
        Exec(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -262144;");
        using var tx = connection.BeginTransaction(deferred: false);

        // The tables of migration 14: texts once in strings, versions by vid (given here in commit order, as the ledger would).
        using var intern = Prepare(connection, tx, "INSERT INTO strings (text) VALUES ($text) ON CONFLICT (text) DO UPDATE SET text = excluded.text RETURNING id", "$text");
        var strings = new Dictionary<string, long>(StringComparer.Ordinal);
        long Intern(string text)
        {
            if (strings.TryGetValue(text, out var id)) return id;
            intern.Parameters[0].Value = text;
            return strings[text] = (long)intern.ExecuteScalar()!;
        }
        using var version = Prepare(connection, tx, """
            INSERT INTO version_rows (vid, id, dataset, box, box_key, code, generation, status, rows, bytes, schema, created_at_ms, run, task_id)
            VALUES ($vid, $id, $dataset, $box, $key, $code, $gen, $status, $rows, $bytes, $schema, $at, $run, NULL)
            """, "$vid", "$id", "$dataset", "$box", "$key", "$code", "$gen", "$status", "$rows", "$bytes", "$schema", "$at", "$run");
        using var lineage = Prepare(connection, tx, "INSERT INTO lineage_rows VALUES ($vid, $inputs)", "$vid", "$inputs");
        using var box = Prepare(connection, tx, "INSERT INTO box_rows VALUES ($env, $dataset, $box, $current, $head, 'ok', $seq)",
            "$env", "$dataset", "$box", "$current", "$head", "$seq");
        using var sourceHead = Prepare(connection, tx, "INSERT OR REPLACE INTO source_heads VALUES ($dataset, $box, $version)", "$dataset", "$box", "$version");
        long seq = 0, vid = 0;
        var firstVid = new Dictionary<string, long>(StringComparer.Ordinal); // a dataset's boxes get consecutive vids from its first box on

        var (boxCount, edgeCount) = Generate(factory, firstBox, days, (v, inputs) =>
        {
            var dataset = Intern(v.Dataset);
            Run(version, ++vid, v.Id, dataset, v.Box, v.BoxKey, Intern(v.CodeHash), v.Generation, v.Status.ToText(), v.Rows, v.Bytes, Intern(v.SchemaJson), v.CreatedAtMs,
                v.RunId is null ? null : Intern(v.RunId));
            if (v.Box == firstBox) firstVid[v.Dataset] = vid;
            if (inputs.Count > 0)
            {
                var canonical = LineageCodec.Canonical(inputs);
                Run(lineage, vid, LineageCodec.EncodeKeyed(canonical,
                    [.. canonical.Select(e => new LineageCodec.Key(Intern(e.Dataset), firstVid[e.Dataset] + (e.Box - firstBox)))]));
            }
            Run(box, Intern(Env), dataset, v.Box, vid, vid, ++seq);
            if (factory[v.Dataset].IsSource) Run(sourceHead, v.Dataset, v.Box, v.Id);
        }, progress, clock);

        Exec(connection, "UPDATE counters SET value = $seq WHERE name = 'seq'", tx, ("$seq", seq));
        tx.Commit();
        Exec(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        return new FillResult(mode, boxCount, edgeCount, clock.Elapsed, DatabaseBytes(ledgerPath));
    }

    /// <summary>
    /// Every box of every dataset with the exact input versions it reads: the sources first (a build ingests before it
    /// plans), then the transforms in topological order, each dataset's boxes in order.
    /// </summary>
    private static (long Boxes, long Edges) Generate(Factory factory, long firstBox, int days, Action<VersionRecord, IReadOnlyList<LineageEdge>> commit,
        Action<string>? progress, Stopwatch clock)
    {
        var extent = new BoxRange(firstBox, firstBox + days - 1);
        var current = new Dictionary<string, string[]>();
        long boxes = 0, edges = 0;
        var done = 0;
        foreach (var dataset in factory.Datasets.Where(d => d.IsSource).Concat(factory.Datasets.Where(d => !d.IsSource)))
        {
            if (dataset.Grain is not (Grain.Daily or Grain.Hourly)) throw new InvalidOperationException($"{dataset.Name}: the bench only fills daily and hourly datasets.");
            var codeHash = factory.CodeHashOf(dataset.Name);
            var ids = new string[days];
            var inputs = new List<LineageEdge>();
            for (var i = 0; i < days; i++)
            {
                var b = firstBox + i;
                var key = dataset.BoxKey(b);
                inputs.Clear();
                string id;
                long rows;
                string schema;
                if (dataset.Source is { } source)
                {
                    var path = source.Pattern.Replace(LandingSource.BoxPlaceholder, key);
                    id = Recipe.ForSource(dataset.Name, b, codeHash, 0, [(path, Hashing.Hex(path))]);
                    rows = 100;
                    schema = """[{"name":"x","type":"BIGINT"}]""";
                }
                else
                {
                    foreach (var input in dataset.Inputs)
                    {
                        var inputDataset = factory[input.Dataset];
                        // As TransformExecutor.ResolveInputs: the mapping's boxes, clipped to the input's extent.
                        var range = input.Mapping.InputsOf(BoxRange.Single(b), dataset.Grain, inputDataset.Grain, extent).Intersect(extent);
                        var inputIds = current[input.Dataset];
                        for (var r = range.Start; r <= range.End; r++) inputs.Add(new LineageEdge(input.Dataset, r, inputIds[r - firstBox]));
                    }
                    id = Recipe.ForTransform(dataset.Name, b, codeHash, 0, inputs);
                    rows = 1;
                    schema = """[{"name":"x","type":"INTEGER"}]""";
                }
                ids[i] = id;
                commit(new VersionRecord(id, dataset.Name, b, key, codeHash, 0, VersionStatus.Committed, rows, 512, schema, CreatedAtMs, RunId), inputs);
                boxes++;
                edges += inputs.Count;
            }
            current[dataset.Name] = ids;
            done++;
            if (progress is not null && (done % 10 == 0 || done == factory.Datasets.Count))
                progress($"  filled {done}/{factory.Datasets.Count} datasets, {boxes:N0} boxes, {clock.Elapsed.TotalSeconds:F1} s");
        }
        return (boxes, edges);
    }

    /// <summary>Rows of the tables a fill writes, in a canonical order, for comparing two fills.</summary>
    public static IEnumerable<string> Dump(string ledgerPath)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = ledgerPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        foreach (var sql in new[]
                 {
                     "SELECT 'counter', name, value FROM counters ORDER BY name",
                     "SELECT 'box', * FROM boxes ORDER BY env, dataset, box",
                     "SELECT 'version', id, dataset, box, box_key, code_hash, generation, status, rows, bytes, schema_json, created_at_ms, run_id, task_id FROM versions ORDER BY id",
                     "SELECT 'input', version_id, hex(inputs) FROM version_lineage ORDER BY version_id",
                     "SELECT 'stamp', * FROM stamps ORDER BY env, dataset",
                                          "SELECT 'event', kind, env, dataset, box_key, version_id, message FROM events ORDER BY id",
                     "SELECT 'environment', name FROM environments ORDER BY name",
                     "SELECT 'source_head', * FROM source_heads ORDER BY dataset, box",
                     "SELECT 'deployment', env, dataset, code_hash, previous_hash, git_commit FROM deployments ORDER BY env, dataset, code_hash",
                 })
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            using var r = cmd.ExecuteReader();
            var values = new object[r.FieldCount];
            while (r.Read())
            {
                r.GetValues(values);
                yield return string.Join('|', values.Select(v => v is DBNull ? "NULL" : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
    }

    public static long DatabaseBytes(string ledgerPath) =>
        new[] { ledgerPath, ledgerPath + "-wal", ledgerPath + "-shm" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction tx, string sql, params string[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var name in parameters) cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
        cmd.Prepare();
        return cmd;
    }

    private static void Run(SqliteCommand cmd, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        cmd.ExecuteNonQuery();
    }

    private static void Exec(SqliteConnection connection, string sql, SqliteTransaction? tx = null, params (string Name, object Value)[] parameters)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        cmd.ExecuteNonQuery();
    }
}
