using Takt.Boxes;
using Takt.Checks;
using Takt.Definitions;
using Takt.Engine;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Ingest;

/// <summary>
/// Turns the landing files of one source box into a version: named by content, checked for malformed rows and
/// schema drift against the declared schema, converted to the declared types, then checked and committed.
/// </summary>
internal sealed class SourceExecutor(Workspace ws, string runId, LeaseKeeper leases, ComputeSlots slots)
{
    private const int SampleLines = 5;

    public TaskOutcome Execute(Dataset dataset, long box, IReadOnlyList<LandingFile> files, long? taskId, int attempt, List<string> log)
    {
        var outcome = Ingest(dataset, box, files, taskId, attempt, log);
        if (outcome.VersionId is not null) ws.Ledger.SetSourceHead(dataset.Name, box, outcome.VersionId);
        return outcome;
    }

    private TaskOutcome Ingest(Dataset dataset, long box, IReadOnlyList<LandingFile> files, long? taskId, int attempt, List<string> log)
    {
        var source = dataset.Source!;
        var boxKey = dataset.BoxKey(box);
        if (files.Count == 0) return TaskOutcome.Held(BuildStatus.Failed, $"{dataset.Name}@{boxKey}: no landing files match '{source.Pattern}' for this box");
        var codeHash = ws.Factory.CodeHashOf(dataset.Name);
        var generation = ws.Ledger.Generations(dataset.Name, BoxRange.Single(box)).Of(box);
        var versionId = Recipe.ForSource(dataset.Name, box, codeHash, generation, files.Select(f => (f.RelativePath, Hashing.FileSha256(f.FullPath))));

        if (Reuse(dataset, boxKey, versionId) is { } reused) return reused;
        if (!leases.Acquire(versionId, () => ws.Ledger.FindVersion(versionId) is { HasFiles: true }))
            return Reuse(dataset, boxKey, versionId) ?? throw new ProcessingException($"another build holds {dataset.Name}@{boxKey} and did not finish it");
        try
        {
            if (Reuse(dataset, boxKey, versionId) is { } raced) return raced;
            var staging = ws.Lake.CreateStaging(runId, $"{dataset.Name}-{boxKey}-{attempt}");
            var staged = Stage(dataset, box, files, versionId, codeHash, generation, staging, log);
            return StagedVersion.Commit(ws, dataset, staged, taskId);
        }
        finally
        {
            leases.Release(versionId);
        }
    }

    /// <summary>Loads the landing files, converts them to the declared types into the staging directory, and checks the result.</summary>
    private CheckedVersion Stage(Dataset dataset, long box, IReadOnlyList<LandingFile> files, string versionId, string codeHash, int generation,
        string staging, List<string> log)
    {
        var source = dataset.Source!;
        var boxKey = dataset.BoxKey(box);
        using var slot = slots.Take();
        using var lease = ws.DuckDb.Rent(smallWork: files.Sum(f => f.Size) <= DuckDbPool.SmallWorkBytes);
        var db = lease.Session;
        var (columns, syntaxErrors) = RawLoader.Load(db, source.Format, files);
        var checks = new List<CheckResult>();
        if (source.IsSplit) checks.Add(KeepOnlyThisBox(db, dataset, box, columns));
        var rowsIn = db.Scalar<long>($"SELECT count(*) FROM {RawLoader.Table}");
        var drift = DetectDrift(db, dataset.Schema, columns);
        var badValues = FindBadValues(db, dataset.Schema, columns, drift.Retyped);
        var malformed = syntaxErrors.Concat(badValues.Lines).ToList();
        var malformedCount = syntaxErrors.Count + badValues.Count;

        var typed = string.Join(", ", dataset.Schema.Columns.Select(c => $"{TypedValue(c, columns)} AS {SqlText.Identifier(c.Name)}"));
        var where = badValues.Condition;
        var rows = db.CopyToParquet($"SELECT {typed} FROM {RawLoader.Table} WHERE {where} ORDER BY {RawLoader.FileColumn}, {RawLoader.LineColumn}",
            Path.Combine(staging, StagedVersion.DataFile));
        log.Add($"read {rowsIn} rows from {files.Count} file(s), kept {rows}");

        checks.AddRange(
        [
            new("well_formed", "well_formed", "block", malformedCount == 0, malformedCount,
                malformedCount == 0 ? "ok" : $"{malformedCount} malformed row(s): {string.Join("; ", malformed.Take(SampleLines).Select(RawLoader.Describe))}"),
            new("schema_drift", "schema_drift", source.SchemaDriftSeverity.ToString().ToLowerInvariant(), drift.IsEmpty, drift.Count, drift.IsEmpty ? "ok" : drift.Describe()),
        ]);
        if (!drift.IsEmpty)
            ws.Ledger.RecordEvent("schema_drift", ws.Env, dataset.Name, boxKey, versionId, $"{dataset.Name}@{boxKey}: {drift.Describe()}");
        return StagedVersion.Check(ws, db, dataset, box, versionId, codeHash, generation, staging, [], checks, rowsIn, rows, runId);
    }

    private TaskOutcome? Reuse(Dataset dataset, string boxKey, string versionId)
    {
        var existing = ws.Ledger.FindVersion(versionId);
        if (existing is null || !existing.HasFiles) return null; // never ingested, or its files are gone: ingest it again
        if (VersionStatus.IsUsable(existing.Status))
        {
            var moved = ws.Ledger.Adopt(ws.Env, existing, []);
            if (moved == CommitOutcome.FilesGone) return null; // gc took it meanwhile
            return new TaskOutcome(moved == CommitOutcome.Committed ? BuildStatus.Built : BuildStatus.Reused, versionId, 0, existing.Rows, "same landed content as an earlier version", []);
        }
        if (ws.Ledger.MarkQuarantined(ws.Env, existing) == CommitOutcome.FilesGone) return null;
        var failed = ws.Ledger.CheckResults(versionId).Where(c => !c.Passed).ToList();
        return new TaskOutcome(BuildStatus.Quarantined, versionId, 0, existing.Rows, StagedVersion.StopMessage(dataset, boxKey, failed), failed);
    }

    /// <summary>
    /// Cuts a split source's rows down to this box. Rows whose timestamp is missing or unreadable belong to no box:
    /// they are reported as a warning on every box of their files, never dropped silently.
    /// </summary>
    private static CheckResult KeepOnlyThisBox(DuckDbSession db, Dataset dataset, long box, IReadOnlyList<string> columns)
    {
        var splitBy = dataset.Source!.SplitBy!;
        var split = TypedValue(dataset.Schema.Find(splitBy)!, columns);
        var unplaced = db.Rows($"SELECT {RawLoader.FileColumn}, {RawLoader.LineColumn} FROM {RawLoader.Table} WHERE {split} IS NULL ORDER BY 1, 2");
        db.Execute($"DELETE FROM {RawLoader.Table} WHERE {split} IS NULL OR {split} < $box_start OR {split} >= $box_end",
            ("box_start", GrainMath.Start(dataset.Grain, box)), ("box_end", GrainMath.Start(dataset.Grain, box + 1)));
        var name = $"split_by({splitBy})";
        return new CheckResult(name, "split_by", "warn", unplaced.Count == 0, unplaced.Count, unplaced.Count == 0 ? "ok"
            : $"{unplaced.Count} row(s) have no readable {splitBy} and belong to no box: " +
              string.Join("; ", unplaced.Take(SampleLines).Select(r => RawLoader.Describe(new MalformedLine((string)r[0]!, Convert.ToInt64(r[1]), $"no {splitBy}")))));
    }

    private static string TypedValue(Column column, IReadOnlyList<string> present)
    {
        if (!present.Contains(column.Name)) return $"CAST(NULL AS {column.Type.SqlName})";
        var name = SqlText.Identifier(column.Name);
        return column.Type == ColumnType.Timestamp
            ? $"TRY_CAST(TRY_CAST({name} AS TIMESTAMPTZ) AS TIMESTAMP)"
            : $"TRY_CAST({name} AS {column.Type.SqlName})";
    }

    private static SchemaDrift DetectDrift(DuckDbSession db, Schema schema, IReadOnlyList<string> present)
    {
        var added = present.Where(c => schema.Find(c) is null).ToList();
        var removed = schema.Columns.Where(c => !present.Contains(c.Name)).Select(c => c.Name).ToList();
        var retyped = new List<string>();
        foreach (var column in schema.Columns.Where(c => present.Contains(c.Name) && c.Type != ColumnType.String))
        {
            var name = SqlText.Identifier(column.Name);
            var counts = db.Rows($"SELECT count({name}), count(*) FILTER (WHERE {name} IS NOT NULL AND {TypedValue(column, present)} IS NULL) FROM {RawLoader.Table}")[0];
            var nonNull = Convert.ToInt64(counts[0]);
            if (nonNull > 0 && Convert.ToInt64(counts[1]) == nonNull) retyped.Add($"{column.Name} (no value reads as {column.Type.SqlName})");
        }
        return new SchemaDrift(added, removed, retyped);
    }

    private static (string Condition, long Count, IReadOnlyList<MalformedLine> Lines) FindBadValues(DuckDbSession db, Schema schema, IReadOnlyList<string> present, IReadOnlyList<string> retyped)
    {
        var checkable = schema.Columns.Where(c => present.Contains(c.Name) && c.Type != ColumnType.String && !retyped.Any(r => r.StartsWith(c.Name + " ", StringComparison.Ordinal))).ToList();
        if (checkable.Count == 0) return ("true", 0, []);
        var bad = string.Join(" OR ", checkable.Select(c => $"({SqlText.Identifier(c.Name)} IS NOT NULL AND {TypedValue(c, present)} IS NULL)"));
        var count = db.Scalar<long>($"SELECT count(*) FROM {RawLoader.Table} WHERE {bad}");
        if (count == 0) return ("true", 0, []);
        var samples = db.Rows($"SELECT {RawLoader.FileColumn}, {RawLoader.LineColumn}, {string.Join(", ", checkable.Select(c => SqlText.Identifier(c.Name)))} FROM {RawLoader.Table} WHERE {bad} ORDER BY 1, 2 LIMIT {SampleLines}");
        var lines = samples.Select(r => new MalformedLine((string)r[0]!, Convert.ToInt64(r[1]),
            "unreadable value(s): " + string.Join(", ", checkable.Select((c, i) => (c, v: r[i + 2])).Where(x => x.v is not null).Select(x => $"{x.c.Name}='{x.v}'")))).ToList();
        return ($"NOT ({bad})", count, lines);
    }


    private sealed record SchemaDrift(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Retyped)
    {
        public IReadOnlyList<string> Retyped { get; } = Retyped;
        public bool IsEmpty => Count == 0;
        public int Count => Added.Count + Removed.Count + Retyped.Count;

        public string Describe() => string.Join("; ", new[]
        {
            Added.Count > 0 ? "column(s) added: " + string.Join(", ", Added) : null,
            Removed.Count > 0 ? "column(s) removed: " + string.Join(", ", Removed) : null,
            Retyped.Count > 0 ? "type changed: " + string.Join(", ", Retyped) : null,
        }.Where(s => s is not null));
    }
}
