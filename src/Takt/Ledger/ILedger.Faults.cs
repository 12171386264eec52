namespace Takt.Ledger;

public partial interface ILedger
{
    /// <summary>Write failures of this ledger seen off the caller's thread; a build stops at the first (see <see cref="LedgerFaults"/>).</summary>
    LedgerFaults Faults { get; }
}
