using System.Security.Cryptography;
using System.Text;

namespace Takt.Definitions;

/// <summary>
/// Hashes the parts of a definition that shape a box's data: grain, schema, inputs and mappings, and the SQL text,
/// the compiled code and declared version of a C# transform, or the landing layout. Owner, description and checks do
/// not change data and are left out.
/// </summary>
internal static class CodeHash
{
    /// <exception cref="UnreadableCodeException">A C# transform's compiled code cannot be read.</exception>
    public static string Of(Dataset dataset)
    {
        var text = new StringBuilder();
        text.Append("dataset:").Append(dataset.Name).Append('\n');
        text.Append("grain:").Append(dataset.Grain).Append('\n');
        foreach (var column in dataset.Schema.Columns)
            text.Append("column:").Append(column.Name).Append(':').Append(column.Type.SqlName).Append(':').Append(column.Nullable).Append('\n');
        foreach (var input in dataset.Inputs)
            text.Append("input:").Append(input.Dataset).Append(':').Append(input.Mapping.Describe()).Append('\n');
        switch (dataset.Source, dataset.Transform)
        {
            case ({ } source, _):
                text.Append("source:").Append(source.Format).Append(':').Append(source.Pattern).Append(':').Append(source.SplitBy).Append('\n');
                break;
            case (_, SqlTransform sql):
                text.Append("sql:").Append(sql.Sql.ReplaceLineEndings("\n").Trim()).Append('\n');
                break;
            case (_, RowTransform rows):
                text.Append("csharp-version:").Append(rows.Version).Append('\n');
                text.Append("csharp-code:").Append(CompiledCode.HashOf(rows.Function.Method)).Append('\n');
                break;
        }
        return Hashing.Hex(text.ToString());
    }
}

/// <summary>Stable 128-bit identifiers from SHA-256.</summary>
public static class Hashing
{
    public static string Hex(string text) => Hex(Encoding.UTF8.GetBytes(text));

    /// <summary>The full SHA-256 of a file's bytes, as lower-case hex.</summary>
    public static string FileSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Hex(ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}
