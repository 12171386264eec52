namespace Takt.Engine;

/// <summary>Quoting for the few places where DuckDB takes no parameters (view bodies, COPY targets).</summary>
internal static class SqlText
{
    public static string Literal(string value)
    {
        if (value.Any(char.IsControl)) throw new ArgumentException($"Refusing a value with control characters in SQL: '{value}'.");
        return "'" + value.Replace("'", "''") + "'";
    }

    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    /// <summary><c>raw.orders</c> as a quoted two-part name.</summary>
    public static string DatasetName(string dataset)
    {
        var dot = dataset.IndexOf('.');
        return Identifier(dataset[..dot]) + "." + Identifier(dataset[(dot + 1)..]);
    }

    public static string FileList(IEnumerable<string> files) => "[" + string.Join(", ", files.Select(Literal)) + "]";
}
