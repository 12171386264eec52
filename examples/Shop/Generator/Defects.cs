using System.Globalization;

namespace Shop.Generator;

public enum Defect { DuplicateIds, MalformedRows, SchemaDrift, MissingUser, NegativeAmounts }

/// <summary>A defect to inject; a null <paramref name="Day"/> means the last day of the generated range.</summary>
public sealed record DefectRequest(Defect Defect, DateOnly? Day);

public static class DefectNames
{
    private static readonly (Defect Defect, string Name)[] Table =
    [
        (Defect.DuplicateIds, "duplicate-ids"),
        (Defect.MalformedRows, "malformed-rows"),
        (Defect.SchemaDrift, "schema-drift"),
        (Defect.MissingUser, "missing-user"),
        (Defect.NegativeAmounts, "negative-amounts"),
    ];

    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(Table.Select(t => t.Name).ToArray());

    public static string NameOf(Defect d)
    {
        foreach (var (defect, name) in Table)
            if (defect == d) return name;
        throw new ArgumentOutOfRangeException(nameof(d), d, "Unknown defect.");
    }

    /// <summary>Parses "NAME" or "NAME@YYYY-MM-DD" items, comma separated. An empty list gives no requests.</summary>
    public static IReadOnlyList<DefectRequest> ParseList(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (string.IsNullOrWhiteSpace(list)) return [];
        return list.Split(',').Select(item => ParseItem(item.Trim())).ToList().AsReadOnly();
    }

    private static DefectRequest ParseItem(string item)
    {
        var at = item.IndexOf('@');
        var name = at < 0 ? item : item[..at];
        var index = Array.FindIndex(Table, t => t.Name == name);
        if (index < 0)
            throw new FormatException(
                $"Unknown defect '{item}'. Valid names: {string.Join(", ", All)} (optionally followed by @YYYY-MM-DD).");
        var defect = Table[index].Defect;
        if (at < 0) return new DefectRequest(defect, null);

        if (!DateOnly.TryParseExact(item[(at + 1)..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            throw new FormatException(
                $"Bad day in defect '{item}': expected NAME@YYYY-MM-DD, e.g. {name}@2026-01-05. Valid names: {string.Join(", ", All)}.");
        return new DefectRequest(defect, day);
    }
}
