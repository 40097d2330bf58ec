using System;
using System.Collections.Generic;
using System.IO;
using Sinks.Mmap.Storage;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Storage;

/// <summary>
/// Preparing pages ahead of the writer is done a chunk at a time (the kernel's memory-map lock is let go
/// between chunks), and every page of the range, in every chunk, ends up in the mapping and written.
/// </summary>
public class PrefaultTests
{
    [Fact]
    public void Every_page_of_a_range_many_chunks_long_is_mapped_and_dirty_after_prefaulting_it()
    {
        if (!Smaps.IsAvailable) return;
        using var log = new TestLog();
        const long Size = 6L << 20, Range = 4L << 20;
        Assert.True(Range / MappedSegmentStorage.PrefaultChunkBytes >= 10, "the range spans many chunks");
        string path = Path.Combine(log.Directory, "prefault.bin");
        using var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, Size), Size);
        Assert.Equal(0, Smaps.KiB(storage, "Rss:"));

        storage.Prefault(0, Range);

        Assert.Equal(Range, storage.PrefaultedTo);
        // In this mapping, and written (not merely read in): the range's pages and no others.
        Assert.Equal(Range / 1024, Smaps.KiB(storage, "Rss:"));
        Assert.Equal(Range / 1024, Smaps.KiB(storage, "Shared_Dirty:") + Smaps.KiB(storage, "Private_Dirty:"));
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
            end = MappedSegmentStorage.PrefaultChunkEnd(at, to);
            chunks.Add((at, end));
        }
        Assert.Equal(from, chunks[0].At);
        Assert.Equal(to, chunks[^1].End);
        for (int i = 0; i < chunks.Count; i++)
        {
            Assert.InRange(chunks[i].End - chunks[i].At, 1, MappedSegmentStorage.PrefaultChunkBytes);
            if (i > 0)
            {
                Assert.Equal(chunks[i - 1].End, chunks[i].At);
                Assert.Equal(0, chunks[i].At % MappedSegmentStorage.PrefaultChunkBytes);
            }
        }
    }
}
