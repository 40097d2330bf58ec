using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
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
}
