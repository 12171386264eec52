using System.Text;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Running;

namespace Takt.Measuring;

public sealed record CatalogColumn(string Name, string Type, bool Nullable, string? Semantic, string? Description);

public sealed record CatalogEntry(
    string Dataset, string Layer, string Owner, string Description, string Partitioning, string Kind, IReadOnlyList<CatalogColumn> Columns,
    IReadOnlyList<string> Checks, IReadOnlyList<string> Upstream, IReadOnlyList<string> Downstream, IReadOnlyList<string> UsedBy,
    string? LatestBox, string? LastCommittedAt, long Versions, string? ReadyWithin);

/// <summary>A semantic type with its single definition, the column that holds its truth, and every column that carries it.</summary>
public sealed record CatalogSemanticType(string Name, string Description, string? Truth, IReadOnlyList<string> Columns);

public sealed record CatalogDocument(string Factory, IReadOnlyList<CatalogEntry> Datasets, IReadOnlyList<CatalogSemanticType> SemanticTypes);

/// <summary>Every dataset as declared, with lineage and freshness from the ledger: "where is the truth for X" has one answer.</summary>
public static class Catalog
{
    public static CatalogDocument Build(Workspace ws)
    {
        var factory = ws.Factory;
        var inventory = ws.Ledger.Inventory(ws.Env).ToDictionary(i => i.Dataset);
        var entries = factory.Datasets.Select(d =>
        {
            var summary = ws.Ledger.Summarize(ws.Env, d.Name);
            inventory.TryGetValue(d.Name, out var held);
            return new CatalogEntry(d.Name, d.Layer, d.Owner, d.Description, GrainMath.Describe(d.Grain),
                d.IsSource ? $"source ({d.Source!.Format}, {d.Source.Pattern})" : d.Transform is SqlTransform sql ? $"SQL ({sql.RelativePath})" : "C# rows",
                d.Schema.Columns.Select(c => new CatalogColumn(c.Name, c.Type.SqlName, c.Nullable, c.Semantic, c.Description)).ToArray(),
                d.Checks.Select(c => $"{c.Name} [{c.Severity.ToString().ToLowerInvariant()}]").ToArray(),
                d.Inputs.Select(i => $"{i.Dataset} ({i.Mapping.Describe()})").ToArray(),
                factory.Downstream(d.Name).ToArray(), d.UsedBy,
                summary.Count == 0 ? null : d.BoxKey(summary.MaxBox),
                held is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(held.LastCommitMs).ToString("u"),
                held?.Versions ?? 0,
                d.ReadyWithin?.ToString());
        }).ToArray();

        var carried = factory.Datasets.SelectMany(d => d.Schema.Columns.Where(c => c.Semantic is not null).Select(c => (c.Semantic!, Column: $"{d.Name}.{c.Name}")))
            .GroupBy(x => x.Item1).ToDictionary(g => g.Key, g => g.Select(x => x.Column).ToArray());
        var declared = factory.SemanticTypes.ToDictionary(t => t.Name);
        var types = carried.Keys.Union(declared.Keys).Order(StringComparer.Ordinal).Select(name => new CatalogSemanticType(
            name, declared.GetValueOrDefault(name)?.Description ?? "(no definition declared)", declared.GetValueOrDefault(name)?.Truth,
            carried.GetValueOrDefault(name) ?? [])).ToArray();
        return new CatalogDocument(factory.Name, entries, types);
    }

    public static string ToMarkdown(CatalogDocument catalog)
    {
        var md = new StringBuilder($"# Catalog of the {Cell(catalog.Factory)} factory\n\n");
        md.Append("## Semantic types\n\n| type | definition | truth | columns |\n|---|---|---|---|\n");
        foreach (var t in catalog.SemanticTypes)
            md.Append($"| `{t.Name}` | {Cell(t.Description)} | {(t.Truth is null ? "—" : $"`{t.Truth}`")} | {string.Join(", ", t.Columns.Select(c => $"`{c}`"))} |\n");
        foreach (var d in catalog.Datasets)
        {
            md.Append($"\n## {d.Dataset}\n\n{Cell(d.Description)}\n\n");
            md.Append($"- owner: {Cell(d.Owner)}\n- kind: {Cell(d.Kind)}\n- partitioning: {d.Partitioning}\n");
            md.Append($"- upstream: {List(d.Upstream)}\n- downstream: {List(d.Downstream)}\n");
            if (d.UsedBy.Count > 0) md.Append($"- used by: {List(d.UsedBy)}\n");
            if (d.ReadyWithin is not null) md.Append($"- ready within {d.ReadyWithin} after each box ends\n");
            md.Append($"- latest box: {d.LatestBox ?? "—"}; last committed: {d.LastCommittedAt ?? "—"}; versions: {d.Versions}\n");
            md.Append($"- checks: {List(d.Checks)}\n\n| column | type | nullable | semantic type | description |\n|---|---|---|---|---|\n");
            foreach (var c in d.Columns)
                md.Append($"| `{c.Name}` | {c.Type} | {(c.Nullable ? "yes" : "no")} | {(c.Semantic is null ? "" : $"`{c.Semantic}`")} | {Cell(c.Description ?? "")} |\n");
        }
        return md.ToString();
    }

    private static string List(IReadOnlyList<string> items) => items.Count == 0 ? "—" : string.Join(", ", items.Select(Cell));

    /// <summary>Declared text as text: HTML in a description is shown, never rendered, and cannot break the table.</summary>
    private static string Cell(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("|", "\\|").ReplaceLineEndings(" ");
}
