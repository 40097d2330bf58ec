using System;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Sinks.Mmap.Storage;

/// <summary>
/// The bytes of one segment: a file preallocated with real blocks, and memory the writer encodes
/// into. Normally that memory is a shared mapping of the file. When mapping is unavailable it is
/// private memory and every commit is written through with a positional write: the same bytes reach
/// the same offsets, so readers cannot tell the two apart.
/// </summary>
internal abstract unsafe class SegmentStorage : IDisposable
{
    protected SegmentStorage(string path, FileStream file, long capacity)
    {
        Path = path;
        File = file;
        Capacity = capacity;
    }

    public string Path { get; }

    /// <summary>The segment number, when the preparer knew it (0 otherwise): saves parsing the file name during a rotation.</summary>
    public long Number { get; set; }
    public long Capacity { get; }
    public abstract byte* Base { get; }
    public abstract bool IsMapped { get; }
    protected FileStream File { get; }

    /// <summary>Called after a record is published in memory; the stream fallback writes it to the file.</summary>
    public abstract void OnCommitted(long offset, int alignedLength);

    /// <summary>Makes [from, to) durable on disk (msync + fsync, or fsync).</summary>
    public abstract void FlushToDisk(long from, long to);

    /// <summary>
    /// Faults the pages covering [<paramref name="from"/>, <paramref name="to"/>) in, writable, so the
    /// logging thread takes no page fault on them; the bytes do not change (safe beside writers).
    /// Pages already writable cost a page-table walk (~40 ns a page); pages the kernel wrote back or
    /// reclaimed since are faulted in again here, on the caller's thread.
    /// </summary>
    public abstract void Prefault(long from, long to);

    /// <summary>The furthest any <see cref="Prefault"/> of this storage reached (0 before any).</summary>
    public long PrefaultedTo { get; protected set; }

    /// <summary>
    /// Reads one byte of each page of [<paramref name="from"/>, <paramref name="to"/>) through the
    /// mapping, within what <see cref="Prefault"/> prepared; the bytes do not change.
    /// </summary>
    /// <remarks>
    /// Prefaulting fills the kernel's page tables without the CPU ever using them. Under a hypervisor
    /// that shadows the guest's page tables (this project's 2-core benchmark VM is one), the first
    /// access to each page through the process's own mapping still traps to the hypervisor: 2.7–3 µs a
    /// page, 45–100 ns an event of 64 bytes, on the logging thread, invisible to the guest's page-fault
    /// counters. A read here takes that trap on the caller's thread instead. The hypervisor drops its
    /// entries again when the guest ages the pages (DAMON, reclaim): measured, pages touched 250 ms
    /// before they were written were still cheap, 500 ms before mostly not. So only the pages the next
    /// tenth of a second needs are touched (<see cref="Writing.PageWindow"/>); a page still warm costs
    /// 9–25 ns to touch again.
    /// </remarks>
    public abstract void Touch(long from, long to);

    /// <summary>The furthest any <see cref="Touch"/> of this storage reached (0 before any).</summary>
    public long TouchedTo { get; protected set; }

    /// <summary>
    /// Releases the memory, then cuts the file to <paramref name="length"/> bytes, makes it durable
    /// when <paramref name="flushToDisk"/> (fsync) and closes it.
    /// </summary>
    /// <remarks>
    /// The fsync comes after the unmapping on purpose: writing back pages that are still mapped makes
    /// the kernel write-protect each one, with a TLB shoot-down that interrupts every thread of the
    /// process (the logging threads included) once a page. Unmapped, the same pages write back quietly.
    /// </remarks>
    public void CloseAndTrim(long length, bool flushToDisk)
    {
        ReleaseMemory();
        try
        {
            if (length > 0 && length < File.Length)
            {
                File.SetLength(length);
            }
            File.Flush(flushToDisk);
        }
        finally
        {
            File.Dispose();
        }
    }

    /// <summary>Closes without trimming: the file keeps its size (used when the segment is abandoned).</summary>
    public void Dispose()
    {
        ReleaseMemory();
        File.Dispose();
    }

    protected abstract void ReleaseMemory();

    /// <summary>
    /// True once the file has no name left (its folder, or the file, was deleted): what is written to
    /// it can no longer be read by anyone. Always false where <see cref="UnixFiles"/> is unsupported.
    /// </summary>
    public bool IsUnlinked => UnixFiles.IsSupported && !File.SafeFileHandle.IsClosed && UnixFiles.Identify(File.SafeFileHandle).Links == 0;

    /// <summary>
    /// How long the file is now (one statx): shorter than <see cref="Capacity"/> once another process
    /// cut it while it is mapped, and a write past the cut is SIGBUS. <see cref="Capacity"/> where this
    /// cannot be asked.
    /// </summary>
    public long LengthOnDisk =>
        UnixFiles.IsSupported && !File.SafeFileHandle.IsClosed && UnixFiles.Identify(File.SafeFileHandle).Length is >= 0 and var length ? length : Capacity;

    /// <summary>
    /// Closes a segment that was never started and deletes its file, but only while its name still
    /// leads to this file: after a folder was deleted and made again, the same name may be another
    /// writer's segment.
    /// </summary>
    public void DeleteIfStillNamed()
    {
        bool stillNamed = true;
        if (UnixFiles.IsSupported && !File.SafeFileHandle.IsClosed)
        {
            FileIdentity mine = UnixFiles.Identify(File.SafeFileHandle);
            stillNamed = UnixFiles.IdentifyPath(Path) is { } named && named.Device == mine.Device && named.Inode == mine.Inode;
        }
        Dispose();
        if (stillNamed)
        {
            try { System.IO.File.Delete(Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>A shared mapping of the segment file: mmap from libc on Unix, a MemoryMappedFile view elsewhere.</summary>
internal sealed unsafe class MappedSegmentStorage : SegmentStorage
{
    // Only on Windows (see PosixMapping for why Unix does not use these).
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _base;

    public MappedSegmentStorage(string path, FileStream file, long capacity) : base(path, file, capacity)
    {
        if (PosixMapping.IsAvailable)
        {
            _base = PosixMapping.MapShared(file.SafeFileHandle, capacity, out int errno);
            if (_base == null)
            {
                throw new IOException($"mmap of {System.IO.Path.GetFileName(path)} failed (errno {errno})", errno);
            }
            return;
        }
        _map = MemoryMappedFile.CreateFromFile(file, mapName: null, capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        try
        {
            _view = _map.CreateViewAccessor(0, capacity, MemoryMappedFileAccess.ReadWrite);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _base = pointer + _view.PointerOffset;
        }
        catch
        {
            _map.Dispose();
            throw;
        }
    }

    public override byte* Base => _base;
    public override bool IsMapped => true;

    public override void OnCommitted(long offset, int alignedLength) { }

    public override void FlushToDisk(long from, long to)
    {
        if (to <= from) return;
        if (NativeMethods.CanSyncRange)
        {
            if (!NativeMethods.SyncRange(_base + from, to - from, out int errno))
            {
                throw new IOException($"msync of {System.IO.Path.GetFileName(Path)} failed (errno {errno})");
            }
        }
        else
        {
            _view!.Flush();
            File.Flush(flushToDisk: true);
        }
    }

    public override void Prefault(long from, long to)
    {
        // Only the thread that unmaps (the maintainer, or Dispose after it stopped) calls this: the
        // memory cannot go away under it.
        if (_base == null) return;
        long page = Environment.SystemPageSize;
        from = Math.Max(0, from) & ~(page - 1);
        to = Math.Min(to, Capacity);
        if (to <= from) return;
        // Dirtying each page now, on a background thread, spares the logging thread the page faults
        // later. madvise does it a chunk at a time, yielding between chunks: it holds the process's
        // memory-map lock while it faults pages in, and every mmap, munmap and mprotect in the process
        // (the GC committing memory in the middle of a pause, the JIT) waits for the lock (DESIGN.md,
        // *Preparing and unmapping pages without stalling the process*).
        bool populate = true;
        for (long at = from, end; at < to; at = end)
        {
            end = ChunkEnd(at, to);
            if (at > from)
            {
                System.Threading.Thread.Yield();
            }
            PopulateResult result = populate ? PosixMapping.PopulateWrite(_base + at, end - at) : PopulateResult.Unsupported;
            if (result == PopulateResult.Refused)
            {
                // A page the kernel cannot make writable (the file cut short by another process): a touch
                // would be SIGBUS on this thread. Stop here; preparing pages is only a speed-up, and the
                // next round asks again. What was prepared past here before the cut is not any more.
                PrefaultedTo = at;
                TouchedTo = Math.Min(TouchedTo, at);
                return;
            }
            if (result == PopulateResult.Unsupported)
            {
                // Once the kernel does not know the advice, every later chunk is touched instead.
                populate = false;
                TouchWritable(at, end);
            }
        }
        PrefaultedTo = Math.Max(PrefaultedTo, to);
    }

    /// <summary>
    /// The most one madvise or munmap call covers: 64 pages (a few hundred µs of holding the process's
    /// memory-map lock on a slow VM). A power of two.
    /// </summary>
    internal const long ChunkBytes = 256 * 1024;

    /// <summary>
    /// Where the chunk that starts at <paramref name="at"/> ends: at the next multiple of the chunk size
    /// (the kernel's larger page-cache folios start on such multiples too), or at <paramref name="to"/>.
    /// </summary>
    internal static long ChunkEnd(long at, long to) => Math.Min(to, (at & ~(ChunkBytes - 1)) + ChunkBytes);

    // Where madvise cannot: an atomic add of zero per page, a write the kernel must fault in, which
    // cannot lose a byte a logging thread writes into the same word at the same moment (the tail's
    // page may be half written). A call per chunk: its return is where a GC can stop this thread. One
    // loop over a whole 16 MiB segment held the GC's pauses up to 5–18 ms (Linux, madvise left out).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void TouchWritable(long from, long to)
    {
        long page = Environment.SystemPageSize;
        for (long i = from; i < to; i += page)
        {
            System.Threading.Interlocked.Add(ref *(int*)(_base + i), 0);
        }
    }

    public override void Touch(long from, long to)
    {
        // Same thread rule as Prefault. Only prepared pages, and only pages the file still reaches: a
        // page past the file's end (cut by another process since it was prepared) would be SIGBUS.
        if (_base == null) return;
        long page = Environment.SystemPageSize;
        from = Math.Max(0, from) & ~(page - 1);
        to = Math.Min(to, PrefaultedTo);
        if (to <= from) return;
        to = Math.Min(to, LengthOnDisk);
        if (to <= from) return;
        for (long i = from; i < to; i += page)
        {
            // A racing logging thread may be writing this byte: whatever is read is thrown away.
            _ = System.Threading.Volatile.Read(ref _base[i]);
        }
        TouchedTo = Math.Max(TouchedTo, to);
    }

    protected override void ReleaseMemory()
    {
        if (_view is null)
        {
            if (_base != null)
            {
                // A chunk at a time, for the same reason as Prefault: munmap holds the memory-map lock while
                // it takes the pages out of the page tables (a 64 MiB segment, 6 ms on the benchmark VM).
                for (long at = 0, end; at < Capacity; at = end)
                {
                    end = ChunkEnd(at, Capacity);
                    if (at > 0)
                    {
                        System.Threading.Thread.Yield();
                    }
                    PosixMapping.Unmap(_base + at, end - at);
                }
                _base = null;
            }
            return;
        }
        if (_base != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _base = null;
        }
        _view.Dispose();
        _map!.Dispose();
    }
}

internal sealed unsafe class StreamSegmentStorage : SegmentStorage
{
    private byte* _memory;

    public StreamSegmentStorage(string path, FileStream file, long capacity) : base(path, file, capacity)
    {
        // calloc-style: the OS backs only the pages the writer actually touches.
        _memory = (byte*)NativeMemory.AllocZeroed((nuint)capacity);
    }

    public override byte* Base => _memory;
    public override bool IsMapped => false;

    public override void OnCommitted(long offset, int alignedLength)
    {
        RandomAccess.Write(File.SafeFileHandle, new ReadOnlySpan<byte>(_memory + offset, alignedLength), offset);
    }

    public override void FlushToDisk(long from, long to) => File.Flush(flushToDisk: true);

    public override void Prefault(long from, long to) { }

    public override void Touch(long from, long to) { }

    protected override void ReleaseMemory()
    {
        if (_memory != null)
        {
            NativeMemory.Free(_memory);
            _memory = null;
        }
    }

    public SafeFileHandle Handle => File.SafeFileHandle;
}
