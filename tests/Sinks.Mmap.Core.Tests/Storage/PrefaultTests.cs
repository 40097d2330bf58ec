using System;
using System.Collections.Generic;
using System.IO;
using Sinks.Mmap.Storage;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Storage;

/// <summary>
/// Preparing pages ahead of the writer, and unmapping a segment, are done a chunk at a time (the kernel's
/// memory-map lock is let go between chunks), and every chunk of the range is done.
/// </summary>
public class PrefaultTests
{
    [Fact]
    public void Every_page_of_a_range_many_chunks_long_is_mapped_and_dirty_after_prefaulting_it()
    {
        if (!Smaps.IsAvailable) return;
        using var log = new TestLog();
        const long Size = 6L << 20, Range = 4L << 20;
        Assert.True(Range / MappedSegmentStorage.ChunkBytes >= 10, "the range spans many chunks");
        string path = Path.Combine(log.Directory, "prefault.bin");
        using var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, Size), Size);
        Assert.Equal(0, Smaps.KiB(storage, "Rss:"));

        storage.Prefault(0, Range);

        Assert.Equal(Range, storage.PrefaultedTo);
        // In this mapping, and written (not merely read in): the range's pages and no others.
        Assert.Equal(Range / 1024, Smaps.KiB(storage, "Rss:"));
        Assert.Equal(Range / 1024, Smaps.KiB(storage, "Shared_Dirty:") + Smaps.KiB(storage, "Private_Dirty:"));
    }

    [Fact]
    public unsafe void Releasing_a_segment_many_chunks_long_unmaps_all_of_it()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var log = new TestLog();
        // Not a whole number of chunks, nor of pages.
        const long Size = (5L << 20) + 4096 + 100;
        // A name of its own: the range is counted only where this file is mapped. Once it is released, other
        // tests' threads (and the runtime) may map anything there (seen in CI: a page of another mapping).
        string name = $"unmap-{Guid.NewGuid():N}.bin";
        string path = Path.Combine(log.Directory, name);
        ulong start, end;
        using (var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, Size), Size))
        {
            storage.Prefault(0, Size);
            start = (ulong)storage.Base;
            end = start + (ulong)Size;
            Assert.True(FileBytesMappedWithin(start, end, name) >= Size);
        }
        Assert.Equal(0, FileBytesMappedWithin(start, end, name));
    }

    // How many bytes of [start, end) /proc/self/maps shows mapped from the file named fileName.
    private static long FileBytesMappedWithin(ulong start, ulong end, string fileName)
    {
        long bytes = 0;
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            // "from-to perms offset dev inode   pathname", the pathname " (deleted)" once unlinked.
            string mapped = line.Replace(" (deleted)", "", StringComparison.Ordinal);
            if (!mapped.EndsWith("/" + fileName, StringComparison.Ordinal))
            {
                continue;
            }
            string[] range = line.Substring(0, line.IndexOf(' ')).Split('-');
            ulong from = ulong.Parse(range[0], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            ulong to = ulong.Parse(range[1], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            if (from < end && to > start)
            {
                bytes += (long)(Math.Min(to, end) - Math.Max(from, start));
            }
        }
        return bytes;
    }

    [Theory]
    [InlineData(0L, 4L << 20)]
    [InlineData(300L << 10, (3L << 20) + (12 << 10))]
    [InlineData(4096L, 8192L)]
    [InlineData(255L << 10, 257L << 10)]
    public void Chunks_cover_the_range_end_to_end_and_each_after_the_first_starts_on_a_multiple_of_the_chunk_size(long from, long to)
    {
        var chunks = new List<(long At, long End)>();
        for (long at = from, end; at < to; at = end)
        {
            end = MappedSegmentStorage.ChunkEnd(at, to);
            chunks.Add((at, end));
        }
        Assert.Equal(from, chunks[0].At);
        Assert.Equal(to, chunks[^1].End);
        for (int i = 0; i < chunks.Count; i++)
        {
            Assert.InRange(chunks[i].End - chunks[i].At, 1, MappedSegmentStorage.ChunkBytes);
            if (i > 0)
            {
                Assert.Equal(chunks[i - 1].End, chunks[i].At);
                Assert.Equal(0, chunks[i].At % MappedSegmentStorage.ChunkBytes);
            }
        }
    }
}
