using Microsoft.Data.Sqlite;
using Takt.Engine;

namespace Takt.Running;

/// <summary>Whether another attempt of a failed task can succeed, and why: the runner retries the first kind only.</summary>
public readonly record struct FailureKind(bool Transient, string Cause);

/// <summary>
/// Which failures are transient: I/O errors (a file or directory briefly unreadable or unwritable, SQLite's disk I/O
/// error), SQLite busy or locked past its timeout, DuckDB I/O errors. SQL that does not parse or bind, a failed check, bad data and any error
/// Takt does not know as transient fail the task at once: retrying them repeats the same answer, only later.
/// </summary>
public static class RetryPolicy
{
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteIoError = 10;

    public static FailureKind Judge(Exception e) => e switch
    {
        ProcessingException { Transient: { } said } p => new(said, said ? p.Message : "the task says another attempt cannot help"),
        ProcessingException { InnerException: { } inner } => Judge(inner),
        ProcessingException => new(false, "a processing error of the work itself"),
        AggregateException { InnerExceptions.Count: 1 } a => Judge(a.InnerExceptions[0]),
        Storage.StorageException { InnerException: { } cause } => Judge(cause),
        EngineException { Kind: DuckDB.NET.Native.DuckDBErrorType.Io } => new(true, "DuckDB I/O error"),
        EngineException engine => new(false, $"DuckDB {engine.Kind} error"),
        DuckDB.NET.Data.DuckDBException { ErrorType: DuckDB.NET.Native.DuckDBErrorType.Io } => new(true, "DuckDB I/O error"),
        DuckDB.NET.Data.DuckDBException duck => new(false, $"DuckDB {duck.ErrorType} error"),
        SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } => new(true, "SQLite busy or locked"),
        SqliteException { SqliteErrorCode: SqliteIoError } => new(true, "SQLite disk I/O error"),
        SqliteException sqlite => new(false, $"SQLite error {sqlite.SqliteErrorCode}"),
        FileNotFoundException or DirectoryNotFoundException => new(false, "a file or directory is missing"),
        IOException or UnauthorizedAccessException => new(true, "I/O error"),
        _ => new(false, $"{e.GetType().Name} is not a transient error"),
    };
}
