using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sinks.Mmap.Compression;
using Sinks.Mmap.Storage;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Compression;

/// <summary>
/// Sealed segments stored compressed (FORMAT.md, Compressed segments): every reader reads them as
/// the segments they were, damage is reported and never ends the read silently, and a compression
/// cut short leaves one copy of every segment.
/// </summary>
public class CompressedSegmentTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 12, 5, 8);

    /// <summary>Writes <paramref name="count"/> events in 64 KiB segments, sealed on dispose; returns the events as read back, as text.</summary>
    private static List<string> WriteLog(TestLog log, int count)
    {
        MmapLogOptions options = log.Options(64 * 1024);
        options.RetainedFileCountLimit = null;
        using (var writer = new MmapLogWriter(options))
        {
            for (int i = 0; i < count; i++)
            {
                var e = new SimpleEvent("Order {Number} for {Text} took {Elapsed} ms", i, "customer-" + (i % 37), i * 0.25);
                Assert.True(writer.Append(T0 + i * TimeSpan.TicksPerMillisecond, MmapLevel.Information, ref e));
            }
        }
        return ReadAll(log.Path_);
    }

    private static List<string> ReadAll(string path) => new MmapLogReader(path).ReadEvents().Select(Describe).ToList();

    private static string Describe(MmapEvent e) =>
        $"{e.Timestamp:O} {e.MessageTemplate} {string.Join(",", e.Properties.Select(p => p.Name + "=" + ((LogScalar)p.Value).Value))}";

    private static string[] Plain(TestLog log) => Directory.GetFiles(log.Directory, "app-*.mlog").OrderBy(f => f, StringComparer.Ordinal).ToArray();

    private static string[] Containers(TestLog log) => Directory.GetFiles(log.Directory, "app-*.mlogz").OrderBy(f => f, StringComparer.Ordinal).ToArray();

    [Fact]
    public void A_log_whose_sealed_segments_were_compressed_reads_back_the_same_events_and_validates_clean()
    {
        using var log = new TestLog();
        List<string> before = WriteLog(log, 20_000);
        string[] segments = Plain(log);
        Assert.True(segments.Length >= 5, $"{segments.Length} segments");
        long plainBytes = segments.Sum(f => new FileInfo(f).Length);
        foreach (string segment in segments) SegmentCompressor.Compress(segment);

        Assert.Empty(Plain(log));
        Assert.Equal(segments.Length, Containers(log).Length);
        Assert.True(Containers(log).Sum(f => new FileInfo(f).Length) * 4 < plainBytes, "compressed to less than a quarter");
        Assert.Equal(before, ReadAll(log.Path_));
        Assert.Equal(before, ReadAll(log.Directory));
        Assert.Equal(before.Skip(0).Take(3), new MmapLogReader(Containers(log)[0]).ReadEvents().Take(3).Select(Describe));
        ValidationReport report = new MmapLogReader(log.Path_).Validate();
        Assert.True(report.IsClean, string.Join("\n", report.Segments.Select(s => $"{s.Path}: {s.Problem} {s.CorruptRanges.Count}")));
        Assert.Equal(20_000, report.Segments.Sum(r => r.Events));
        Assert.All(report.Segments, r => Assert.Equal(new FileInfo(r.Path).Length, r.CompressedBytes));
        Assert.Equal(plainBytes, report.Segments.Sum(r => r.Bytes));
    }

    [Fact]
    public void Records_that_straddle_small_blocks_read_back_from_any_saved_position()
    {
        using var log = new TestLog();
        List<string> before = WriteLog(log, 3000);
        foreach (string segment in Plain(log)) SegmentCompressor.Compress(segment, blockSize: 4096);
        var reader = new MmapLogReader(log.Path_);
        List<MmapEvent> all = reader.ReadEvents().ToList();
        Assert.Equal(before, all.Select(Describe));
        foreach (int k in new[] { 0, 1, 77, 1500, 2998 })
        {
            List<string> rest = reader.ReadEvents(all[k].Position!.Value).Select(Describe).ToList();
            Assert.Equal(before.Skip(k + 1), rest);
        }
    }

    [Fact]
    public void A_damaged_block_is_reported_and_the_events_of_the_other_blocks_still_read_back()
    {
        using var log = new TestLog();
        List<string> before = WriteLog(log, 3000);
        string first = Plain(log)[0];
        string container = SegmentCompressor.Compress(first, blockSize: 4096);
        using (var file = new FileStream(container, FileMode.Open, FileAccess.ReadWrite))
        {
            // A byte in the middle of the blocks: one block's CRC fails.
            file.Position = CompressedSegment.HeaderSize + (file.Length - CompressedSegment.HeaderSize) / 3;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)~b);
        }
        List<string> after = ReadAll(log.Path_);
        Assert.True(after.Count < before.Count, "the damaged block's events are missing");
        Assert.True(after.Count > before.Count - 200, $"only the damaged block's events are missing: {before.Count - after.Count} lost");
        Assert.Empty(after.Except(before));
        Assert.Equal(before.Last(), after.Last());
        ValidationReport report = new MmapLogReader(log.Path_).Validate();
        Assert.False(report.IsClean);
        SegmentReport damaged = Assert.Single(report.Segments, s => s.Path == container);
        Assert.NotEmpty(damaged.CorruptRanges);
        Assert.Contains("fails its CRC", damaged.Problem);
        Assert.Contains("whole-file CRC", damaged.Problem);
    }

    [Fact]
    public void A_container_whose_index_lies_is_reported_unreadable_and_not_taken_for_an_empty_segment()
    {
        using var log = new TestLog();
        WriteLog(log, 2000);
        string container = SegmentCompressor.Compress(Plain(log)[0]);
        byte[] bytes = File.ReadAllBytes(container);
        // The trailer claims the index starts elsewhere.
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - CompressedSegment.TrailerSize), 64);
        File.WriteAllBytes(container, bytes);
        ValidationReport report = new MmapLogReader(log.Path_).Validate();
        Assert.False(report.IsClean);
        SegmentReport segment = Assert.Single(report.Segments, s => s.Path == container);
        Assert.Contains("compressed segment unreadable", segment.Problem);
    }

    [Fact]
    public void While_both_a_segment_and_its_container_exist_each_event_reads_once()
    {
        using var log = new TestLog();
        List<string> before = WriteLog(log, 5000);
        string first = Plain(log)[0];
        string copy = first + ".keep";
        File.Copy(first, copy);
        SegmentCompressor.Compress(first);
        File.Move(copy, first); // a kill between the rename and the delete leaves both
        Assert.Equal(before, ReadAll(log.Path_));
        Assert.Equal(before, ReadAll(log.Directory));
    }

    [Fact]
    public void Recovery_deletes_a_cut_short_container_and_finishes_a_complete_one()
    {
        using var log = new TestLog();
        List<string> before = WriteLog(log, 8000);
        string[] segments = Plain(log);
        var naming = new SegmentNaming(log.Path_);

        // 1: a temporary container (killed while writing it).
        File.WriteAllBytes(CompressedSegment.ContainerPath(segments[0]) + SegmentCompressor.TemporarySuffix, new byte[1000]);
        // 2: a complete container beside its segment (killed before deleting the segment).
        File.Copy(segments[1], segments[1] + ".keep");
        SegmentCompressor.Compress(segments[1]);
        File.Move(segments[1] + ".keep", segments[1]);
        // 3: a truncated container beside its segment (a disk that lied about the flush).
        File.Copy(segments[2], segments[2] + ".keep");
        string third = SegmentCompressor.Compress(segments[2]);
        File.Move(segments[2] + ".keep", segments[2]);
        using (var file = new FileStream(third, FileMode.Open)) file.SetLength(file.Length / 2);

        List<string> done = SegmentCompressor.Recover(naming);
        Assert.Equal(3, done.Count);
        Assert.Empty(Directory.GetFiles(log.Directory, "*.tmp"));
        Assert.False(File.Exists(segments[1]));
        Assert.True(File.Exists(CompressedSegment.ContainerPath(segments[1])));
        Assert.True(File.Exists(segments[2]));
        Assert.False(File.Exists(third));
        Assert.Equal(before, ReadAll(log.Path_));
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void A_name_planted_where_the_temporary_container_goes_is_never_followed_and_the_segment_stays()
    {
        using var log = new TestLog();
        List<string> before = WriteLog(log, 2000);
        string segment = Plain(log)[0];
        string victim = Path.Combine(log.Directory, "victim.txt");
        File.WriteAllText(victim, "keep me");
        File.CreateSymbolicLink(CompressedSegment.ContainerPath(segment) + SegmentCompressor.TemporarySuffix, victim);
        Assert.ThrowsAny<IOException>(() => SegmentCompressor.Compress(segment));
        Assert.Equal("keep me", File.ReadAllText(victim));
        Assert.True(File.Exists(segment));
        Assert.Equal(before, ReadAll(log.Path_));
    }
}
