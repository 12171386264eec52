using Takt.Ledger;
using Takt.Ledger.Sqlite;

namespace Takt.Tests.Contracts;

/// <summary>The embedded SQLite ledger, one file in the store's directory: every ledger contract suite runs against it.</summary>
public sealed class SqliteStore : ILedgerStore
{
    public ILedger Open(string directory, TimeProvider clock) => new SqliteLedger(Path.Combine(directory, "ledger.db"), clock);
}

public sealed class SqliteBoxLedgerContract : BoxLedgerContract<SqliteStore>;
public sealed class SqliteLeaseLedgerContract : LeaseLedgerContract<SqliteStore>;
public sealed class SqliteRunLogContract : RunLogContract<SqliteStore>;
public sealed class SqliteFileLedgerContract : FileLedgerContract<SqliteStore>;
public sealed class SqliteEnvironmentLedgerContract : EnvironmentLedgerContract<SqliteStore>;
public sealed class SqliteLandingLedgerContract : LandingLedgerContract<SqliteStore>;
public sealed class SqlitePublicationLedgerContract : PublicationLedgerContract<SqliteStore>;
public sealed class SqliteProfileLedgerContract : ProfileLedgerContract<SqliteStore>;
public sealed class SqliteLedgerQueriesContract : LedgerQueriesContract<SqliteStore>;
public sealed class SqliteStatusContract : StatusContract<SqliteStore>;
public sealed class SqliteGroupCommitContract : GroupCommitContract<SqliteStore>;
