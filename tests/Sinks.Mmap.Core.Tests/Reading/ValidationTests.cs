using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sinks.Mmap.Format;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Reading;

public class ValidationTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    /// <summary>A clean log of <paramref name="count"/> events; returns the first segment's path.</summary>
    private static string WriteLog(TestLog log, int count, long segmentSize = 64 * 1024, bool crash = false)
    {
        string path;
        byte[] live;
        MmapLogOptions options = log.Options(segmentSize);
        options.RetainedFileCountLimit = null;
        using (var writer = new MmapLogWriter(options))
        {
            for (int i = 0; i < count; i++)
            {
                var e = new SimpleEvent("User {Number} said {Text} after {Elapsed} ms", i, "hi " + i, i * 0.5);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
            path = writer.CurrentSegmentPath!;
            live = TestSupport.ReadShared(path);
        }
        if (crash) File.WriteAllBytes(path, live);
        return log.SegmentFiles().OrderBy(f => f, StringComparer.Ordinal).First();
    }

    private static List<int> EventFrames(byte[] bytes) =>
        TestSupport.FrameOffsets(bytes).Where(o => TestSupport.FrameKind(bytes, o) == RecordKind.Event).ToList();

    [Fact]
    public void A_clean_log_validates_clean_with_every_count_right()
    {
        using var log = new TestLog();
        string path = WriteLog(log, 100);
        SegmentReport s = new MmapLogReader(log.Path_).Validate().Segments.Single();
        Assert.True(s.IsClean);
        Assert.True(s.Sealed);
        Assert.Equal(100, s.Events);
        Assert.Equal(105, s.Records); // 4 definitions, 100 events, the seal
        Assert.Equal(1, s.FirstSequence);
        Assert.Equal(105, s.LastSequence);
        Assert.Equal(new FileInfo(path).Length, s.Bytes);
        Assert.Null(s.TornTail);
        Assert.Equal(0, s.LostInCrash);
    }

    [Fact]
    public void A_corrupt_range_in_the_middle_is_skipped_by_resynchronising_and_reported_with_its_gap()
    {
        using var log = new TestLog();
        string path = WriteLog(log, 100);
        List<string> original = new MmapLogReader(path).ReadEvents().Select(TestSupport.Fingerprint).ToList();
        byte[] bytes = File.ReadAllBytes(path);
        List<int> events = EventFrames(bytes);
        int first = events[40], second = events[41];
        long firstSequence = TestSupport.FrameSequence(bytes, first);
        int damagedLength = events[42] - first;
        bytes[first + 30] ^= 0x55;
        bytes[second + 33] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        SegmentReport s = new MmapLogReader(path).Validate().Segments.Single();
        Assert.False(s.IsClean);
        Assert.Equal(new ByteRange(first, damagedLength), Assert.Single(s.CorruptRanges));
        Assert.Equal(new SequenceGap(firstSequence, firstSequence + 2), Assert.Single(s.Gaps));
        Assert.Equal(98, s.Events);
        Assert.True(s.Sealed);
        List<string> read = new MmapLogReader(path).ReadEvents().Select(TestSupport.Fingerprint).ToList();
        Assert.Equal(original.Where((_, i) => i != 40 && i != 41), read);
    }

    [Fact]
    public void A_length_word_of_all_ones_is_a_corrupt_range_and_reading_resumes_at_the_next_record()
    {
        using var log = new TestLog();
        string path = WriteLog(log, 50);
        byte[] bytes = File.ReadAllBytes(path);
        List<int> events = EventFrames(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(events[10]), 0xFFFFFFFF);
        File.WriteAllBytes(path, bytes);
        SegmentReport s = new MmapLogReader(path).Validate().Segments.Single();
        Assert.Equal(new ByteRange(events[10], events[11] - events[10]), Assert.Single(s.CorruptRanges));
        Assert.Equal(49, s.Events);
    }

    [Fact]
    public void A_zeroed_length_word_in_a_sealed_segment_is_damage_not_a_crash_hole()
    {
        using var log = new TestLog();
        string path = WriteLog(log, 50);
        byte[] bytes = File.ReadAllBytes(path);
        List<int> events = EventFrames(bytes);
        bytes.AsSpan(events[5], 4).Clear();
        File.WriteAllBytes(path, bytes);
        SegmentReport s = new MmapLogReader(path).Validate().Segments.Single();
        Assert.Empty(s.Holes);
        Assert.Equal(new ByteRange(events[5], events[6] - events[5]), Assert.Single(s.CorruptRanges));
        Assert.False(s.IsClean);
    }

    [Fact]
    public void A_jump_in_sequence_numbers_inside_a_segment_is_reported_as_a_gap()
    {
        using var log = new TestLog();
        string path = WriteLog(log, 30);
        byte[] bytes = File.ReadAllBytes(path);
        List<int> frames = TestSupport.FrameOffsets(bytes);
        int from = frames.IndexOf(EventFrames(bytes)[20]);
        long expected = TestSupport.FrameSequence(bytes, frames[from]);
        foreach (int offset in frames.Skip(from))
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset + 8), TestSupport.FrameSequence(bytes, offset) + 5);
            TestSupport.Reseal(bytes, offset);
        }
        File.WriteAllBytes(path, bytes);
        SegmentReport s = new MmapLogReader(path).Validate().Segments.Single();
        Assert.Equal(new SequenceGap(expected, expected + 5), Assert.Single(s.Gaps));
        Assert.Empty(s.CorruptRanges);
        Assert.Equal(30, s.Events);
        Assert.False(s.IsClean);
    }

    [Fact]
    public void A_gap_between_consecutive_segments_is_reported_on_the_later_segment()
    {
        using var log = new TestLog();
        WriteLog(log, 300, segmentSize: 8192);
        string[] files = log.SegmentFiles().OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 3);
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
        // Shift segment 2 (header and every record) three sequence numbers on.
        byte[] bytes = File.ReadAllBytes(files[1]);
        SegmentHeader header = SegmentHeader.TryParse(bytes, "s", out _)!.Value;
        (header with { FirstSequence = header.FirstSequence + 3 }).WriteTo(bytes);
        foreach (int offset in TestSupport.FrameOffsets(bytes))
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset + 8), TestSupport.FrameSequence(bytes, offset) + 3);
            TestSupport.Reseal(bytes, offset);
        }
        File.WriteAllBytes(files[1], bytes);

        ValidationReport report = new MmapLogReader(log.Path_).Validate();
        Assert.False(report.IsClean);
        Assert.True(report.Segments[0].IsClean);
        Assert.Equal(new SequenceGap(header.FirstSequence, header.FirstSequence + 3), Assert.Single(report.Segments[1].Gaps));
        // Segment 3 now starts where segment 2's seal said, minus the shift: a backwards jump is a gap too.
        Assert.NotEmpty(report.Segments[2].Gaps);
    }

    [Fact]
    public void A_torn_tail_is_reported_but_the_log_is_still_clean()
    {
        using var log = new TestLog();
        string path = WriteLog(log, 40, crash: true);
        byte[] bytes = File.ReadAllBytes(path);
        List<int> frames = TestSupport.FrameOffsets(bytes);
        int end = frames[^1] + FormatConstants.Align(TestSupport.FrameLength(bytes, frames[^1]));
        bytes[end + 3] = 0x42;
        bytes[end + 77] = 0x17;
        File.WriteAllBytes(path, bytes);
        SegmentReport s = new MmapLogReader(path).Validate().Segments.Single();
        Assert.Equal(new ByteRange(end, 78), s.TornTail);
        Assert.False(s.Sealed);
        Assert.True(s.IsClean);
        Assert.Equal(40, s.Events);
    }

    [Fact]
    public void A_record_stream_counts_each_event_it_looked_at_once_and_none_it_passed_over()
    {
        using var log = new TestLog();
        string path = WriteLog(log, 20);
        byte[] bytes = File.ReadAllBytes(path);
        int target = EventFrames(bytes)[7];
        bytes[target + 28 + 6] = 0x7F; // an unknown value tag, under a valid CRC
        TestSupport.Reseal(bytes, target);
        File.WriteAllBytes(path, bytes);

        using MmapRecordStream records = new MmapLogReader(path).OpenRecordStream();
        int seen = 0;
        while (records.MoveNext())
        {
            if (records.Kind != MmapRecordKind.Event) continue;
            // Events 0-9 are looked at twice (checked, then decoded), 10-14 passed over by their frames, 15-19 decoded.
            if (seen < 10)
            {
                records.EventDecodes();
                records.DecodeEvent();
            }
            else if (seen >= 15)
            {
                records.DecodeEvent();
            }
            seen++;
        }
        SegmentReport report = Assert.Single(records.Reports);
        Assert.Equal(14, report.Events);
        Assert.Equal(1, report.UndecodableRecords);
    }

    [Fact]
    public void A_record_with_a_valid_CRC_but_an_unknown_value_tag_is_counted_undecodable_and_yielded_without_an_event()
    {
        using var log = new TestLog();
        string path = WriteLog(log, 20);
        byte[] bytes = File.ReadAllBytes(path);
        int target = EventFrames(bytes)[7];
        // Body: offset(2) presence(1) template(1) count(1) name(1), then the first value's tag.
        Assert.Equal(0x07, bytes[target + 28 + 6]);
        bytes[target + 28 + 6] = 0x7F;
        TestSupport.Reseal(bytes, target);
        File.WriteAllBytes(path, bytes);

        SegmentReport s = new MmapLogReader(path).Validate().Segments.Single();
        Assert.Equal(1, s.UndecodableRecords);
        Assert.Equal(19, s.Events);
        Assert.Empty(s.CorruptRanges);
        Assert.False(s.IsClean);
        MmapRecord record = new MmapLogReader(path).ReadRecords().Single(r => r.Kind == MmapRecordKind.Event && r.Event is null);
        Assert.Equal(TestSupport.FrameSequence(bytes, target), record.Sequence);
        Assert.Contains("0x7F", record.DecodeError);
    }

    [Fact]
    public void A_reference_to_a_string_id_never_defined_makes_the_record_undecodable_not_guessed()
    {
        using var log = new TestLog();
        string path = WriteLog(log, 5);
        byte[] bytes = File.ReadAllBytes(path);
        int target = EventFrames(bytes)[2];
        Assert.Equal(0x03, bytes[target + 28 + 3]); // template: interned id 1
        bytes[target + 28 + 3] = 0x7F;             // id 63, never defined
        TestSupport.Reseal(bytes, target);
        File.WriteAllBytes(path, bytes);
        MmapRecord record = new MmapLogReader(path).ReadRecords().Single(r => r.Kind == MmapRecordKind.Event && r.Event is null);
        Assert.Contains("string id 63", record.DecodeError);
        Assert.Equal(4, new MmapLogReader(path).ReadEvents().Count());
    }

    [Fact]
    public void A_valid_record_of_an_unknown_kind_is_skipped_without_counting_as_damage()
    {
        using var log = new TestLog();
        string path = WriteLog(log, 10);
        byte[] bytes = File.ReadAllBytes(path);
        int target = EventFrames(bytes)[4];
        bytes[target + 24] = 9;
        TestSupport.Reseal(bytes, target);
        File.WriteAllBytes(path, bytes);
        List<MmapRecord> records = new MmapLogReader(path).ReadRecords().ToList();
        Assert.Equal(MmapRecordKind.Unknown, Assert.Single(records, r => r.Sequence == TestSupport.FrameSequence(bytes, target)).Kind);
        Assert.Equal(9, records.Count(r => r.Event is not null));
        Assert.True(new MmapLogReader(path).Validate().IsClean);
    }
}
