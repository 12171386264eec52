using System.Text;
using Takt.Definitions;
using Takt.Ledger;

namespace Takt.Running;

/// <summary>
/// The content address of a box's work: dataset, box, code hash, exact input versions and invalidation generation.
/// A transform's version id is its recipe, so the same work is found, never redone.
/// </summary>
public static class Recipe
{
    public static string ForTransform(string dataset, long box, string codeHash, int generation, IEnumerable<LineageEdge> inputs)
    {
        var text = new StringBuilder("transform\n")
            .Append(dataset).Append('\n').Append(box).Append('\n').Append(codeHash).Append('\n').Append(generation).Append('\n');
        foreach (var input in inputs.OrderBy(i => i.Dataset, StringComparer.Ordinal).ThenBy(i => i.Box))
            text.Append(input.Dataset).Append('@').Append(input.Box).Append('=').Append(input.VersionId).Append('\n');
        return Hashing.Hex(text.ToString());
    }

    /// <summary>A source version is named by its landed content (file names and hashes); a new generation renames it.</summary>
    public static string ForSource(string dataset, long box, string codeHash, int generation, IEnumerable<(string Path, string Sha256)> files)
    {
        var text = new StringBuilder("source\n")
            .Append(dataset).Append('\n').Append(box).Append('\n').Append(codeHash).Append('\n').Append(generation).Append('\n');
        foreach (var (path, sha) in files.OrderBy(f => f.Path, StringComparer.Ordinal))
            text.Append(path).Append('=').Append(sha).Append('\n');
        return Hashing.Hex(text.ToString());
    }
}
