using System;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Opens files for reading only when they are regular files, without ever blocking: a FIFO named
/// like a segment (or a position file) would make a plain open() wait for a writer forever, and a
/// device such as /dev/zero never ends. On Unix the file is opened with O_NONBLOCK and its type is
/// checked on the open descriptor (fstat), so nothing can be swapped in between a check and the open.
/// </summary>
internal static unsafe class RegularFile
{
    /// <summary>
    /// A handle for reading <paramref name="path"/>, or null with <paramref name="notRegular"/> saying what
    /// the file is instead (a FIFO, a device, a socket, a directory). Throws the usual I/O exceptions
    /// (<see cref="FileNotFoundException"/>, <see cref="UnauthorizedAccessException"/>, …).
    /// </summary>
    internal static SafeFileHandle? OpenForRead(string path, out string? notRegular)
    {
        notRegular = null;
        if (OperatingSystem.IsWindows() || !Posix.IsSupported)
        {
            // Windows has no FIFOs in folders; devices are not files there.
            if (Directory.Exists(path)) { notRegular = "a directory"; return null; }
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        int fd = Posix.open(path, Posix.O_RDONLY | Posix.NonBlock | Posix.CloseOnExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Posix.ENXIO) { notRegular = "a socket or a device without a reader"; return null; }
            throw Posix.Exception(errno, path);
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        string? kind = Posix.KindOf(fd);
        if (kind is not null)
        {
            handle.Dispose();
            notRegular = kind;
            return null;
        }
        return handle;
    }

    /// <summary>
    /// Reads at most <paramref name="limit"/> bytes from the start of a regular file (a small file a
    /// reader keeps, such as a saved position), never blocking on a FIFO nor reading a device forever.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="limit">The most bytes wanted.</param>
    /// <param name="notRegular">When the result is null: what the file is instead (<c>a FIFO</c>, <c>a character device</c>…).</param>
    /// <param name="longer">True when the file holds more than <paramref name="limit"/> bytes.</param>
    /// <returns>The bytes read, or null when the file is not a regular file.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    internal static byte[]? ReadPrefix(string path, int limit, out string? notRegular, out bool longer)
    {
        longer = false;
        using SafeFileHandle? handle = OpenForRead(path, out notRegular);
        if (handle is null) return null;
        var buffer = new byte[limit + 1];
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer.AsSpan(total), total);
            if (n <= 0) break;
            total += n;
        }
        longer = total > limit;
        return buffer.AsSpan(0, Math.Min(total, limit)).ToArray();
    }

    private static class Posix
    {
        public const int O_RDONLY = 0;
        public const int ENXIO = 6;
        private const int ENOENT = 2;
        private const int EACCES = 13;
        private const int ENOTDIR = 20;
        private const int ELOOP = 40;

        private const int S_IFMT = 0xF000;
        private const int S_IFREG = 0x8000;

        // Flag values and where st_mode sits in struct stat differ by OS and architecture; where this
        // does not know them, files are opened the .NET way (which blocks on a FIFO) as before.
        public static readonly bool IsSupported;
        public static readonly int NonBlock;
        public static readonly int CloseOnExec;
        private static readonly int ModeOffset;
        private static readonly bool ModeIs16Bits;

        static Posix()
        {
            if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64)
            {
                NonBlock = 0x800;
                CloseOnExec = 0x80000;
                // x86-64: st_dev, st_ino, st_nlink (8 bytes each), then st_mode; the generic layout (arm64): st_dev, st_ino, st_mode.
                ModeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
                IsSupported = true;
            }
            else if (OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
            {
                NonBlock = 0x4;
                CloseOnExec = 0x1000000;
                ModeOffset = 4; // st_dev (4 bytes), then a 16-bit st_mode
                ModeIs16Bits = true;
                IsSupported = true;
            }
        }

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
        private static extern int fstat(int fd, byte* buffer);

        /// <summary>Null for a regular file, else what the descriptor is.</summary>
        public static string? KindOf(int fd)
        {
            byte* stat = stackalloc byte[512];
            int mode;
            try
            {
                if (fstat(fd, stat) != 0) return "a file whose type cannot be read";
                mode = ModeIs16Bits ? *(ushort*)(stat + ModeOffset) : *(int*)(stat + ModeOffset);
            }
            catch (EntryPointNotFoundException)
            {
                // An older C library without an fstat symbol: the non-blocking open already keeps reads from hanging.
                return null;
            }
            return (mode & S_IFMT) switch
            {
                S_IFREG => null,
                0x1000 => "a FIFO",
                0x2000 => "a character device",
                0x4000 => "a directory",
                0x6000 => "a block device",
                0xC000 => "a socket",
                _ => "not a regular file",
            };
        }

        public static Exception Exception(int errno, string path) => errno switch
        {
            ENOENT or ENOTDIR => new FileNotFoundException($"Could not find file '{path}'.", path),
            EACCES => new UnauthorizedAccessException($"Access to the path '{path}' is denied."),
            ELOOP => new IOException($"Too many levels of symbolic links: '{path}'."),
            _ => new IOException($"Cannot open '{path}' (errno {errno}).", errno),
        };
    }
}
