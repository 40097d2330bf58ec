using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sinks.Mmap.Storage;

/// <summary>
/// mmap, munmap and madvise straight from libc, for the writer's segments on Linux and macOS.
/// </summary>
/// <remarks>
/// Not <see cref="System.IO.MemoryMappedFiles.MemoryMappedViewAccessor"/>: its Dispose runs
/// msync(MS_SYNC) over the whole view while it is still mapped. That forces every closed segment to
/// disk even when nobody asked for durability, and writing back mapped pages makes the kernel
/// write-protect each one with a TLB shoot-down that interrupts every thread of the process, the
/// logging threads included: thousands of interrupts per 64 MiB segment (measured in DESIGN.md).
/// </remarks>
internal static unsafe class PosixMapping
{
    private const int PROT_READ = 1;
    private const int PROT_WRITE = 2;
    private const int MAP_SHARED = 1;
    private const int MADV_POPULATE_WRITE_LINUX = 23;

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static extern int munmap(void* address, nuint length);

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int madvise(void* address, nuint length, int advice);

    public static bool IsAvailable => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>Maps the first <paramref name="length"/> bytes of the file shared and writable; null with an errno on failure.</summary>
    public static byte* MapShared(SafeFileHandle file, long length, out int errno)
    {
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            void* address = mmap(null, (nuint)length, PROT_READ | PROT_WRITE, MAP_SHARED, (int)file.DangerousGetHandle(), 0);
            if (address == (void*)-1)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }
            errno = 0;
            return (byte*)address;
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    /// <summary>Unmaps without writing anything back: dirty pages stay in the page cache for the kernel to write later.</summary>
    public static void Unmap(byte* address, long length) => munmap(address, (nuint)length);

    /// <summary>
    /// Faults every page in writable, in one system call (Linux 5.14+). False where the kernel does
    /// not know the advice; the caller then touches the pages itself.
    /// </summary>
    public static bool TryPopulateWrite(byte* address, long length)
    {
        if (!OperatingSystem.IsLinux()) return false;
        return madvise(address, (nuint)length, MADV_POPULATE_WRITE_LINUX) == 0;
    }
}
