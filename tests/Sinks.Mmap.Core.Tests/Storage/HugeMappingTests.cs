using System;
using System.IO;
using Sinks.Mmap.Storage;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Storage;

/// <summary>
/// A segment of 2 MiB or more is mapped on a 2 MiB boundary and advised huge pages (Linux), so the
/// kernel can map it 2 MiB at a time; a smaller one is mapped as before. Either way the bytes are the file's.
/// </summary>
public class HugeMappingTests
{
    private const long TwoMiB = 2L << 20;

    [Fact]
    public unsafe void A_segment_of_two_MiB_or_more_is_mapped_on_a_two_MiB_boundary_and_advised_huge_pages()
    {
        if (!Smaps.IsAvailable) return;
        using var log = new TestLog();
        foreach (long size in new[] { TwoMiB, 5 * TwoMiB + 4096 })
        {
            string path = Path.Combine(log.Directory, $"huge-{size}.bin");
            using var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, size), size);
            Assert.Equal(0, (long)((ulong)storage.Base % (ulong)TwoMiB));
            // smaps' VmFlags: "hg" is the mapping's MADV_HUGEPAGE.
            Assert.Contains("hg", Smaps.Field(storage, "VmFlags:").Split(' ', StringSplitOptions.RemoveEmptyEntries));
            // Nothing else of the reservation the boundary came from stays mapped around it.
            Assert.Equal(size / 1024, Smaps.KiB(storage, "Size:"));
        }
    }

    [Fact]
    public unsafe void Bytes_written_through_a_huge_mapping_are_the_files_bytes_at_the_same_offsets()
    {
        using var log = new TestLog();
        const long Size = 3 * TwoMiB;
        string path = Path.Combine(log.Directory, "bytes.bin");
        using (var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, Size), Size))
        {
            storage.Prefault(0, Size);
            for (long offset = 0; offset < Size; offset += 4096 + 8)
            {
                *(long*)(storage.Base + offset) = offset ^ 0x5A5A5A5A;
            }
        }
        byte[] file = File.ReadAllBytes(path);
        Assert.Equal(Size, file.LongLength);
        for (long offset = 0; offset < Size; offset += 4096 + 8)
        {
            Assert.Equal(offset ^ 0x5A5A5A5A, BitConverter.ToInt64(file, (int)offset));
        }
    }

    [Fact]
    public unsafe void A_segment_smaller_than_two_MiB_is_mapped_without_the_advice()
    {
        if (!Smaps.IsAvailable) return;
        using var log = new TestLog();
        const long Size = 64 * 1024;
        string path = Path.Combine(log.Directory, "small.bin");
        using var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, Size), Size);
        Assert.DoesNotContain("hg", Smaps.Field(storage, "VmFlags:").Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
