using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using CsCheck;
using Sinks.Mmap.Format;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Crash;

public class SealedHoleTests
{
    private static readonly long T0 = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).Ticks;

    /// <summary>Writes one sealed segment, then makes its 10th record a hole (length word zero); returns the segment file.</summary>
    private static string SegmentWithHole(TestLog log, bool keepFullSize)
    {
        var options = log.Options(16 * 1024);
        using (var writer = new MmapLogWriter(options))
        {
            for (int i = 0; i < 50; i++)
            {
                var e = new SimpleEvent("Event {Number}", i, "x", 0);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }
        string segment = Assert.Single(log.SegmentFiles());
        byte[] bytes = File.ReadAllBytes(segment);
        int offset = 128;
        for (int r = 0; r < 10; r++)
        {
            offset += (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset)) + 7) & ~7;
        }
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), 0);
        if (keepFullSize)
        {
            // As a killed writer leaves it: sealed by another thread, never trimmed.
            Array.Resize(ref bytes, 16 * 1024);
        }
        File.WriteAllBytes(segment, bytes);
        return segment;
    }

    [Fact]
    public void A_hole_before_the_seal_of_a_segment_its_killed_writer_never_closed_is_a_crash_leftover_not_damage()
    {
        using var log = new TestLog();
        SegmentWithHole(log, keepFullSize: true);
        SegmentReport report = Assert.Single(new MmapLogReader(log.Path_).Validate().Segments);
        Assert.True(report.Sealed);
        Assert.Empty(report.CorruptRanges);
        Assert.Single(report.Holes);
        Assert.Equal(1, report.LostInCrash);

        // Recovery fills it, and then the log is clean.
        using (var writer = new MmapLogWriter(log.Options(16 * 1024)))
        {
            RepairedSegment repaired = Assert.Single(writer.Recovery!.Repaired);
            Assert.Equal(1, repaired.HolesFilled);
        }
        ValidationReport after = new MmapLogReader(log.Path_).Validate();
        Assert.True(after.IsClean);
        Assert.All(after.Segments, s => Assert.Empty(s.Holes));
        Assert.Equal(49, new MmapLogReader(log.Path_).ReadEvents().Count());
    }

    [Fact]
    public void A_hole_in_a_segment_that_was_closed_and_trimmed_is_reported_as_damage()
    {
        using var log = new TestLog();
        SegmentWithHole(log, keepFullSize: false);
        SegmentReport report = Assert.Single(new MmapLogReader(log.Path_).Validate().Segments);
        Assert.True(report.Sealed);
        Assert.Single(report.CorruptRanges);
        Assert.Empty(report.Holes);
    }

    /// <summary>
    /// Starts segment 1 of <paramref name="log"/> by hand: a thread's 48-byte claim that is never
    /// published (a hole), then Definition records filling the segment as far as the writer lets
    /// records go, then the seal; the file is left at its prepared size, as a writer killed before
    /// closing it leaves it. Returns the offset of the hole.
    /// </summary>
    private static int FullSegmentWithUnfinishedClaim(TestLog log, int capacity)
    {
        string path = Path.Combine(log.Directory, "app-000001.mlog");
        using var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, capacity), capacity);
        var segment = new ActiveSegment(storage, 1, 1, T0, long.MaxValue);
        Assert.True(segment.TryClaim(48, T0, out int hole, out _));
        int id = 1;
        while (!segment.IsSealed)
        {
            // Sized to end exactly where the seal reserve starts, the last one included.
            int room = capacity - FormatConstants.SealReserve - segment.ClaimedEnd;
            int aligned = room <= 1024 ? room : 512;
            if (aligned < 32 || segment.TryWriteDefinition(id++, new string('d', aligned - FormatConstants.FrameHeaderSize - 1)) != DefineResult.Defined)
            {
                segment.TrySeal(T0);
            }
        }
        Assert.True(TestSupport.WaitUntil(() => segment.SealOffset > 0));
        return hole;
    }

    [Fact]
    public void A_claim_left_unfinished_in_a_segment_filled_to_its_last_byte_stays_a_crash_hole_and_recovery_fills_it()
    {
        using var log = new TestLog();
        const int capacity = 16 * 1024;
        int hole = FullSegmentWithUnfinishedClaim(log, capacity);

        // Records stop 8 bytes short of the seal reserve, so the seal never ends at the capacity and the
        // full-size file cannot pass for one that was closed (trimmed just past its seal).
        string segment = Assert.Single(log.SegmentFiles());
        Assert.Equal(capacity, new FileInfo(segment).Length);
        SegmentReport report = Assert.Single(new MmapLogReader(log.Path_).Validate().Segments);
        Assert.True(report.Sealed);
        Assert.Empty(report.CorruptRanges);
        Assert.Equal(new ByteRange(hole, 48), Assert.Single(report.Holes));
        Assert.Equal(1, report.LostInCrash);

        using (var writer = new MmapLogWriter(log.Options(capacity)))
        {
            RepairedSegment repaired = Assert.Single(writer.Recovery!.Repaired);
            Assert.Equal(1, repaired.HolesFilled);
        }
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void However_records_fill_a_segment_its_seal_ends_at_least_8_bytes_short_of_the_capacity()
    {
        using var log = new TestLog();
        // Record lengths (aligned, 32 B to 2 KiB) claimed until the segment seals itself, or an explicit seal after some of them.
        Gen.Select(Gen.Int[4, 256].Select(n => n * 8).Array[1, 400], Gen.Int[0, 400], Gen.Int[1, 4].Select(k => k * 4096))
            .Sample((lengths, sealAfter, capacity) =>
            {
                // CsCheck runs samples on several threads at once: each gets a file of its own.
                string path = Path.Combine(log.Directory, $"fill{Guid.NewGuid():N}-000001.mlog");
                using var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, capacity), capacity);
                var segment = new ActiveSegment(storage, 1, 1, T0, long.MaxValue);
                for (int i = 0; i < lengths.Length && !segment.IsSealed; i++)
                {
                    if (i == sealAfter) segment.TrySeal(T0);
                    else if (lengths[i] <= segment.MaxAlignedRecord && segment.TryClaim(lengths[i], T0, out int offset, out long sequence))
                    {
                        segment.PublishPadding(offset, lengths[i], sequence, T0);
                    }
                }
                segment.TrySeal(T0);
                Assert.True(segment.SealedLength <= capacity - FormatConstants.Alignment, $"sealed at {segment.SealOffset} of {capacity}");
            }, iter: 300);
    }

    [Fact]
    public void Numbers_claimed_in_a_segment_whose_seal_a_killed_writer_never_published_are_crash_losses_not_a_gap()
    {
        using var log = new TestLog();
        const int capacity = 8 * 1024;
        using (var writer = new MmapLogWriter(log.Options(capacity)))
        {
            for (int i = 0; i < 300; i++)
            {
                var e = new SimpleEvent("Event {Number}", i, "x", 0);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }
        string[] files = log.SegmentFiles().OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 3);
        // Segment 1 as a killed writer leaves it when the thread that sealed it had written the seal's
        // header but not yet its CRC and length word, while another thread went on in segment 2.
        byte[] bytes = File.ReadAllBytes(files[0]);
        bytes.AsSpan(bytes.Length - FormatConstants.SealReserve, 8).Clear();
        Array.Resize(ref bytes, capacity);
        File.WriteAllBytes(files[0], bytes);

        ValidationReport report = new MmapLogReader(log.Path_).Validate();
        SegmentReport first = report.Segments[0];
        Assert.False(first.Sealed);
        Assert.NotNull(first.TornTail);
        Assert.Equal(1, first.LostInCrash);
        Assert.All(report.Segments, s => Assert.Empty(s.Gaps));
        Assert.True(report.IsClean);

        // Recovery seals it with the number its seal had, and the log is whole again.
        using (var writer = new MmapLogWriter(log.Options(capacity)))
        {
            Assert.Single(writer.Recovery!.Repaired);
        }
        ValidationReport after = new MmapLogReader(log.Path_).Validate();
        Assert.True(after.IsClean);
        Assert.All(after.Segments, s => Assert.Equal(0, s.LostInCrash));
        Assert.Equal(300, new MmapLogReader(log.Path_).ReadEvents().Count());
    }
}
