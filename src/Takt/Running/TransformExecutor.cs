using DuckDB.NET.Data;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Engine;
using Takt.Lake;
using Takt.Ledger;

namespace Takt.Running;

/// <summary>Builds one box of a transform: resolve the exact input versions, reuse by recipe, or compute, check and commit.</summary>
/// <remarks>
/// An input of this run placed but not yet committed (<see cref="PlacedVersions"/>) is read as if committed; the box then
/// commits after it, or not at all when it does not commit.
/// </remarks>
internal sealed class TransformExecutor(Workspace ws, string runId, IReadOnlyDictionary<string, BoxRange> extents, LeaseKeeper leases, ComputeSlots slots,
    PlacedVersions placed)
{
    public TaskOutcome Execute(Dataset dataset, long box, long? taskId, int attempt, List<string> log)
    {
        var boxKey = dataset.BoxKey(box);
        var resolved = ResolveInputs(dataset, box);
        if (resolved.Held is not null) return resolved.Held;
        var (inputs, pending) = (resolved.Inputs, resolved.Placed);

        var codeHash = ws.Factory.CodeHashOf(dataset.Name);
        var generation = ws.Ledger.Generations(dataset.Name, BoxRange.Single(box)).Of(box);
        var versionId = Recipe.ForTransform(dataset.Name, box, codeHash, generation, inputs);

        if (Reuse(dataset, boxKey, versionId, inputs, pending) is { } reused) return reused;
        if (!leases.Acquire(versionId, () => ws.Ledger.FindVersion(versionId) is { HasFiles: true }))
            return Reuse(dataset, boxKey, versionId, inputs, pending) ?? throw new ProcessingException($"another build holds {dataset.Name}@{boxKey} and did not finish it") { Transient = true };
        try
        {
            if (Reuse(dataset, boxKey, versionId, inputs, pending) is { } raced) return raced;
            var staging = ws.Lake.CreateStaging(runId, $"{dataset.Name}-{boxKey}-{attempt}");
            var shapes = Shapes(inputs, pending); // from the ledger, not a scan
            var rowsIn = shapes.Values.Sum(s => s.Rows);
            var smallWork = shapes.Values.Sum(s => s.Bytes) <= DuckDbPool.SmallWorkBytes;
            var schemaKey = OutputSchemas.KeyOf(dataset, codeHash, inputs, shapes);
            var views = inputs.GroupBy(i => i.Dataset).Select(group =>
            {
                var inputDataset = ws.Factory[group.Key];
                var files = InputPaths(group.Select(i => new VersionLocation(i.Dataset, inputDataset.BoxKey(i.Box), i.VersionId)).ToArray(), pending);
                var schemas = group.Select(i => shapes.GetValueOrDefault(i.VersionId)?.SchemaJson).Distinct().ToList();
                return (Dataset: group.Key, Files: files, inputDataset.Schema, OneSchema: schemas is [not null]);
            }).ToList();
            CheckedVersion staged;
            using (slots.Take())
            using (var lease = ws.DuckDb.Rent(smallWork))
            {
                var db = lease.Session;
                foreach (var view in views) db.CreateDatasetView(view.Dataset, view.Files, view.Schema, view.OneSchema);
                var output = Path.Combine(staging, StagedVersion.DataFile);
                var sw = System.Diagnostics.Stopwatch.StartNew();
                var rows = dataset.Transform switch
                {
                    SqlTransform sql => RunSql(db, dataset, box, sql, output),
                    RowTransform rowTransform => RunRows(db, dataset, box, rowTransform, output, log),
                    _ => throw new InvalidOperationException($"{dataset.Name} has no transform."),
                };
                log.Add($"computed {rows} rows from {rowsIn} input rows in {sw.ElapsedMilliseconds} ms");
                FaultInjection.Hit("after-stage");
                staged = StagedVersion.Check(ws, db, dataset, box, versionId, codeHash, generation, staging, inputs, [], rowsIn, rows, runId, schemaKey,
                    placed: placed);
            }
            return StagedVersion.Commit(ws, dataset, staged, taskId, placed, pending.Select(p => p.Ticket).ToList());
        }
        finally
        {
            leases.Release(versionId);
        }
    }

    private TaskOutcome? Reuse(Dataset dataset, string boxKey, string versionId, IReadOnlyList<LineageEdge> inputs, IReadOnlyList<PlacedVersion> pending)
    {
        var existing = ws.Ledger.FindVersion(versionId);
        if (existing is null || !existing.HasFiles) return null; // never built, or its files are gone: (re)build it
        if (NotCommitted(pending) is { } input) // the pointer may move to a version only once its inputs are committed
            return TaskOutcome.Held(BuildStatus.Skipped, $"skipped: {dataset.Name}@{boxKey} not adopted: its input {input.Request.Version.Dataset}@{input.Request.Version.BoxKey} was not committed")
                with { InputNotCommitted = true };
        if (existing.Status.IsUsable())
        {
            if (ws.Ledger.Adopt(ws.Env, existing, inputs) == CommitOutcome.FilesGone) return null; // gc took it meanwhile
            return new TaskOutcome(BuildStatus.Reused, versionId, 0, existing.Rows, "same recipe already built", []);
        }
        if (ws.Ledger.MarkQuarantined(ws.Env, existing) == CommitOutcome.FilesGone) return null;
        var failed = ws.Ledger.CheckResults(versionId).Where(c => !c.Passed).ToList();
        return new TaskOutcome(BuildStatus.Quarantined, versionId, 0, existing.Rows, StagedVersion.StopMessage(dataset, boxKey, failed), failed);
    }

    /// <summary>Waits for the commit of placed inputs; the first that did not commit, or null.</summary>
    private static GroupCommit.Ticket? NotCommitted(IReadOnlyList<PlacedVersion> pending)
    {
        foreach (var input in pending)
        {
            try { input.Ticket.Await(); }
            catch (Exception e) when (e is not OutOfMemoryException) { } // its own task reports the error
            if (!input.Ticket.CommittedCurrent) return input.Ticket;
        }
        return null;
    }

    private IReadOnlyDictionary<string, VersionShape> Shapes(IReadOnlyList<LineageEdge> inputs, IReadOnlyList<PlacedVersion> pending)
    {
        var placedIds = pending.Select(p => p.VersionId).ToHashSet();
        var shapes = ws.Ledger.Shapes(inputs.Select(i => i.VersionId).Where(id => !placedIds.Contains(id)).Distinct().ToArray()).ToDictionary();
        foreach (var p in pending) shapes[p.VersionId] = p.Shape;
        return shapes;
    }

    /// <summary>The files of input versions in order; placed ones are not in the ledger yet, their task gave their paths.</summary>
    private IReadOnlyList<string> InputPaths(VersionLocation[] versions, IReadOnlyList<PlacedVersion> pending)
    {
        if (pending.Count == 0) return ws.Files.Paths(versions);
        return versions.SelectMany(v => pending.FirstOrDefault(p => p.VersionId == v.VersionId)?.Paths ?? ws.Files.Paths(v)).ToList();
    }

    /// <summary>The exact input versions, and of them those placed by this run and not committed when looked up.</summary>
    private (IReadOnlyList<LineageEdge> Inputs, IReadOnlyList<PlacedVersion> Placed, TaskOutcome? Held) ResolveInputs(Dataset dataset, long box)
    {
        var edges = new List<LineageEdge>();
        var placedEdges = new List<PlacedVersion>();
        foreach (var input in dataset.Inputs)
        {
            var inputDataset = ws.Factory[input.Dataset];
            var extent = extents[input.Dataset];
            var range = input.Mapping.NeededInputs(BoxRange.Single(box), dataset.Grain, inputDataset.Grain, extent);
            if (range.End > extent.End)
                return ([], [], TaskOutcome.Held(BuildStatus.Skipped,
                    $"waiting: {input.Dataset}@{inputDataset.BoxKeys(new BoxRange(Math.Max(range.Start, extent.End + 1), range.End))} does not exist yet"));
            // The placed versions first, the ledger after: a placed version that commits in between is then in what the
            // ledger answers (read the other way round, it was in neither, and its reader was skipped as "waiting").
            var placedInputs = new Dictionary<long, PlacedVersion>();
            for (var b = range.Start; b <= range.End; b++)
                if (placed.Find(input.Dataset, b) is { } version) placedInputs[b] = version;
            var states = range.IsEmpty ? [] : ws.Ledger.Boxes(ws.Env, input.Dataset, range).ToDictionary(s => s.Box);
            for (var b = range.Start; b <= range.End; b++)
            {
                if (placedInputs.TryGetValue(b, out var version))
                {
                    edges.Add(new LineageEdge(input.Dataset, b, version.VersionId));
                    placedEdges.Add(version);
                    continue;
                }
                if (!states.TryGetValue(b, out var state) || (state.CurrentVersion is null && !state.IsQuarantined))
                    return ([], [], TaskOutcome.Held(BuildStatus.Skipped, $"waiting: {input.Dataset}@{inputDataset.BoxKey(b)} has no usable version"));
                if (state.IsQuarantined)
                    return ([], [], TaskOutcome.Held(BuildStatus.Blocked, $"blocked: {input.Dataset}@{inputDataset.BoxKey(b)} is stopped by a check"));
                edges.Add(new LineageEdge(input.Dataset, b, state.CurrentVersion!));
            }
        }
        return (edges, placedEdges, null);
    }

    /// <summary>
    /// Runs the query with its box set as DuckDB variables (<see cref="BoxVariables"/>). They need nothing in the recipe
    /// beyond what is there: start, end, key and grain are functions of the dataset's grain (in its code hash) and the
    /// box (in the recipe itself).
    /// </summary>
    private static long RunSql(DuckDbSession db, Dataset dataset, long box, SqlTransform sql, string output)
    {
        db.SetBox(dataset.Grain, box);
        try { return db.CopyToParquet(sql.Sql.Trim().TrimEnd(';'), output); }
        catch (EngineException e) { throw new ProcessingException($"SQL {sql.RelativePath} failed: {e.Message}", e); }
    }

    private long RunRows(DuckDbSession db, Dataset dataset, long box, RowTransform transform, string output, List<string> log)
    {
        var table = "__rows_out";
        db.Execute($"CREATE OR REPLACE TEMP TABLE {table} ({string.Join(", ", dataset.Schema.Columns.Select(c => $"{SqlText.Identifier(c.Name)} {c.Type.SqlName}"))})");
        try
        {
            var context = new DuckDbRowContext(db, dataset, box, log);
            using (var appender = db.Connection.CreateAppender(table))
            {
                foreach (var values in transform.Function(context))
                {
                    if (values.Length != dataset.Schema.Columns.Count)
                        throw new ProcessingException($"{dataset.Name}: the C# transform returned a row of {values.Length} values; the schema declares {dataset.Schema.Columns.Count}.");
                    var row = appender.CreateRow();
                    foreach (var value in values) AppendValue(row, value);
                    row.EndRow();
                }
            }
            return db.CopyToParquet($"SELECT * FROM {table}", output);
        }
        finally
        {
            db.Execute($"DROP TABLE IF EXISTS {table}");
        }
    }

    private static void AppendValue(IDuckDBAppenderRow row, object? value)
    {
        switch (value)
        {
            case null: row.AppendNullValue(); break;
            case string s: row.AppendValue(s); break;
            case bool b: row.AppendValue(b); break;
            case int i: row.AppendValue(i); break;
            case long l: row.AppendValue(l); break;
            case double d: row.AppendValue(d); break;
            case float f: row.AppendValue((double)f); break;
            case decimal m: row.AppendValue(m); break;
            case DateTime t: row.AppendValue(t); break;
            case DateOnly d: row.AppendValue((DateOnly?)d); break;
            default: throw new ProcessingException($"The C# transform returned a value of type {value.GetType().Name}, which Takt cannot store.");
        }
    }

    private sealed class DuckDbRowContext(DuckDbSession db, Dataset dataset, long box, List<string> log) : RowTransformContext
    {
        public override string Box => dataset.BoxKey(box);
        public override DateTime BoxStartUtc => GrainMath.Start(dataset.Grain, box);
        public override DateTime BoxEndUtc => GrainMath.End(dataset.Grain, box) ?? DateTime.MaxValue;
        public override void Log(string message) => log.Add(message);

        public override IEnumerable<Row> Rows(string inputDataset)
        {
            if (dataset.Inputs.All(i => i.Dataset != inputDataset))
                throw new ProcessingException($"{dataset.Name} does not declare '{inputDataset}' as an input.");
            using var cmd = db.Command($"SELECT * FROM {SqlText.DatasetName(inputDataset)}");
            using var reader = cmd.ExecuteReader();
            var ordinals = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => i);
            while (reader.Read())
            {
                var values = new object?[reader.FieldCount];
                for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                yield return new Row(ordinals, values);
            }
        }
    }
}
