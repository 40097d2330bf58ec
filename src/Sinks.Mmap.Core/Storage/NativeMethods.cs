using System;
using System.Runtime.InteropServices;

namespace Sinks.Mmap.Storage;

/// <summary>msync for a dirty byte range; .NET only offers a flush of the whole view.</summary>
internal static unsafe partial class NativeMethods
{
    private const int MS_SYNC_LINUX = 4;
    private const int MS_SYNC_DARWIN = 0x10;

    [DllImport("libc", EntryPoint = "msync", SetLastError = true)]
    private static extern int msync(void* address, nuint length, int flags);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint read(int fd, byte* buffer, nuint count);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int close(int fd);

    /// <summary>
    /// Reads the start of a file with plain open/read, bypassing the advisory flock that .NET takes
    /// on every open on Unix (which fails while the writer lock is held). -1 when it cannot.
    /// </summary>
    public static int ReadUnlocked(string path, Span<byte> buffer)
    {
        if (OperatingSystem.IsWindows()) return -1;
        int fd = open(path, 0 /* O_RDONLY */);
        if (fd < 0) return -1;
        try
        {
            fixed (byte* p = buffer)
            {
                return (int)read(fd, p, (nuint)buffer.Length);
            }
        }
        finally
        {
            close(fd);
        }
    }

    public static bool CanSyncRange => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>Writes the pages covering [start, start+length) to the file and waits; false on failure.</summary>
    public static bool SyncRange(byte* start, long length, out int errno)
    {
        long page = Environment.SystemPageSize;
        long address = (long)start;
        long alignedStart = address & ~(page - 1);
        long alignedLength = length + (address - alignedStart);
        int flags = OperatingSystem.IsLinux() ? MS_SYNC_LINUX : MS_SYNC_DARWIN;
        int rc = msync((void*)alignedStart, (nuint)alignedLength, flags);
        errno = rc == 0 ? 0 : Marshal.GetLastPInvokeError();
        return rc == 0;
    }
}
