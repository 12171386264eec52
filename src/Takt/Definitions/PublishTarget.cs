namespace Takt.Definitions;

/// <summary>
/// Where a dataset is handed over to online use. Every publish writes a new physical copy, switches readers to it
/// atomically, and keeps the last <see cref="Keep"/> copies so that a rollback is instant.
/// </summary>
/// <remarks>
/// A target belongs to one environment, <see cref="Environment"/> (<c>prod</c> unless set): only builds and
/// <c>publish</c> in that environment write to it, so a dev build never changes what its readers see. To try a
/// publish in another environment, declare a second target of its own, e.g.
/// <c>PublishTarget.Sqlite("published/staging.db", "fraud_scores") with { Environment = "staging" }</c>.
/// </remarks>
public abstract record PublishTarget
{
    public int Keep { get; init; } = 3;

    /// <summary>The one environment whose builds publish to this target.</summary>
    public string Environment { get; init; } = "prod";

    /// <summary>
    /// A stable name for the ledger, e.g. <c>sqlite:fraud_scores</c>; a target of another environment than prod carries
    /// it, e.g. <c>sqlite:fraud_scores@staging</c>.
    /// </summary>
    public string Name => Environment == "prod" ? Kind : $"{Kind}@{Environment}";

    /// <summary>What the target is, without its environment, e.g. <c>sqlite:fraud_scores</c>.</summary>
    protected abstract string Kind { get; }

    /// <summary>Where readers find it (file and table, variable and table, directory): two targets must not share one.</summary>
    internal abstract string Location { get; }

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
    protected override string Kind => $"sqlite:{Table}";
    internal override string Location => $"SQLite database {DatabasePath}, table {Table}";
}

public sealed record PostgresPublishTarget(string ConnectionStringVariable, string Table) : PublishTarget
{
    protected override string Kind => $"postgres:{Table}";
    internal override string Location => $"PostgreSQL of ${ConnectionStringVariable}, table {Table}";
}

/// <param name="Path">Relative paths are resolved against the Takt home.</param>
public sealed record DirectoryPublishTarget(string Path) : PublishTarget
{
    protected override string Kind => $"directory:{System.IO.Path.GetFileName(Path.TrimEnd('/'))}";
    internal override string Location => $"directory {System.IO.Path.TrimEndingDirectorySeparator(Path)}";
}
