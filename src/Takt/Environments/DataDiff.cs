using Takt.Boxes;
using Takt.Definitions;
using Takt.Engine;
using Takt.Lake;
using Takt.Running;

namespace Takt.Environments;

public sealed record SchemaChange(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Retyped)
{
    /// <summary>Removing or retyping a column breaks readers; adding one does not.</summary>
    public bool Breaking => Removed.Count > 0 || Retyped.Count > 0;
    public bool IsEmpty => Added.Count + Removed.Count + Retyped.Count == 0;
}

/// <summary>How one box differs between two environments.</summary>
public sealed record BoxDiff(
    string Dataset, string Box, string? VersionA, string? VersionB, long RowsA, long RowsB, SchemaChange Schema,
    IReadOnlyList<string> Key, long OnlyInA, long OnlyInB, long? Changed,
    IReadOnlyList<string> SampleOnlyInA, IReadOnlyList<string> SampleOnlyInB, IReadOnlyList<string> SampleChanged);

/// <summary>
/// Compares what two environments point at, box by box, where their versions differ: row counts, schema, and rows
/// only in one side or changed, per the dataset's key. Nothing is copied: both sides are read from the shared lake.
/// </summary>
public sealed class DataDiff(Workspace ws)
{
    private const int Samples = 5;

    public IReadOnlyList<BoxDiff> Compare(string envA, string envB, IReadOnlyCollection<string> targets, DateOnly? from, DateOnly? to)
    {
        var result = new List<BoxDiff>();
        foreach (var name in ws.Factory.ResolveTargets(targets))
        {
            var dataset = ws.Factory[name];
            var range = from is null && to is null ? BoxRange.Everything : GrainMath.FromDates(dataset.Grain, from ?? DateOnly.MinValue, to ?? DateOnly.MaxValue);
            var a = ws.Ledger.Boxes(envA, name, range).ToDictionary(s => s.Box, s => s.CurrentVersion);
            var b = ws.Ledger.Boxes(envB, name, range).ToDictionary(s => s.Box, s => s.CurrentVersion);
            foreach (var box in a.Keys.Union(b.Keys).Order())
            {
                var (va, vb) = (a.GetValueOrDefault(box), b.GetValueOrDefault(box));
                if (va == vb) continue;
                result.Add(CompareBox(dataset, box, va, vb));
            }
        }
        return result;
    }

    private BoxDiff CompareBox(Dataset dataset, long box, string? versionA, string? versionB)
    {
        using var lease = ws.DuckDb.Rent();
        var db = lease.Session;
        var boxKey = dataset.BoxKey(box);
        db.CreateView("__a", Files(dataset, boxKey, versionA), dataset.Schema);
        db.CreateView("__b", Files(dataset, boxKey, versionB), dataset.Schema);
        var rowsA = versionA is null ? 0 : db.Scalar<long>("SELECT count(*) FROM __a");
        var rowsB = versionB is null ? 0 : db.Scalar<long>("SELECT count(*) FROM __b");
        var columnsA = versionA is null ? [] : db.Describe("__a");
        var columnsB = versionB is null ? [] : db.Describe("__b");
        var schema = versionA is null || versionB is null ? new SchemaChange([], [], []) : SchemaOf(columnsB, columnsA);

        var key = dataset.EffectiveKey.Where(k => columnsA.Any(c => c.Name == k) && columnsB.Any(c => c.Name == k)).ToArray();
        if (versionA is null || versionB is null || key.Length != dataset.EffectiveKey.Count || key.Length == 0)
        {
            var onlyA = versionB is null ? rowsA : versionA is null ? 0 : db.Scalar<long>(CommonRows("__a", "__b", columnsA, columnsB));
            var onlyB = versionA is null ? rowsB : versionB is null ? 0 : db.Scalar<long>(CommonRows("__b", "__a", columnsB, columnsA));
            return new BoxDiff(dataset.Name, boxKey, versionA, versionB, rowsA, rowsB, schema, [], onlyA, onlyB, null, [], [], []);
        }

        var keyList = string.Join(", ", key.Select(SqlText.Identifier));
        var keyText = string.Join(" || '/' || ", key.Select(k => $"CAST(x.{SqlText.Identifier(k)} AS VARCHAR)"));
        string Missing(string left, string right) => $"FROM {left} x WHERE NOT EXISTS (SELECT 1 FROM {right} y WHERE {string.Join(" AND ", key.Select(k => $"y.{SqlText.Identifier(k)} IS NOT DISTINCT FROM x.{SqlText.Identifier(k)}"))})";
        var shared = columnsA.Select(c => c.Name).Intersect(columnsB.Select(c => c.Name)).Except(key).ToArray();
        var changedWhere = shared.Length == 0 ? "false"
            : string.Join(" OR ", shared.Select(c => $"a.{SqlText.Identifier(c)} IS DISTINCT FROM b.{SqlText.Identifier(c)}"));
        var changedFrom = $"FROM __a a JOIN __b b USING ({keyList}) WHERE {changedWhere}";

        return new BoxDiff(dataset.Name, boxKey, versionA, versionB, rowsA, rowsB, schema, key,
            db.Scalar<long>($"SELECT count(*) {Missing("__a", "__b")}"),
            db.Scalar<long>($"SELECT count(*) {Missing("__b", "__a")}"),
            db.Scalar<long>($"SELECT count(*) {changedFrom}"),
            Strings(db, $"SELECT {keyText} {Missing("__a", "__b")} ORDER BY 1 LIMIT {Samples}"),
            Strings(db, $"SELECT {keyText} {Missing("__b", "__a")} ORDER BY 1 LIMIT {Samples}"),
            Strings(db, $"SELECT {keyText.Replace("x.", "a.")} {changedFrom} ORDER BY 1 LIMIT {Samples}"));
    }

    private static string CommonRows(string left, string right, IReadOnlyList<(string Name, string Type)> leftColumns, IReadOnlyList<(string Name, string Type)> rightColumns)
    {
        var shared = string.Join(", ", leftColumns.Select(c => c.Name).Intersect(rightColumns.Select(c => c.Name)).Select(SqlText.Identifier));
        return $"SELECT count(*) FROM (SELECT {shared} FROM {left} EXCEPT ALL SELECT {shared} FROM {right})";
    }

    private static SchemaChange SchemaOf(IReadOnlyList<(string Name, string Type)> before, IReadOnlyList<(string Name, string Type)> after)
    {
        var old = before.ToDictionary(c => c.Name, c => c.Type);
        var now = after.ToDictionary(c => c.Name, c => c.Type);
        return new SchemaChange(
            now.Keys.Where(c => !old.ContainsKey(c)).ToArray(),
            old.Keys.Where(c => !now.ContainsKey(c)).ToArray(),
            now.Where(c => old.TryGetValue(c.Key, out var t) && t != c.Value).Select(c => $"{c.Key} {old[c.Key]} -> {c.Value}").ToArray());
    }

    private IReadOnlyList<string> Files(Dataset dataset, string boxKey, string? version) =>
        version is null ? [] : ws.Files.Paths(new VersionLocation(dataset.Name, boxKey, version));

    private static IReadOnlyList<string> Strings(DuckDbSession db, string sql) => db.Rows(sql).Select(r => r[0]?.ToString() ?? "null").ToArray();
}
