using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sinks.Mmap.Storage;

/// <summary>What a path or an open file is, as far as the writer cares.</summary>
internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    SymbolicLink,
    Fifo,
    Other,
}

/// <summary>Which file an open handle or a path names: device and inode, and how many names it has left.</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, uint Links, FileKind Kind, long Length = -1);

/// <summary>
/// The system calls the writer needs to own its files safely in a folder others can write to
/// (Linux only; <see cref="IsSupported"/>): open without following links and without blocking on a
/// FIFO, tell files apart by inode, and mark a segment "in use" with an open-file-description lock.
/// </summary>
/// <remarks>
/// <para>.NET's <c>FileStream</c> follows symbolic links, blocks on a FIFO opened for writing, and takes
/// <c>flock</c> locks of its own on every open; none of that is safe for the lock file and the
/// segments. Handles opened here carry no lock but the ones taken explicitly.</para>
/// <para>The segment lock is an OFD lock (<c>F_OFD_SETLK</c>), not <c>flock</c>: readers (and .NET's own
/// opens) take shared <c>flock</c> locks, which would make a segment that a follower reads look "in
/// use" to recovery; OFD record locks and <c>flock</c> locks never conflict on Linux. Unlike classic
/// POSIX record locks, OFD locks belong to the open file, so two writers in one process exclude each
/// other too.</para>
/// <para><c>statx</c> rather than <c>stat</c>: its buffer has one layout on every architecture.</para>
/// </remarks>
internal static unsafe class UnixFiles
{
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int EISDIR = 21;
    public const int ELOOP = 40;
    public const int ENXIO = 6;
    public const int ENOENT = 2;

    private const int O_RDONLY = 0;
    private const int O_RDWR = 2;
    private const int O_CREAT = 0x40;
    private const int O_EXCL = 0x80;
    private const int O_NOCTTY = 0x100;
    private const int O_NONBLOCK = 0x800;
    private const int O_CLOEXEC = 0x80000;
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int F_OFD_SETLK = 37;
    private const short F_WRLCK = 1;
    private const int AT_FDCWD = -100;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_BASIC_STATS = 0x7FF;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int gettid();

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int setpriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static extern int flock(int fd, int operation);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int fcntl(int fd, int command, FlockRecord* record);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* buffer);

    [DllImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static extern int ftruncate(int fd, long length);

    [DllImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static extern nint pwrite(int fd, byte* buffer, nuint count, long offset);

    [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static extern nint pread(int fd, byte* buffer, nuint count, long offset);

    /// <summary>The Linux <c>struct flock</c> on 64-bit architectures.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FlockRecord
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
        private int _padding;
    }

    /// <summary>The writer's safe file handling runs on Linux; elsewhere it keeps .NET's own file APIs.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    // O_NOFOLLOW differs between architectures: arm, arm64 and powerpc use the old values.
    private static int O_NOFOLLOW => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Ppc64le ? 0x8000 : 0x20000;

    /// <summary>
    /// Opens <paramref name="path"/> read-write without following a symbolic link at its last
    /// component and without blocking on a FIFO, and only when it is a regular file. With
    /// <paramref name="createNew"/> the file must not exist yet (O_EXCL: a planted link or FIFO under
    /// that name fails with EEXIST); with <paramref name="create"/> it is created when missing.
    /// Null with the reason otherwise.
    /// </summary>
    public static SafeFileHandle? OpenRegular(string path, bool writable, bool create, bool createNew, out FileKind kind, out int errno)
    {
        int flags = (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
        if (create || createNew) flags |= O_CREAT;
        if (createNew) flags |= O_EXCL;
        int fd = open(path, flags, 0x1A4 /* 0644 */);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            kind = errno switch
            {
                ELOOP => FileKind.SymbolicLink,
                EISDIR => FileKind.Directory,
                ENOENT => FileKind.Missing,
                ENXIO => FileKind.Fifo,
                _ => KindAt(path),
            };
            return null;
        }
        var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        FileIdentity identity = Identify(handle);
        kind = identity.Kind;
        if (kind != FileKind.Regular)
        {
            handle.Dispose();
            errno = 0;
            return null;
        }
        errno = 0;
        return handle;
    }

    /// <summary>
    /// Makes the folder's entries durable (fsync on the folder): a rename or an unlink is on disk once
    /// this returns. False with the errno when the folder cannot be opened or synced.
    /// </summary>
    public static bool SyncDirectory(string directory, out int errno)
    {
        int O_DIRECTORY = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Ppc64le ? 0x4000 : 0x10000;
        int fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }
        bool synced = Check(fsync(fd), out errno);
        close(fd);
        return synced;
    }

    /// <summary>
    /// Gives the calling thread the lowest CPU priority (nice 19): on Linux a nice value is per thread,
    /// while .NET's <c>Thread.Priority</c> changes nothing there. False where that cannot be done.
    /// </summary>
    public static bool LowerCurrentThreadPriority()
    {
        if (!IsSupported) return false;
        try
        {
            return setpriority(0 /* PRIO_PROCESS: with a thread id, that thread */, gettid(), 19) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>What is at <paramref name="path"/> itself (a link is not followed).</summary>
    public static FileKind KindAt(string path) => IdentifyPath(path)?.Kind ?? FileKind.Missing;

    /// <summary>The identity of the file <paramref name="path"/> names (a link is not followed); null when nothing is there.</summary>
    public static FileIdentity? IdentifyPath(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer) != 0)
        {
            return null;
        }
        return Read(buffer);
    }

    /// <summary>The identity of an open file.</summary>
    public static FileIdentity Identify(SafeFileHandle handle)
    {
        byte* buffer = stackalloc byte[256];
        using var fd = new FdLease(handle);
        return statx(fd.Value, "", AT_EMPTY_PATH, STATX_BASIC_STATS, buffer) == 0 ? Read(buffer) : new FileIdentity(0, 0, 0, FileKind.Other, -1);
    }

    // struct statx: stx_nlink u32 @16, stx_mode u16 @28, stx_ino u64 @32, stx_size u64 @40, stx_dev_major u32 @136, stx_dev_minor u32 @140.
    private static FileIdentity Read(byte* buffer)
    {
        uint links = *(uint*)(buffer + 16);
        ushort mode = *(ushort*)(buffer + 28);
        ulong inode = *(ulong*)(buffer + 32);
        long length = (long)Math.Min(*(ulong*)(buffer + 40), long.MaxValue);
        ulong device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        FileKind kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.Fifo,
            _ => FileKind.Other,
        };
        return new FileIdentity(device, inode, links, kind, length);
    }

    /// <summary>flock(LOCK_EX | LOCK_NB): false when another open file holds it (errno EWOULDBLOCK).</summary>
    public static bool TryLockExclusive(SafeFileHandle handle, out int errno)
    {
        using var fd = new FdLease(handle);
        return Check(flock(fd.Value, LOCK_EX | LOCK_NB), out errno);
    }

    /// <summary>
    /// Takes the "segment in use" lock (an OFD write lock on the first byte) without waiting; false
    /// when another open file holds it: a writer, in this process or another, has the segment mapped.
    /// The lock goes away when the handle is closed, or when the process dies.
    /// </summary>
    public static bool TryLockSegment(SafeFileHandle handle, out int errno)
    {
        var record = new FlockRecord { Type = F_WRLCK, Whence = 0, Start = 0, Length = 1 };
        using var fd = new FdLease(handle);
        return Check(fcntl(fd.Value, F_OFD_SETLK, &record), out errno);
    }

    /// <summary>Truncates the file to <paramref name="length"/> bytes.</summary>
    public static bool Truncate(SafeFileHandle handle, long length, out int errno)
    {
        using var fd = new FdLease(handle);
        return Check(ftruncate(fd.Value, length), out errno);
    }

    /// <summary>Writes all of <paramref name="bytes"/> at <paramref name="offset"/>.</summary>
    public static bool WriteAt(SafeFileHandle handle, ReadOnlySpan<byte> bytes, long offset, out int errno)
    {
        using var fd = new FdLease(handle);
        fixed (byte* p = bytes)
        {
            return Check(pwrite(fd.Value, p, (nuint)bytes.Length, offset) == bytes.Length ? 0 : -1, out errno);
        }
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>; -1 on failure.</summary>
    public static int ReadAt(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        using var fd = new FdLease(handle);
        fixed (byte* p = buffer)
        {
            return (int)pread(fd.Value, p, (nuint)buffer.Length, offset);
        }
    }

    private static bool Check(int result, out int errno)
    {
        errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        return result == 0;
    }

    /// <summary>A handle's descriptor, kept open (AddRef) for the length of one call.</summary>
    private ref struct FdLease
    {
        private readonly SafeFileHandle _handle;
        private bool _added;

        public FdLease(SafeFileHandle handle)
        {
            _handle = handle;
            _added = false;
            handle.DangerousAddRef(ref _added);
            Value = (int)handle.DangerousGetHandle();
        }

        public int Value { get; }

        public void Dispose()
        {
            if (_added) _handle.DangerousRelease();
            _added = false;
        }
    }

    /// <summary>The exception .NET itself would throw for <paramref name="errno"/> on <paramref name="path"/>.</summary>
    public static Exception ToException(int errno, string path) => errno switch
    {
        EACCES or 1 /* EPERM */ => new UnauthorizedAccessException($"Access to the path '{path}' is denied ({Marshal.GetPInvokeErrorMessage(errno)})."),
        _ => new System.IO.IOException($"{Marshal.GetPInvokeErrorMessage(errno)} : '{path}'", errno),
    };

    /// <summary>Words for a file kind in a report.</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Directory => "a directory",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Fifo => "a FIFO",
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        _ => "not a regular file",
    };
}
