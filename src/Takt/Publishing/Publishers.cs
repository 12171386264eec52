using System.Text.RegularExpressions;
using Takt.Definitions;
using Takt.Engine;

namespace Takt.Publishing;

/// <summary>Opens the publisher that writes to a target.</summary>
internal static partial class Publishers
{
    /// <param name="variable">Reads the variables a target names (a PostgreSQL connection string), as the composition root provides them.</param>
    public static IPublisher Open(PublishTarget target, string home, DuckDbPool duckDb, Func<string, string?> variable) => target switch
    {
        SqlitePublishTarget sqlite => new SqlitePublisher(sqlite, home, duckDb),
        PostgresPublishTarget postgres => new PostgresPublisher(postgres, duckDb, variable),
        DirectoryPublishTarget directory => new DirectoryPublisher(directory, home, duckDb),
        _ => throw new NotSupportedException($"No publisher for {target.GetType().Name}."),
    };

    /// <summary>
    /// Published tables are named by the factory author; copies add <c>__c&lt;n&gt;</c>. At most 50 characters so that
    /// <c>TABLE__c123456789</c> stays within PostgreSQL's 63-byte identifiers (longer names would be cut and collide).
    /// </summary>
    public static string ValidTable(string table) => TableName().IsMatch(table)
        ? table
        : throw new ArgumentException($"'{table}' is not a valid published table name (lower snake case: a-z, 0-9 and _, not starting with a digit, at most 50 characters).");

    public static string ValidCopy(string copy) => CopyName().IsMatch(copy) ? copy : throw new ArgumentException($"'{copy}' is not a copy name (c1, c2, ...).");

    public static bool IsCopy(string candidate) => CopyName().IsMatch(candidate);

    public static bool IsCopyOf(string table, string candidate) => candidate.StartsWith(table + "__", StringComparison.Ordinal) && CopyName().IsMatch(candidate[(table.Length + 2)..]);

    /// <summary>The copy a relation named <c>TABLE__cN</c> holds (<c>cN</c>), or null when it is no copy of the table.</summary>
    public static string? CopyOf(string table, string relation) => IsCopyOf(table, relation) ? relation[(table.Length + 2)..] : null;

    /// <summary>Keeps an error message from a server or the OS on one line.</summary>
    public static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,49}$")]
    private static partial Regex TableName();

    [GeneratedRegex("^c[0-9]{1,9}$")]
    private static partial Regex CopyName();
}

/// <summary>One column of a copy: its name, its DuckDB type, and whether the Parquet files hold it.</summary>
internal readonly record struct CopyColumn(string Name, string Type, bool InFiles, bool Declared)
{
    /// <summary>The type in upper case without spaces, e.g. <c>DECIMAL(12,2)</c>.</summary>
    public string Normalized => Type.ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal);

    /// <summary>The column as a DuckDB expression of its type: declared columns are cast to the declared type, and one no file holds is NULL.</summary>
    public string Expression => !InFiles ? $"CAST(NULL AS {Type})" : Declared ? $"CAST({SqlText.Identifier(Name)} AS {Type})" : SqlText.Identifier(Name);
}

/// <summary>Reads the rows of a set of Parquet files through DuckDB for a publisher.</summary>
internal static class CopySource
{
    private const string View = "\"__takt_publish\"";

    /// <summary>
    /// Exposes the files to <paramref name="db"/> and returns the columns to publish: the declared schema's columns and
    /// types when the dataset declares one, otherwise what the files hold.
    /// </summary>
    public static IReadOnlyList<CopyColumn> Columns(DuckDbSession db, IReadOnlyList<string> files, Schema schema)
    {
        db.CreateView(View, files, schema);
        var inFiles = db.Describe(View);
        if (!schema.IsDeclared) return inFiles.Select(c => new CopyColumn(c.Name, c.Type, InFiles: true, Declared: false)).ToArray();
        return schema.Columns
            .Select(c => new CopyColumn(c.Name, c.Type.SqlName, inFiles.Any(f => string.Equals(f.Name, c.Name, StringComparison.OrdinalIgnoreCase)), Declared: true))
            .ToArray();
    }

    /// <summary>The rows, one value per expression (DuckDB SQL over the columns), streamed.</summary>
    public static IEnumerable<object?[]> Rows(DuckDbSession db, IReadOnlyList<string> expressions)
    {
        using var cmd = db.Command($"SELECT {string.Join(", ", expressions)} FROM {View}");
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            yield return values;
        }
    }
}
