using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

/// <summary>
/// The integer keys of migration 14: dataset names, environments, code hashes, schemas and run ids are rows of
/// <c>strings</c>; versions are referred to by their <c>vid</c>. Writers go to the tables (<c>version_rows</c>,
/// <c>box_rows</c>, <c>lineage_rows</c>); readers may use the views with the old columns.
/// </summary>
public sealed partial class SqliteLedger
{
    /// <summary>The id of the string in parameter <paramref name="parameter"/>, as a SQL expression (NULL when it is not stored).</summary>
    private static string StringId(string parameter) => $"(SELECT id FROM strings WHERE text = {parameter})";

    /// <summary>The vid of the version whose id is in parameter <paramref name="parameter"/>, as a SQL expression.</summary>
    private static string Vid(string parameter) => $"(SELECT vid FROM version_rows WHERE id = {parameter})";

    /// <summary>The condition on <c>box_rows b</c> for one box named by the parameters $env, $dataset and $box.</summary>
    private static readonly string OneBox = $"b.env = {StringId("$env")} AND b.dataset = {StringId("$dataset")} AND b.box = $box";

    /// <summary>Stores the texts not stored yet (nulls skipped), so that <see cref="StringId"/> finds them.</summary>
    private void Intern(SqliteTransaction tx, params string?[] texts)
    {
        var present = texts.Where(t => t is not null).Distinct(StringComparer.Ordinal).Select((t, i) => ($"$s{i}", (object?)t)).ToArray();
        if (present.Length == 0) return;
        Execute($"INSERT OR IGNORE INTO strings (text) VALUES {string.Join(", ", present.Select(p => $"({p.Item1})"))}", tx, present);
    }
}
