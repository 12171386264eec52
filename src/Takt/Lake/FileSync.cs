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
        WithDirectory(path, fd =>
        {
            if (Fsync(fd) != 0) throw Failure("fsync", path);
        });
    }

    /// <summary>Whether <see cref="FlushFileSystems"/> can serve here (Linux: <c>syncfs</c> and <c>statx</c>).</summary>
    public static bool CanFlushFileSystems => OperatingSystem.IsLinux();

    /// <summary>
    /// Makes everything written to the file systems that hold <paramref name="directories"/> durable, with one barrier per
    /// file system instead of one per file and directory: <c>syncfs</c> writes every dirty file, inode and directory block
    /// of the file system and waits for them, then an <c>fsync</c> of one of the directories issues the disk cache flush.
    /// That second call is needed because on ext4 without a journal <c>syncfs</c> flushes the cache before its last
    /// wait for the metadata blocks, so the directory entries could still sit in a volatile cache. Linux only
    /// (<see cref="CanFlushFileSystems"/>).
    /// </summary>
    public static void FlushFileSystems(IEnumerable<string> directories)
    {
        var byDevice = new Dictionary<ulong, string>();
        foreach (var dir in directories) byDevice.TryAdd(DeviceOf(dir), dir);
        foreach (var dir in byDevice.Values)
            WithDirectory(dir, fd =>
            {
                if (Syncfs(fd) != 0) throw Failure("syncfs", dir);
                if (Fsync(fd) != 0) throw Failure("fsync", dir);
            });
    }

    /// <summary>The device (file system) a path lies on, from <c>statx</c>, whose buffer layout is the same on every architecture.</summary>
    private static ulong DeviceOf(string path)
    {
        var buffer = new byte[256];
        if (Statx(AtFdCwd, path, 0, 0, buffer) != 0) throw Failure("statx", path);
        var major = BitConverter.ToUInt32(buffer, 136); // stx_dev_major
        var minor = BitConverter.ToUInt32(buffer, 140); // stx_dev_minor
        return ((ulong)major << 32) | minor;
    }

    private static void WithDirectory(string path, Action<int> use)
    {
        var fd = Open(path, 0 /* O_RDONLY: a directory can be opened, not written */);
        if (fd < 0) throw Failure("open", path);
        try
        {
            use(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static IOException Failure(string call, string path) =>
        new($"Cannot flush {path} to disk ({call}): {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    private const int AtFdCwd = -100;

    // Strings marshal as UTF-8 on Unix. (LibraryImport would need unsafe code enabled in the project.)
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static extern int Syncfs(int fd);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
