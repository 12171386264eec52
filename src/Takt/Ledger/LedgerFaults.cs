namespace Takt.Ledger;

/// <summary>
/// The ledger cannot record work (disk full, file immutable, home read-only): one line naming the ledger and the cause.
/// What the ledger committed before is kept; the command stops with exit code 3.
/// </summary>
public sealed class LedgerFaultException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The first write failure of a ledger that happened where nobody waits for an answer: a lease renewal, the deferred
/// writes' flush, a checkpoint, the lineage exporter. Such a thread must not throw (that kills the process); it reports
/// here, and the build that uses the ledger stops starting tasks and ends with this fault.
/// </summary>
/// <param name="diagnose">Says which of the ledger's paths cannot be written, if one cannot (SQLite's "disk I/O error" does not).</param>
public sealed class LedgerFaults(string ledger, Func<string?>? diagnose = null)
{
    private LedgerFaultException? _first;

    /// <summary>The first fault reported, or null while the ledger writes fine.</summary>
    public LedgerFaultException? First => Volatile.Read(ref _first);

    /// <summary>Records <paramref name="e"/> (the first one wins) and returns the fault to throw.</summary>
    public LedgerFaultException Report(Exception e)
    {
        if (First is { } first) return first;
        var fault = e as LedgerFaultException ?? new LedgerFaultException(
            $"the ledger {ledger} could not be written ({Cause(e)}{(diagnose?.Invoke() is { } path ? $": {path}" : "")}); the build stopped, what was committed is kept.", e);
        return Interlocked.CompareExchange(ref _first, fault, null) ?? fault;
    }

    public void ThrowIfAny()
    {
        if (First is { } fault) throw fault;
    }

    /// <summary>"SQLite Error 13: 'database or disk is full'." reads as "database or disk is full, SQLite error 13".</summary>
    internal static string Cause(Exception e) => e switch
    {
        Microsoft.Data.Sqlite.SqliteException s => $"{s.Message.Split(": ", 2).Last().Trim().TrimEnd('.').Trim('\'')}, SQLite error {s.SqliteErrorCode}",
        Storage.StorageException { InnerException: { } backend } => Cause(backend), // the message names the store again
        _ => e.Message.ReplaceLineEndings(" ").TrimEnd('.'),
    };
}
