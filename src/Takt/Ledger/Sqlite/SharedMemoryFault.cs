using System.Runtime.InteropServices;
using System.Text;

namespace Takt.Ledger.Sqlite;

/// <summary>
/// SQLite maps the ledger's <c>-shm</c> file into memory. When that file can no longer be written (made immutable, or
/// its disk failed), the next write to the mapping is a SIGBUS inside SQLite, not an error code, and the process dies
/// with no word. On Linux this installs a SIGBUS handler that says so in one line naming the ledger, and exits with
/// code 3; the ledger keeps what it committed, as after any crash.
/// </summary>
internal static class SharedMemoryFault
{
    private const int Sigbus = 7; // Linux, on x64 and arm64 alike
    private const int ExitCode = 3; // Cli.ExitCodes.ProcessingError
    private static readonly Lock Gate = new();
    private static SignalHandler? _handler; // referenced for ever: the kernel calls it through a raw pointer
    private static byte[] _message = [];

    private delegate void SignalHandler(int signal);

    /// <summary>Names <paramref name="ledger"/> in the message (the last ledger opened in the process); installs the handler once.</summary>
    public static void Watch(string ledger)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64)) return;
        lock (Gate)
        {
            _message = Encoding.UTF8.GetBytes(
                $"error: the ledger {ledger} could not be written: its shared memory file {ledger}-shm refused a write (SIGBUS: is it immutable, or is its disk failing?); the process stopped, what was committed is kept.\n");
            if (_handler is not null) return;
            var handler = new SignalHandler(OnSigbus);
            var action = new SigAction { Handler = Marshal.GetFunctionPointerForDelegate(handler), Mask = new ulong[16] };
            if (SigActionCall(Sigbus, ref action, IntPtr.Zero) == 0) _handler = handler;
        }
    }

    /// <summary>Runs on the faulting thread, inside SQLite: no allocation, no lock, only write(2) and _exit(2).</summary>
    private static void OnSigbus(int signal)
    {
        var message = _message;
        _ = Write(2, message, message.Length);
        Exit(ExitCode);
    }

    /// <summary>glibc's <c>struct sigaction</c> on Linux x64 and arm64: handler, 1024-bit mask, flags, restorer.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SigAction
    {
        public IntPtr Handler;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = 16)]
        public ulong[] Mask;
        public int Flags;
        public IntPtr Restorer;
    }

    [DllImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static extern int SigActionCall(int signal, ref SigAction action, IntPtr previous);

    [DllImport("libc", EntryPoint = "write")]
    private static extern nint Write(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void Exit(int status);
}
