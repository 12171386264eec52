namespace Takt.Publishing;

/// <summary>
/// Where a dataset is handed over to online use. Every publish writes a new physical copy, switches readers to it
/// atomically, and keeps the last <see cref="Keep"/> copies so that a rollback is instant.
/// </summary>
public abstract record PublishTarget
{
    public int Keep { get; init; } = 3;

    /// <summary>A stable name for the ledger, e.g. <c>sqlite:fraud_scores</c>.</summary>
    public abstract string Name { get; }

    /// <summary>A table (readers query a view of that name) in a SQLite database file.</summary>
    public static PublishTarget Sqlite(string databasePath, string table, int keep = 3) => new SqlitePublishTarget(databasePath, table) { Keep = keep };

    /// <summary>A table (readers query a view of that name) in PostgreSQL; the connection string is read from an environment variable.</summary>
    public static PublishTarget Postgres(string connectionStringVariable, string table, int keep = 3) =>
        new PostgresPublishTarget(connectionStringVariable, table) { Keep = keep };

    /// <summary>Parquet files under <c>DIR/current</c>, a link switched atomically between copies.</summary>
    public static PublishTarget Directory(string path, int keep = 3) => new DirectoryPublishTarget(path) { Keep = keep };
}

/// <param name="DatabasePath">Relative paths are resolved against the Takt home.</param>
public sealed record SqlitePublishTarget(string DatabasePath, string Table) : PublishTarget
{
    public override string Name => $"sqlite:{Table}";
}

public sealed record PostgresPublishTarget(string ConnectionStringVariable, string Table) : PublishTarget
{
    public override string Name => $"postgres:{Table}";
}

/// <param name="Path">Relative paths are resolved against the Takt home.</param>
public sealed record DirectoryPublishTarget(string Path) : PublishTarget
{
    public override string Name => $"directory:{System.IO.Path.GetFileName(Path.TrimEnd('/'))}";
}
