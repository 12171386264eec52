namespace Takt.Ledger;

/// <summary>
/// The ledger holds something this Takt cannot read (a status word no version of Takt writes): one line naming the
/// ledger, the row and the value. Nothing is guessed in its place; the command stops with exit code 3.
/// </summary>
public sealed class LedgerDataException(string message) : Exception(message);
