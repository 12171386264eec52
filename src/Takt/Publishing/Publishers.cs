using System.Text.RegularExpressions;
using Takt.Engine;

namespace Takt.Publishing;

/// <summary>Opens the publisher that writes to a target.</summary>
internal static partial class Publishers
{
    public static IPublisher Open(PublishTarget target, string home, DuckDbPool duckDb) => target switch
    {
        SqlitePublishTarget sqlite => new SqlitePublisher(sqlite, home, duckDb),
        PostgresPublishTarget postgres => new PostgresPublisher(postgres, duckDb),
        DirectoryPublishTarget directory => new DirectoryPublisher(directory, home, duckDb),
        _ => throw new NotSupportedException($"No publisher for {target.GetType().Name}."),
    };

    /// <summary>Published tables are named by the factory author; copies add <c>__c&lt;n&gt;</c>.</summary>
    public static string ValidTable(string table) => TableName().IsMatch(table)
        ? table
        : throw new ArgumentException($"'{table}' is not a valid published table name (lower snake case, at most 50 characters).");

    public static string ValidCopy(string copy) => CopyName().IsMatch(copy) ? copy : throw new ArgumentException($"'{copy}' is not a copy name (c1, c2, ...).");

    public static bool IsCopyOf(string table, string candidate) => candidate.StartsWith(table + "__", StringComparison.Ordinal) && CopyName().IsMatch(candidate[(table.Length + 2)..]);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,49}$")]
    private static partial Regex TableName();

    [GeneratedRegex("^c[0-9]{1,9}$")]
    private static partial Regex CopyName();
}
