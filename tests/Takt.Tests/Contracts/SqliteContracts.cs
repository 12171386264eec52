using Takt.Ledger;
using Takt.Ledger.Sqlite;

namespace Takt.Tests.Contracts;

// The ledger's contract suites run against the embedded SQLite ledger.

public sealed class SqliteBoxLedgerContract : BoxLedgerContract
{
    protected override ILedger Open(string directory, TimeProvider clock) => new SqliteLedger(Path.Combine(directory, "ledger.db"), clock);
}

public sealed class SqliteLeaseLedgerContract : LeaseLedgerContract
{
    protected override ILedger Open(string directory, TimeProvider clock) => new SqliteLedger(Path.Combine(directory, "ledger.db"), clock);
}

public sealed class SqliteRunLogContract : RunLogContract
{
    protected override ILedger Open(string directory, TimeProvider clock) => new SqliteLedger(Path.Combine(directory, "ledger.db"), clock);
}

public sealed class SqliteFileLedgerContract : FileLedgerContract
{
    protected override ILedger Open(string directory, TimeProvider clock) => new SqliteLedger(Path.Combine(directory, "ledger.db"), clock);
}

public sealed class SqliteEnvironmentLedgerContract : EnvironmentLedgerContract
{
    protected override ILedger Open(string directory, TimeProvider clock) => new SqliteLedger(Path.Combine(directory, "ledger.db"), clock);
}

public sealed class SqliteLandingLedgerContract : LandingLedgerContract
{
    protected override ILedger Open(string directory, TimeProvider clock) => new SqliteLedger(Path.Combine(directory, "ledger.db"), clock);
}

public sealed class SqlitePublicationLedgerContract : PublicationLedgerContract
{
    protected override ILedger Open(string directory, TimeProvider clock) => new SqliteLedger(Path.Combine(directory, "ledger.db"), clock);
}

public sealed class SqliteProfileLedgerContract : ProfileLedgerContract
{
    protected override ILedger Open(string directory, TimeProvider clock) => new SqliteLedger(Path.Combine(directory, "ledger.db"), clock);
}

public sealed class SqliteLedgerQueriesContract : LedgerQueriesContract
{
    protected override ILedger Open(string directory, TimeProvider clock) => new SqliteLedger(Path.Combine(directory, "ledger.db"), clock);
}
