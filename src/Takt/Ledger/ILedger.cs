namespace Takt.Ledger;

/// <summary>
/// The metadata store and single source of truth about what exists: versions, lineage, pointers per environment,
/// runs, tasks, check results and events. It is the sum of its roles, each a contract a second ledger (PostgreSQL next)
/// implements and the suites in tests/Takt.Tests/Contracts check; a part of Takt that needs one concern takes that role.
/// SQLite by default (<see cref="Sqlite.SqliteLedger"/>).
/// </summary>
/// <remarks>
/// What every role may rely on, unless a member says otherwise:
/// <list type="bullet">
/// <item>Each write is atomic (all of it or nothing) and, once it returned, durable and seen by every reader of the same
/// store, through this instance or another one (another process).</item>
/// <item>A few writes nobody waits for (a task's start and finish, a lease given back) may be <em>deferred</em>: they are
/// seen at once through the instance that made them, by other instances within a second (or at this instance's next write
/// or <see cref="IDisposable.Dispose"/>), and they are never reordered after a later write of the same instance.</item>
/// <item>Instances are safe to use from many threads at once.</item>
/// <item>Reads return lists in a stable order (the one each member names).</item>
/// </list>
/// </remarks>
public partial interface ILedger : IBoxLedger, ILeaseLedger, IRunLog, IEnvironmentLedger, IPublicationLedger, IFileLedger, ILandingLedger,
    ILedgerQueries, IProfileLedger, IDisposable
{
    /// <summary>Names the store for people ("sqlite:/home/x/ledger.db"): error messages and <c>describe</c> show it.</summary>
    string Describe { get; }

    /// <summary>Write failures of this ledger seen off the caller's thread; a build stops at the first (see <see cref="LedgerFaults"/>).</summary>
    LedgerFaults Faults { get; }
}
