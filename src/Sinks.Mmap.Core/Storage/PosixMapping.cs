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
    private const int PROT_NONE = 0;
    private const int PROT_READ = 1;
    private const int PROT_WRITE = 2;
    private const int MAP_SHARED = 1;
    // Linux's values (the same on x86-64 and arm64); only used on Linux.
    private const int MAP_PRIVATE_LINUX = 2;
    private const int MAP_FIXED_LINUX = 0x10;
    private const int MAP_ANONYMOUS_LINUX = 0x20;
    private const int MAP_NORESERVE_LINUX = 0x4000;
    private const int MADV_HUGEPAGE_LINUX = 14;
    private const int MADV_POPULATE_WRITE_LINUX = 23;
    private const int EINVAL_LINUX = 22;

    /// <summary>The size of a PMD mapping on x86-64 and arm64 (4 KiB pages): what a huge page maps.</summary>
    public const long HugePageBytes = 2L << 20;

    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static extern void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static extern int munmap(void* address, nuint length);

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int madvise(void* address, nuint length, int advice);

    public static bool IsAvailable => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>
    /// Maps the first <paramref name="length"/> bytes of the file shared and writable; null with an errno
    /// on failure. On Linux, a mapping of 2 MiB or more starts on a 2 MiB boundary and is advised
    /// <c>MADV_HUGEPAGE</c>, so the kernel can map the file's large folios (ext4 and tmpfs have them
    /// on recent kernels) with one page-table entry per 2 MiB instead of 512.
    /// </summary>
    /// <remarks>
    /// Measured on the benchmark VM (Linux 6.18, ext4, 64-byte records written into a 64 MiB mapping
    /// already populated): 4 KiB pages, 47–107 ns a record, the first use of every page trapping to the
    /// hypervisor; 2 MiB mappings, 5.8 ns, one trap per 2 MiB (DESIGN.md, *Huge mappings*). Where the
    /// kernel cannot (older ext4, THP off, a file system without large folios) the advice changes nothing
    /// and the mapping is as before.
    /// </remarks>
    public static byte* MapShared(SafeFileHandle file, long length, out int errno)
    {
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            int fd = (int)file.DangerousGetHandle();
            byte* aligned = OperatingSystem.IsLinux() && length >= HugePageBytes ? MapSharedAligned(fd, length) : null;
            if (aligned != null)
            {
                errno = 0;
                return aligned;
            }
            void* address = mmap(null, (nuint)length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
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

    /// <summary>
    /// The file mapped at a 2 MiB boundary, advised huge pages; null when any step fails (the caller
    /// then maps it the plain way). The boundary comes from reserving 2 MiB more address space than
    /// needed (no memory, no access), mapping the file over the aligned part of it and giving back the rest.
    /// </summary>
    private static byte* MapSharedAligned(int fd, long length)
    {
        nuint reserved = (nuint)(length + HugePageBytes);
        void* reservation = mmap(null, reserved, PROT_NONE, MAP_PRIVATE_LINUX | MAP_ANONYMOUS_LINUX | MAP_NORESERVE_LINUX, -1, 0);
        if (reservation == (void*)-1)
        {
            return null;
        }
        byte* start = (byte*)reservation;
        byte* aligned = (byte*)(((nuint)start + (nuint)(HugePageBytes - 1)) & ~(nuint)(HugePageBytes - 1));
        // MAP_FIXED replaces the part of our own reservation it lands on, and nothing else.
        void* mapped = mmap(aligned, (nuint)length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_LINUX, fd, 0);
        if (mapped == (void*)-1)
        {
            munmap(reservation, reserved);
            return null;
        }
        byte* end = aligned + length;
        if (aligned > start)
        {
            munmap(start, (nuint)(aligned - start));
        }
        if (start + reserved > end)
        {
            munmap(end, (nuint)(start + reserved - end));
        }
        // Advice only: THP set to never, or a kernel that ignores it for files, leaves a plain mapping.
        madvise(aligned, (nuint)length, MADV_HUGEPAGE_LINUX);
        return aligned;
    }

    /// <summary>Unmaps without writing anything back: dirty pages stay in the page cache for the kernel to write later.</summary>
    public static void Unmap(byte* address, long length) => munmap(address, (nuint)length);

    /// <summary>
    /// Faults every page in writable, in one system call (Linux 5.14+). <see cref="PopulateResult.Unsupported"/>
    /// where the kernel does not know the advice (EINVAL): the caller then touches the pages itself.
    /// <see cref="PopulateResult.Refused"/> when the kernel could not make a page writable: EFAULT says a
    /// write there would raise SIGBUS (the file was cut short under the mapping), so a touch would crash
    /// the process.
    /// </summary>
    public static PopulateResult PopulateWrite(byte* address, long length)
    {
        if (!OperatingSystem.IsLinux()) return PopulateResult.Unsupported;
        if (madvise(address, (nuint)length, MADV_POPULATE_WRITE_LINUX) == 0) return PopulateResult.Populated;
        return Marshal.GetLastPInvokeError() == EINVAL_LINUX ? PopulateResult.Unsupported : PopulateResult.Refused;
    }
}

/// <summary>What <see cref="PosixMapping.PopulateWrite"/> did with a range.</summary>
internal enum PopulateResult
{
    /// <summary>Every page of the range is writable.</summary>
    Populated,

    /// <summary>The kernel does not know the advice (or this is not Linux): touch the pages instead.</summary>
    Unsupported,

    /// <summary>The kernel could not make some page writable; touching it would fault the same way.</summary>
    Refused,
}
