using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Takt.Definitions;
using Takt.Ledger;

namespace Takt.Running;

/// <summary>
/// The schemas of transform outputs, described once per code and input schemas. DuckDB fixes the columns of a query
/// when it binds it, from the columns of its inputs, so every box that the same code builds from inputs of the same
/// schemas writes the same schema; describing each written file again (a statement that opens and parses it) would
/// cost a trivial task a fifth of its time and tell nothing new.
/// </summary>
internal sealed partial class OutputSchemas
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, string> _known = new();

    /// <summary>The schema JSON for <paramref name="key"/>, or what <paramref name="describe"/> reads when the key is new or null.</summary>
    public string Of(string? key, Func<string> describe)
    {
        if (key is null) return describe();
        if (_known.TryGetValue(key, out var known)) return known;
        if (_known.Count >= MaxEntries) _known.Clear();
        return _known.GetOrAdd(key, _ => describe());
    }

    /// <summary>
    /// What decides a transform's output schema: its code hash and, per input dataset, the schemas of the input versions
    /// in the order its view reads them (a window over files of different schemas is matched by name, in file order).
    /// Null when the columns depend on the data: a PIVOT without a value list makes one column per value it finds.
    /// </summary>
    public static string? KeyOf(Dataset dataset, string codeHash, IReadOnlyList<LineageEdge> inputs, IReadOnlyDictionary<string, VersionShape> shapes)
    {
        if (dataset.Transform is SqlTransform sql && DataShapedColumns().IsMatch(sql.Sql)) return null;
        var key = new StringBuilder(codeHash);
        string? previous = null;
        foreach (var input in inputs)
        {
            if (!shapes.TryGetValue(input.VersionId, out var shape)) return null;
            var part = input.Dataset + "\u001f" + shape.SchemaJson;
            if (part == previous) continue;
            key.Append('\u001e').Append(part);
            previous = part;
        }
        return Hashing.Hex(key.ToString()); // wide schemas make long keys; the cache keeps their hashes
    }

    [GeneratedRegex(@"\bpivot(_wider)?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DataShapedColumns();
}
