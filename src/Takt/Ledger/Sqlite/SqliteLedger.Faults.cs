using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

/// <summary>How the embedded ledger fails: in one line naming the ledger, the path that is not writable and the cause.</summary>
public sealed partial class SqliteLedger
{
    private LedgerFaults? _faults;

    public LedgerFaults Faults => _faults ??= new LedgerFaults(LedgerPath, () => NotWritable(LedgerPath));

    private string LedgerPath => Describe["sqlite:".Length..];

    /// <summary>
    /// SQLite says "unable to open database file" or "readonly database" without a path: find which of the directory,
    /// the ledger file and its -wal and -shm files cannot be written, and say so.
    /// </summary>
    private static LedgerFaultException OpenFailure(string path, SqliteException e)
    {
        var full = Path.GetFullPath(path);
        var why = NotWritable(full) ?? $"{LedgerFaults.Cause(e)}";
        return new LedgerFaultException($"cannot open the ledger {full}: {why}.", e);
    }

    private static string? NotWritable(string ledger)
    {
        var directory = Path.GetDirectoryName(ledger)!;
        var probe = Path.Combine(directory, $".takt-write-probe-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException)
        {
            return $"its directory {directory} is not writable ({Reason(x)})";
        }
        foreach (var file in new[] { ledger, ledger + "-wal", ledger + "-shm" })
        {
            if (!File.Exists(file)) continue;
            try
            {
                using (File.OpenHandle(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite)) { }
            }
            catch (Exception x) when (x is IOException or UnauthorizedAccessException)
            {
                return $"{file} is not writable ({Reason(x)})";
            }
        }
        return null;
    }

    /// <summary>.NET's message without the path it repeats: "Read-only file system : '/x'" reads "Read-only file system".</summary>
    private static string Reason(Exception x) => x.Message.Split(" : '", 2)[0].TrimEnd('.');
}
