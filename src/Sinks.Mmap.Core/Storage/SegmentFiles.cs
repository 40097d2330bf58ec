using System;
using System.IO;
using Microsoft.Win32.SafeHandles;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Storage;

/// <summary>Creates segment files with every block allocated up front.</summary>
internal static class SegmentFiles
{
    /// <summary>
    /// Creates <paramref name="path"/> at <paramref name="capacity"/> bytes with real blocks, so a full
    /// disk fails here (an <see cref="IOException"/>) instead of as SIGBUS when a mapped page is
    /// first written. The file is never sparse: where the file system cannot preallocate, zeros are
    /// written.
    /// </summary>
    /// <remarks>
    /// On Linux the file is created with O_EXCL and O_NOFOLLOW, so nothing already at that name (a
    /// planted link, a FIFO, a folder, another writer's segment) is ever opened: that throws
    /// <see cref="SegmentNameTakenException"/> and the caller moves on to the next number. The new file is
    /// locked as "in use" (<see cref="UnixFiles.TryLockSegment"/>) until it is closed, so recovery in another
    /// process never repairs, and so truncates, a segment this writer has mapped.
    /// </remarks>
    public static FileStream CreatePreallocated(string path, long capacity)
    {
        string? directory = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        if (UnixFiles.IsSupported)
        {
            return CreateUnix(path, capacity);
        }
        if (File.Exists(path) || Directory.Exists(path))
        {
            throw new SegmentNameTakenException(path, Directory.Exists(path) ? FileKind.Directory : FileKind.Other);
        }
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read | FileShare.Delete,
            PreallocationSize = capacity,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }
        FileStream file = new(path, options);
        return Allocated(file, path, capacity);
    }

    /// <summary>Gives the new <paramref name="file"/> real blocks up to <paramref name="capacity"/>; deletes it when that fails.</summary>
    private static FileStream Allocated(FileStream file, string path, long capacity)
    {
        try
        {
            if (file.Length < capacity)
            {
                // Preallocation keeps the size at 0 on some platforms: extend over the allocated
                // blocks. Where nothing was allocated, write zeros rather than leave a sparse hole.
                if (!PlatformAllocate(file, capacity))
                {
                    WriteZeros(file, capacity);
                }
                else if (file.Length < capacity)
                {
                    file.SetLength(capacity);
                }
            }
            return file;
        }
        catch
        {
            file.Dispose();
            TryDelete(path);
            throw;
        }
    }

    private static FileStream CreateUnix(string path, long capacity)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle? handle = UnixFiles.OpenRegular(path, writable: true, create: true, createNew: true, out FileKind kind, out int errno);
        if (handle is null)
        {
            if (errno == UnixFiles.EEXIST || kind is not (FileKind.Missing or FileKind.Regular))
            {
                throw new SegmentNameTakenException(path, errno == UnixFiles.EEXIST ? UnixFiles.KindAt(path) : kind);
            }
            throw UnixFiles.ToException(errno, path);
        }
        FileStream file;
        try
        {
            // Nobody else can have it yet: this only fails when the file system has no OFD locks.
            UnixFiles.TryLockSegment(handle, out _);
            file = new FileStream(handle, FileAccess.ReadWrite, 0);
        }
        catch
        {
            handle.Dispose();
            TryDelete(path);
            throw;
        }
        return Allocated(file, path, capacity);
    }

    private static bool PlatformAllocate(FileStream file, long capacity)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        int rc = PosixFallocate.Allocate(file.SafeFileHandle, capacity);
        if (rc == 0)
        {
            return true;
        }
        if (rc == PosixFallocate.ENOSPC || rc == PosixFallocate.EFBIG || rc == PosixFallocate.EDQUOT)
        {
            throw new IOException($"No space left to preallocate {capacity} bytes for {System.IO.Path.GetFileName(file.Name)} (errno {rc}).", rc);
        }
        return false;
    }

    private static void WriteZeros(FileStream file, long capacity)
    {
        byte[] zeros = new byte[Math.Min(capacity, 1 << 20)];
        file.Position = file.Length;
        long remaining = capacity - file.Length;
        while (remaining > 0)
        {
            int n = (int)Math.Min(remaining, zeros.Length);
            file.Write(zeros, 0, n);
            remaining -= n;
        }
        file.Flush(flushToDisk: false);
    }

    public static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Reads <paramref name="destination"/> from <paramref name="offset"/>, as much as the file holds; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle handle, Span<byte> destination, long offset)
    {
        int got = 0;
        while (got < destination.Length)
        {
            int n = RandomAccess.Read(handle, destination[got..], offset + got);
            if (n <= 0) break;
            got += n;
        }
        return got;
    }

    /// <summary>
    /// True when the open segment ends with a valid EndOfSegment record (a cleanly closed segment),
    /// whose sequence is <paramref name="sequence"/>.
    /// </summary>
    public static bool TryReadSeal(SafeFileHandle handle, out long sequence)
    {
        sequence = 0;
        long length = RandomAccess.GetLength(handle);
        if (length < FormatConstants.HeaderSize + FormatConstants.SealReserve)
        {
            return false;
        }
        Span<byte> tail = stackalloc byte[FormatConstants.SealReserve];
        return RandomAccess.Read(handle, tail, length - FormatConstants.SealReserve) == tail.Length
            && RecordFrame.TryReadSeal(tail, out sequence);
    }
}

/// <summary>Something that is not this writer's to take already has a segment's name.</summary>
internal sealed class SegmentNameTakenException : IOException
{
    public SegmentNameTakenException(string path, FileKind kind)
        : base($"{path} already exists ({UnixFiles.Describe(kind)})", UnixFiles.EEXIST)
    {
        Path = path;
        Kind = kind;
    }

    public string Path { get; }
    public FileKind Kind { get; }
}

/// <summary>posix_fallocate: allocates blocks and reports ENOSPC as a return value.</summary>
internal static class PosixFallocate
{
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int EDQUOT = 122;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "posix_fallocate")]
    private static extern int posix_fallocate(IntPtr fd, long offset, long length);

    public static int Allocate(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return posix_fallocate(handle.DangerousGetHandle(), 0, length);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }
}
