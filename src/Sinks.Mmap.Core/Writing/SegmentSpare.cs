using System;
using System.IO;
using System.Threading;
using Microsoft.Win32.SafeHandles;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>
/// One sealed segment that retention would have deleted, kept instead to become the writer's next
/// segment (FORMAT.md, <i>Files</i>: <c>app.mlog.spare</c>): its disk blocks and its pages in the page
/// cache are used again rather than freed and allocated anew. It is zeroed when it is taken, so by the
/// time it has a segment's name it holds what a new preallocated file holds.
/// </summary>
/// <remarks>
/// <para>Why: a new page costs the kernel an allocation and a zeroing, and on a VM whose host backs the
/// guest's memory lazily, a first touch too. Preparing a 64 MiB segment took 8 ms while the application
/// was idle and 60–145 ms while it allocated (Serilog logging flat out), on the maintainer, whose CPU a
/// 2-core machine takes from the logging threads; deleting one took 20–25 ms more. Zeroing a file
/// whose pages are still cached takes 4–12 ms.</para>
/// <para>Only while segments fill fast (the last one was written for less than
/// <see cref="RecycleBelowMilliseconds"/>): zeroing dirties every page, and unless the writer
/// overwrites it before the kernel writes it back (after about 30 s), those zeros reach the disk once
/// more than a new file's would.</para>
/// <para>Only a file nothing else has open (the kernel grants a write lease), with a single name (no
/// hard link an archiver made) and no writer's segment lock: what anyone may still read is never
/// overwritten; such a file is deleted as before.</para>
/// </remarks>
internal sealed class SegmentSpare : IDisposable
{
    /// <summary>Recycle while the segment sealed last lasted less than this.</summary>
    public const long RecycleBelowMilliseconds = 10_000;

    /// <summary>The spare's file name: the lane's stem and extension with this after it, beside the lane's lock file.</summary>
    public const string Suffix = ".spare";

    private static readonly byte[] Zeros = new byte[256 * 1024];

    private readonly object _gate = new();
    private SafeFileHandle? _handle;
    private string? _path;
    private long _lastLifetimeMs = long.MaxValue;
    private long _recycled;

    /// <summary>Recycling needs Linux's leases and renames; elsewhere retention deletes.</summary>
    public static bool IsSupported => UnixFiles.IsSupported;

    /// <summary>The spare's path in <paramref name="naming"/>'s lane (never a segment name: readers pass it by).</summary>
    public static string PathFor(SegmentNaming naming) => Path.Combine(naming.Directory, naming.Stem + naming.Extension + Suffix);

    /// <summary>True while a spare is held.</summary>
    public bool Holding
    {
        get
        {
            lock (_gate) return _handle is not null;
        }
    }

    /// <summary>How many segments were made from a spare.</summary>
    public long Recycled => Interlocked.Read(ref _recycled);

    /// <summary>How long the segment just sealed was written, in ms.</summary>
    public void NoteSegmentLifetime(long milliseconds) => Volatile.Write(ref _lastLifetimeMs, milliseconds);

    /// <summary>
    /// Retention is about to delete <paramref name="segmentPath"/>, a sealed segment of this writer's
    /// lane (<paramref name="naming"/>): takes it as the spare (renamed, then zeroed) and returns true,
    /// or returns false and leaves it to be deleted.
    /// </summary>
    public bool TryAdopt(SegmentNaming naming, string segmentPath)
    {
        if (!IsSupported || Volatile.Read(ref _lastLifetimeMs) >= RecycleBelowMilliseconds || Holding)
        {
            return false;
        }
        SafeFileHandle? handle = UnixFiles.OpenRegular(segmentPath, writable: true, create: false, createNew: false, out _, out _);
        if (handle is null)
        {
            return false;
        }
        string spare = PathFor(naming);
        bool renamed = false;
        try
        {
            // The lease last: it is granted only while this is the file's one open descriptor.
            if (UnixFiles.Identify(handle).Links != 1 || !UnixFiles.TryLockSegment(handle, out _) || !UnixFiles.TryTakeWriteLease(handle))
            {
                handle.Dispose();
                return false;
            }
            renamed = UnixFiles.Rename(segmentPath, spare, out _);
            UnixFiles.ReleaseLease(handle);
            if (!renamed)
            {
                handle.Dispose();
                return false;
            }
            Zero(handle, spare);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (renamed) DeleteIfStillNamed(handle, spare);
            handle.Dispose();
            // Renamed, the segment's name is gone as retention wanted, spare or not.
            return renamed;
        }
        lock (_gate)
        {
            _handle = handle;
            _path = spare;
        }
        return true;
    }

    /// <summary>
    /// The spare, renamed to <paramref name="segmentPath"/> (nothing under that name is replaced) and
    /// given real blocks up to <paramref name="capacity"/>; null when there is none or it cannot take
    /// that name (it is deleted then, and the caller creates a new file). Throws as
    /// <see cref="SegmentFiles.CreatePreallocated"/> does when the blocks cannot be allocated.
    /// </summary>
    public FileStream? TryTake(SegmentNaming naming, string segmentPath, long capacity)
    {
        SafeFileHandle? handle;
        string? spare;
        lock (_gate)
        {
            (handle, spare) = (_handle, _path);
            (_handle, _path) = (null, null);
        }
        if (handle is null || spare is null)
        {
            return null;
        }
        // Another lane's name (the folder was made again and the writer moved), or a segment name taken by a planted file.
        if (spare != PathFor(naming) || !UnixFiles.RenameNoReplace(spare, segmentPath, out _))
        {
            DeleteIfStillNamed(handle, spare);
            handle.Dispose();
            return null;
        }
        FileStream file;
        try
        {
            file = new FileStream(handle, FileAccess.ReadWrite, 0);
            if (file.Length > capacity)
            {
                // A segment of a larger configured size, from before a restart.
                file.SetLength(capacity);
            }
        }
        catch
        {
            DeleteIfStillNamed(handle, segmentPath);
            handle.Dispose();
            throw;
        }
        file = SegmentFiles.Allocated(file, segmentPath, capacity);
        Interlocked.Increment(ref _recycled);
        return file;
    }

    /// <summary>Deletes the spare a writer of this lane left (killed while it held one); the caller holds the lane.</summary>
    public static void DeleteLeftover(SegmentNaming naming)
    {
        if (!IsSupported) return;
        string path = PathFor(naming);
        // Only a file of ours: a planted link, FIFO or folder under the name is left alone.
        if (UnixFiles.KindAt(path) == FileKind.Regular)
        {
            SegmentFiles.TryDelete(path);
        }
    }

    /// <summary>Lets the spare go (deleted), if one is held.</summary>
    public void Discard()
    {
        SafeFileHandle? handle;
        string? spare;
        lock (_gate)
        {
            (handle, spare) = (_handle, _path);
            (_handle, _path) = (null, null);
        }
        if (handle is not null && spare is not null)
        {
            DeleteIfStillNamed(handle, spare);
            handle.Dispose();
        }
    }

    public void Dispose() => Discard();

    private static void Zero(SafeFileHandle handle, string path)
    {
        long length = RandomAccess.GetLength(handle);
        for (long offset = 0; offset < length; offset += Zeros.Length)
        {
            int count = (int)Math.Min(Zeros.Length, length - offset);
            if (!UnixFiles.WriteAt(handle, Zeros.AsSpan(0, count), offset, out int errno))
            {
                throw UnixFiles.ToException(errno, path);
            }
        }
    }

    // By inode: after the folder was deleted and made again, the same name may be another file.
    private static void DeleteIfStillNamed(SafeFileHandle handle, string path)
    {
        if (handle.IsClosed) return;
        FileIdentity mine = UnixFiles.Identify(handle);
        if (UnixFiles.IdentifyPath(path) is { } named && named.Device == mine.Device && named.Inode == mine.Inode)
        {
            SegmentFiles.TryDelete(path);
        }
    }
}
