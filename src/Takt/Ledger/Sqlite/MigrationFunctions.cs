using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

/// <summary>SQL functions the migrations use besides the lineage codec's.</summary>
internal static class MigrationFunctions
{
    /// <summary><c>takt_fail(message)</c>: stops the statement (and so the migration) with the message, where SQL has no assertion.</summary>
    public static void Register(SqliteConnection connection) =>
        connection.CreateFunction<string, object?>("takt_fail", message => throw new InvalidDataException($"the ledger cannot be migrated: {message}"));
}
