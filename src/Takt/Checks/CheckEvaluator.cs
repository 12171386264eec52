using System.Globalization;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Engine;
using Takt.Ledger;

namespace Takt.Checks;

/// <summary>Runs a dataset's checks in DuckDB over a staged version exposed as the view <c>__data</c>.</summary>
internal static class CheckEvaluator
{
    public const string DataView = "__data";

    /// <summary>Checks a version without knowing its box or history: history checks pass for want of earlier boxes, freshness fails.</summary>
    /// <param name="referencedFiles">Files of the same box of another dataset, or null when that box has no usable version.</param>
    public static List<CheckResult> Evaluate(DuckDbSession db, Dataset dataset, Func<string, IReadOnlyList<string>?> referencedFiles) =>
        Evaluate(db, dataset, null, referencedFiles, NoCheckHistory.Instance);

    /// <param name="box">The box the version is of: freshness is measured against its end.</param>
    /// <param name="referencedFiles">Files of the same box of another dataset, or null when that box has no usable version.</param>
    /// <param name="history">The boxes before this one, for checks that judge a box against its past (volume anomaly).</param>
    /// <param name="locate">Where the first rows matching a SQL condition come from ("file line N; ..."), when the data has a place to point at (a source's landing files).</param>
    public static List<CheckResult> Evaluate(DuckDbSession db, Dataset dataset, long? box, Func<string, IReadOnlyList<string>?> referencedFiles, ICheckHistory history,
        Func<string, string?>? locate = null)
    {
        var results = new List<CheckResult>();
        if (HasSchemaContract(dataset)) results.Add(SchemaContract(db, dataset));
        var checks = ChecksOf(dataset).ToList();
        var nulls = NullCounts(db, checks.OfType<NotNullCheck>().ToList());
        foreach (var check in checks)
            results.Add(check is NotNullCheck n ? NotNull(n, nulls[n.Column], locate) : Evaluate(db, dataset, box, check, referencedFiles, history));
        return results;
    }

    /// <summary>The null counts of every not-null check's column in one scan (every required column has one).</summary>
    private static Dictionary<string, long> NullCounts(DuckDbSession db, IReadOnlyList<NotNullCheck> checks)
    {
        var columns = checks.Select(c => c.Column).Distinct().ToList();
        if (columns.Count == 0) return [];
        var row = db.Rows($"SELECT {string.Join(", ", columns.Select(c => $"count(*) FILTER (WHERE {SqlText.Identifier(c)} IS NULL)"))} FROM {DataView}")[0];
        return columns.Select((c, i) => (c, Convert.ToInt64(row[i], CultureInfo.InvariantCulture))).ToDictionary(x => x.c, x => x.Item2);
    }

    private static CheckResult NotNull(NotNullCheck check, long nulls, Func<string, string?>? locate)
    {
        var result = Result(check, nulls, nulls == 0 ? "ok" : $"{nulls} null value(s)");
        return result.Passed || locate?.Invoke($"{SqlText.Identifier(check.Column)} IS NULL") is not { } where ? result : result with { Message = $"{result.Message}: {where}" };
    }

    /// <summary>Whether <see cref="Evaluate(DuckDbSession, Dataset, long?, Func{string, IReadOnlyList{string}?}, ICheckHistory)"/> has anything to look at for this dataset.</summary>
    public static bool HasChecks(Dataset dataset) => HasSchemaContract(dataset) || ChecksOf(dataset).Any();

    /// <summary>
    /// The declared checks, then a blocking not-null check for every required column that has no declared one: a
    /// schema that says "never null" is a check like any other, for sources and transforms alike.
    /// </summary>
    public static IEnumerable<Check> ChecksOf(Dataset dataset)
    {
        var declared = dataset.Checks.OfType<NotNullCheck>().Select(c => c.Column).ToHashSet(StringComparer.Ordinal);
        return dataset.Checks.Concat(dataset.Schema.Columns.Where(c => !c.Nullable && !declared.Contains(c.Name)).Select(c => Check.NotNull(c.Name)));
    }

    private static bool HasSchemaContract(Dataset dataset) => dataset.Schema.IsDeclared && dataset.Transform is not null;

    public static bool StopsTheLine(IEnumerable<CheckResult> results) =>
        results.Any(r => !r.Passed && r.Severity == nameof(Severity.Block).ToLowerInvariant());

    private static CheckResult Evaluate(DuckDbSession db, Dataset dataset, long? box, Check check, Func<string, IReadOnlyList<string>?> referencedFiles,
        ICheckHistory history)
    {
        var column = check.Columns.Select(SqlText.Identifier).FirstOrDefault() ?? "";
        return check switch
        {
            UniqueCheck u => Duplicates(db, u),
            AcceptedValuesCheck a => AcceptedValues(db, a, column),
            RangeCheck r => Range(db, r, column),
            RowCountCheck rc => RowCount(db, rc),
            ReferentialCheck rf => Referential(db, rf, column, referencedFiles(rf.OtherDataset), dataset),
            VolumeAnomalyCheck va => VolumeAnomaly(db, va, dataset, history),
            FreshnessCheck f => Freshness(db, f, column, dataset, box),
            _ => throw new NotSupportedException($"Check kind {check.Kind} has no evaluator."),
        };
    }

    private static CheckResult Duplicates(DuckDbSession db, UniqueCheck check)
    {
        var key = string.Join(", ", check.KeyColumns.Select(SqlText.Identifier));
        var duplicates = db.Rows($"SELECT {key}, count(*) AS n FROM {DataView} GROUP BY ALL HAVING count(*) > 1 ORDER BY n DESC, {key} LIMIT 1000");
        if (duplicates.Count == 0) return Result(check, 0, "ok");
        var samples = string.Join(", ", duplicates.Take(3).Select(r => string.Join("/", r.Take(check.KeyColumns.Count).Select(Show))));
        return Result(check, duplicates.Count, $"{duplicates.Count}{(duplicates.Count == 1000 ? "+" : "")} duplicated key(s), e.g. {samples}");
    }

    private static CheckResult AcceptedValues(DuckDbSession db, AcceptedValuesCheck check, string column)
    {
        var bad = db.Rows($"SELECT CAST({column} AS VARCHAR) AS v, count(*) FROM {DataView} WHERE {column} IS NOT NULL AND NOT list_contains($accepted, CAST({column} AS VARCHAR)) GROUP BY 1 ORDER BY 2 DESC LIMIT 5",
            ("accepted", check.Values.ToList()));
        if (bad.Count == 0) return Result(check, 0, "ok");
        var failing = bad.Sum(r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture));
        return Result(check, failing, $"{failing} row(s) outside [{string.Join(", ", check.Values)}], e.g. {string.Join(", ", bad.Select(r => Show(r[0])))}");
    }

    private static CheckResult Range(DuckDbSession db, RangeCheck check, string column)
    {
        var conditions = new List<string>();
        if (check.Min is not null) conditions.Add($"{column} < $min");
        if (check.Max is not null) conditions.Add($"{column} > $max");
        var parameters = new List<(string, object?)>();
        if (check.Min is not null) parameters.Add(("min", check.Min.Value));
        if (check.Max is not null) parameters.Add(("max", check.Max.Value));
        var row = db.Rows($"SELECT count(*), min({column}), max({column}) FROM {DataView} WHERE {string.Join(" OR ", conditions)}", parameters.ToArray())[0];
        var failing = Convert.ToInt64(row[0], CultureInfo.InvariantCulture);
        var bounds = $"[{check.Min?.ToString(CultureInfo.InvariantCulture) ?? "-inf"}, {check.Max?.ToString(CultureInfo.InvariantCulture) ?? "+inf"}]";
        return Result(check, failing, failing == 0 ? "ok" : $"{failing} value(s) outside {bounds} (min {Show(row[1])}, max {Show(row[2])})");
    }

    private static CheckResult RowCount(DuckDbSession db, RowCountCheck check)
    {
        var rows = db.Scalar<long>($"SELECT count(*) FROM {DataView}");
        var ok = (check.Min is null || rows >= check.Min) && (check.Max is null || rows <= check.Max);
        return Result(check, ok ? 0 : 1, ok ? $"{rows} rows" : $"{rows} rows, expected {check.Min?.ToString(CultureInfo.InvariantCulture) ?? "0"}..{check.Max?.ToString(CultureInfo.InvariantCulture) ?? "any"}");
    }

    private static CheckResult Referential(DuckDbSession db, ReferentialCheck check, string column, IReadOnlyList<string>? files, Dataset dataset)
    {
        if (files is null) return Result(check, 1, $"{check.OtherDataset} has no usable version for this box to check against");
        db.CreateView("__referenced", files, Schema.Undeclared);
        var missing = db.Rows($"""
            SELECT CAST(d.{column} AS VARCHAR), count(*) FROM {DataView} d
            WHERE d.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM __referenced r WHERE r.{SqlText.Identifier(check.OtherColumn)} = d.{column})
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1000
            """);
        if (missing.Count == 0) return Result(check, 0, "ok");
        var failing = missing.Sum(r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture));
        return Result(check, failing, $"{failing} row(s) of {dataset.Name} refer to {check.OtherColumn} values missing from {check.OtherDataset}, e.g. {string.Join(", ", missing.Take(3).Select(r => Show(r[0])))}");
    }

    private static CheckResult VolumeAnomaly(DuckDbSession db, VolumeAnomalyCheck check, Dataset dataset, ICheckHistory history)
    {
        var rows = db.Scalar<long>($"SELECT count(*) FROM {DataView}");
        if (dataset.Grain == Grain.Unpartitioned)
            return Result(check, 0, $"{rows} rows; an unpartitioned dataset has no earlier boxes to compare with");
        var previous = history.PreviousRowCounts(check.Lookback);
        if (previous.Count < Math.Max(1, check.MinHistory))
            return Result(check, 0, $"{rows} rows; only {previous.Count} of the {check.Lookback} previous box(es) have a version (needs {check.MinHistory}): not judged");
        var median = Median(previous);
        var deviation = Math.Abs(rows - median);
        var allowed = check.MaxDeviation * median;
        var ok = deviation <= allowed;
        if (median == 0)
            return Result(check, ok ? 0 : 1, $"{rows} rows; the median of the {previous.Count} previous box(es) is 0{(ok ? "" : ", so any row is an anomaly")}");
        var relative = Percent(deviation / median);
        var direction = rows < median ? "below" : "above";
        return Result(check, ok ? 0 : 1, ok
            ? $"{rows} rows; median of the {previous.Count} previous box(es) {Number(median)} (deviation {relative}, at most {Percent(check.MaxDeviation)})"
            : $"{rows} rows, {relative} {direction} the median {Number(median)} of the {previous.Count} previous box(es) (at most {Percent(check.MaxDeviation)} allowed)");
    }

    internal static double Median(IReadOnlyList<long> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + (double)sorted[mid]) / 2;
    }

    private static CheckResult Freshness(DuckDbSession db, FreshnessCheck check, string column, Dataset dataset, long? box)
    {
        if (box is null || dataset.Grain == Grain.Unpartitioned)
            return Result(check, 1, $"freshness is measured against the end of a box; {dataset.Name} {(box is null ? "gave no box" : "is unpartitioned")}");
        var type = db.Describe(DataView).FirstOrDefault(c => c.Name == check.Column).Type;
        if (type is null) return Result(check, 1, $"column '{check.Column}' is missing");
        if (!IsTimestampLike(type)) return Result(check, 1, $"column '{check.Column}' is {type}, not a timestamp, date or text holding timestamps");
        var end = GrainMath.Start(dataset.Grain, box.Value + 1);
        var newestUs = db.Scalar<long?>($"SELECT epoch_us(max(TRY_CAST({column} AS TIMESTAMPTZ))) FROM {DataView}");
        var limit = $"at most {Duration(check.MaxLag)}";
        if (newestUs is null) return Result(check, 1, $"{check.Column} has no timestamp values, so nothing shows the box is fresh ({limit} before {Instant(end)})");
        var newest = DateTime.UnixEpoch.AddTicks(newestUs.Value * 10);
        var lag = end - newest;
        if (lag < TimeSpan.Zero) return Result(check, 0, $"newest {check.Column} {Instant(newest)} is {Duration(-lag)} after the box's end {Instant(end)}");
        var ok = lag <= check.MaxLag;
        return Result(check, ok ? 0 : 1, ok
            ? $"newest {check.Column} {Instant(newest)}, {Duration(lag)} before the box's end ({limit})"
            : $"newest {check.Column} {Instant(newest)} is {Duration(lag)} before the box's end {Instant(end)} ({limit})");
    }

    private static bool IsTimestampLike(string type)
    {
        var t = type.ToUpperInvariant();
        return t is "DATE" or "VARCHAR" || t.StartsWith("TIMESTAMP", StringComparison.Ordinal);
    }

    private static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>A duration for people: <c>2 h</c>, <c>1 h 30 min</c>, <c>45 s</c>, <c>3 d 4 h</c>.</summary>
    internal static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero) return "-" + Duration(-span);
        if (span < TimeSpan.FromMinutes(1)) return $"{span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
        var parts = new List<string>();
        if (span.Days > 0) parts.Add($"{span.Days} d");
        if (span.Hours > 0) parts.Add($"{span.Hours} h");
        if (span.Minutes > 0) parts.Add($"{span.Minutes} min");
        if (span.Seconds > 0 && span.Days == 0) parts.Add($"{span.Seconds} s");
        return string.Join(" ", parts);
    }

    private static CheckResult SchemaContract(DuckDbSession db, Dataset dataset)
    {
        var observed = db.Describe(DataView);
        var problems = SchemaComparison.Compare(dataset.Schema, observed);
        return new CheckResult("schema_contract", "schema_contract", "block", problems.Count == 0, problems.Count,
            problems.Count == 0 ? "ok" : string.Join("; ", problems));
    }

    private static CheckResult Result(Check check, long failing, string message) =>
        new(check.Name, check.Kind, check.Severity.ToString().ToLowerInvariant(), failing == 0, failing, message);

    private static string Show(object? value) => value switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>Compares observed columns with a declared schema: what was added, removed or retyped.</summary>
internal static class SchemaComparison
{
    public static List<string> Compare(Schema declared, IReadOnlyList<(string Name, string Type)> observed)
    {
        var problems = new List<string>();
        var seen = observed.ToDictionary(c => c.Name, c => c.Type);
        foreach (var column in declared.Columns)
        {
            if (!seen.TryGetValue(column.Name, out var type)) problems.Add($"column '{column.Name}' is missing");
            else if (!SameType(column.Type, type)) problems.Add($"column '{column.Name}' is {type}, declared {column.Type.SqlName}");
        }
        foreach (var (name, _) in observed)
            if (declared.Find(name) is null) problems.Add($"column '{name}' is not declared");
        return problems;
    }

    private static bool SameType(ColumnType declared, string observed) =>
        string.Equals(declared.SqlName.Replace(" ", ""), observed.Replace(" ", ""), StringComparison.OrdinalIgnoreCase)
        || ColumnType.FromSql(observed) == declared;
}
