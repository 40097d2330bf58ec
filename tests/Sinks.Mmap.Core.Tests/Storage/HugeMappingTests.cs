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
        if (!OperatingSystem.IsLinux()) return;
        using var log = new TestLog();
        foreach (long size in new[] { TwoMiB, 5 * TwoMiB + 4096 })
        {
            string path = Path.Combine(log.Directory, $"huge-{size}.bin");
            using var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, size), size);
            Assert.Equal(0, (long)((ulong)storage.Base % (ulong)TwoMiB));
            // smaps' VmFlags: "hg" is the mapping's MADV_HUGEPAGE.
            Assert.Contains("hg", Mapping(storage, "VmFlags:").Split(' ', StringSplitOptions.RemoveEmptyEntries));
            // Nothing else of the reservation the boundary came from stays mapped around it.
            Assert.Equal(size / 1024, long.Parse(Mapping(storage, "Size:").Replace("kB", "").Trim(), System.Globalization.CultureInfo.InvariantCulture) );
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
        if (!OperatingSystem.IsLinux()) return;
        using var log = new TestLog();
        const long Size = 64 * 1024;
        string path = Path.Combine(log.Directory, "small.bin");
        using var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, Size), Size);
        Assert.DoesNotContain("hg", Mapping(storage, "VmFlags:").Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The value of <paramref name="field"/> in /proc/self/smaps for the mapping that starts at the storage's base.</summary>
    private static unsafe string Mapping(SegmentStorage storage, string field)
    {
        string start = ((ulong)storage.Base).ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "-";
        bool inMapping = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            // A mapping's first line starts with its lowercase hex address range; its fields with a capital.
            if (line.Length > 0 && (char.IsAsciiDigit(line[0]) || char.IsAsciiHexDigitLower(line[0])))
            {
                inMapping = line.StartsWith(start, StringComparison.Ordinal);
            }
            else if (inMapping && line.StartsWith(field, StringComparison.Ordinal))
            {
                return line.Substring(field.Length).Trim();
            }
        }
        throw new InvalidOperationException($"no {field} for a mapping at {start} in /proc/self/smaps");
    }
}
