using System.Runtime.InteropServices;

namespace Takt.Lake;

/// <summary>Flushes files and directories to disk (fsync), so that what the ledger is about to name survives a power loss.</summary>
internal static class FileSync
{
    public static void FlushFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Flushes a directory's entries (names created, renamed or removed in it). Windows has no such call; NTFS journals them.</summary>
    public static void FlushDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        var fd = Open(path, 0 /* O_RDONLY: a directory can be opened, not written */);
        if (fd < 0) throw Failure("open", path);
        try
        {
            if (Fsync(fd) != 0) throw Failure("fsync", path);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static IOException Failure(string call, string path) =>
        new($"Cannot flush directory {path} to disk ({call}): {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    // Strings marshal as UTF-8 on Unix. (LibraryImport would need unsafe code enabled in the project.)
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
