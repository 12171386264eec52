namespace Takt.Definitions;

/// <summary>One declared column.</summary>
/// <param name="Semantic">What the values mean across the factory (e.g. <c>user_id</c>, <c>money</c>, <c>timestamp_utc</c>).</param>
public sealed record Column(string Name, ColumnType Type, bool Nullable = true, string? Semantic = null, string? Description = null);

/// <summary>The declared columns of a dataset, in order.</summary>
public sealed record Schema(IReadOnlyList<Column> Columns)
{
    public static Schema Undeclared { get; } = new([]);

    public bool IsDeclared => Columns.Count > 0;

    public Column? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);
}

/// <summary>Fluent construction of a <see cref="Schema"/>.</summary>
public sealed class SchemaBuilder
{
    private readonly List<Column> _columns = [];

    public SchemaBuilder Column(string name, ColumnType type, bool nullable = true, string? semantic = null, string? description = null)
    {
        _columns.Add(new Column(name, type, nullable, semantic, description));
        return this;
    }

    /// <summary>A column that must never be null.</summary>
    public SchemaBuilder Required(string name, ColumnType type, string? semantic = null, string? description = null) =>
        Column(name, type, nullable: false, semantic, description);

    internal Schema Build() => new(_columns.ToArray());
}
