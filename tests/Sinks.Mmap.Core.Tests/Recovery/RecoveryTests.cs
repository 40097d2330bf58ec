using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sinks.Mmap.Format;
using Sinks.Mmap.Recovery;
using Sinks.Mmap.Storage;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Recovery;

public class RecoveryTests
{
    private const int SegmentSize = 64 * 1024;
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    private sealed class Crashed
    {
        public string SegmentPath = "";
        public byte[] Image = Array.Empty<byte>();
        public List<string> Fingerprints = new();
        public long LastSequence;
        public int End;
    }

    /// <summary>
    /// Writes <paramref name="count"/> events into segment 1, copies the live file while the writer
    /// still has it open (full size, unsealed), then puts that copy back after the writer has gone:
    /// the log looks exactly as a killed writer leaves it.
    /// </summary>
    private static Crashed WriteCrashed(TestLog log, int count)
    {
        var crashed = new Crashed();
        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            for (int i = 0; i < count; i++)
            {
                var e = new SimpleEvent("User {Number} said {Text} after {Elapsed} ms", i, "hi " + i, i * 0.5);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
            crashed.SegmentPath = writer.CurrentSegmentPath!;
            crashed.Image = TestSupport.ReadShared(crashed.SegmentPath);
        }
        crashed.Fingerprints = new MmapLogReader(log.Path_).ReadEvents().Select(TestSupport.Fingerprint).ToList();
        Assert.Equal(count, crashed.Fingerprints.Count);
        Assert.Single(log.SegmentFiles());
        Assert.Equal(SegmentSize, crashed.Image.Length);
        List<int> frames = TestSupport.FrameOffsets(crashed.Image);
        int last = frames[^1];
        Assert.NotEqual(RecordKind.EndOfSegment, TestSupport.FrameKind(crashed.Image, last));
        crashed.LastSequence = TestSupport.FrameSequence(crashed.Image, last);
        crashed.End = last + FormatConstants.Align(TestSupport.FrameLength(crashed.Image, last));
        File.WriteAllBytes(crashed.SegmentPath, crashed.Image);
        return crashed;
    }

    private static void AssertSequencesContinuous(IReadOnlyList<MmapRecord> records)
    {
        long expected = 1;
        foreach (MmapRecord r in records)
        {
            Assert.Equal(expected, r.Sequence);
            // A padding record stands for as many sequence numbers as its count says.
            expected = r.Kind is MmapRecordKind.Padding or MmapRecordKind.Unused ? r.Next.NextSequence : r.Sequence + 1;
        }
    }

    private static void AssertSealedAndTrimmed(string path, long expectedLength)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(expectedLength, bytes.Length);
        Span<byte> tail = bytes.AsSpan(bytes.Length - 32);
        Assert.True(RecordFrame.IsValid(tail, out _));
        Assert.Equal(RecordKind.EndOfSegment, RecordFrame.Kind(tail));
    }

    [Fact]
    public void A_segment_left_unsealed_by_a_crash_is_sealed_and_trimmed_and_the_sequence_continues_after_it()
    {
        using var log = new TestLog();
        Crashed crashed = WriteCrashed(log, 200);
        Assert.False(new MmapLogReader(log.Path_).Validate().Segments.Single().Sealed);

        RecoveryReport? recovery;
        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            recovery = writer.Recovery;
            for (int i = 0; i < 10; i++)
            {
                var e = new SimpleEvent("after restart {Number} {Text} {Elapsed}", i, "x", 0);
                Assert.True(writer.Append(T0 + 1000 + i, MmapLevel.Information, ref e));
            }
        }

        RepairedSegment repaired = Assert.Single(recovery!.Repaired);
        Assert.Equal(crashed.SegmentPath, repaired.Path);
        Assert.Equal(crashed.LastSequence, repaired.RecordsKept);
        Assert.Equal(crashed.LastSequence + 1, repaired.LastSequence);
        Assert.Equal(0, repaired.HolesFilled);
        Assert.Equal(0, repaired.TornTailBytes);
        Assert.Equal(crashed.LastSequence + 2, recovery.NextSequence);
        MmapLogError error = Assert.Single(log.Errors, e => e.Kind == MmapLogErrorKind.Recovery);
        Assert.Contains(Path.GetFileName(crashed.SegmentPath), error.Message);
        AssertSealedAndTrimmed(crashed.SegmentPath, crashed.End + 32);

        List<MmapRecord> records = new MmapLogReader(log.Path_).ReadRecords().ToList();
        AssertSequencesContinuous(records);
        MmapRecord firstNew = records.First(r => r.SegmentPath != crashed.SegmentPath);
        Assert.Equal(repaired.LastSequence + 1, firstNew.Sequence);
        List<MmapEvent> events = records.Where(r => r.Event is not null).Select(r => r.Event!).ToList();
        Assert.Equal(crashed.Fingerprints, events.Take(200).Select(TestSupport.Fingerprint));
        Assert.Equal(210, events.Count);
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void A_repaired_segment_is_not_repaired_again_by_the_next_writer()
    {
        using var log = new TestLog();
        WriteCrashed(log, 50);
        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            Assert.Single(writer.Recovery!.Repaired);
        }
        log.Errors.Clear();
        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            Assert.Empty(writer.Recovery!.Repaired);
            Assert.Empty(writer.Recovery.Problems);
        }
        Assert.Empty(log.Errors);
        Assert.Equal(50, new MmapLogReader(log.Path_).ReadEvents().Count());
    }

    [Fact]
    public void After_a_clean_shutdown_the_next_writer_repairs_nothing_and_continues_the_sequence()
    {
        using var log = new TestLog();
        long lastSequence;
        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            var e = new SimpleEvent("a {Number} {Text} {Elapsed}", 1, "x", 1);
            writer.Append(T0, MmapLevel.Information, ref e);
        }
        lastSequence = new MmapLogReader(log.Path_).ReadRecords().Last().Sequence;
        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            Assert.Empty(writer.Recovery!.Repaired);
            Assert.Equal(lastSequence + 1, writer.Recovery.NextSequence);
            Assert.Equal(2, writer.Recovery.NextSegmentNumber);
        }
        Assert.Empty(log.Errors);
        AssertSequencesContinuous(new MmapLogReader(log.Path_).ReadRecords().ToList());
    }

    [Fact]
    public void A_torn_tail_written_by_hand_is_cut_and_the_sequence_continues()
    {
        using var log = new TestLog();
        Crashed crashed = WriteCrashed(log, 100);
        var random = new Random(11);
        byte[] garbage = new byte[100];
        for (int i = 0; i < garbage.Length; i++) garbage[i] = (byte)random.Next(1, 256);
        garbage.CopyTo(crashed.Image, crashed.End);
        File.WriteAllBytes(crashed.SegmentPath, crashed.Image);

        SegmentReport before = new MmapLogReader(log.Path_).Validate().Segments.Single();
        Assert.Equal(new ByteRange(crashed.End, 100), before.TornTail);

        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            RepairedSegment repaired = Assert.Single(writer.Recovery!.Repaired);
            Assert.Equal(100, repaired.TornTailBytes);
            Assert.Equal(crashed.LastSequence + 1, repaired.LastSequence);
            var e = new SimpleEvent("after {Number} {Text} {Elapsed}", 1, "x", 1);
            Assert.True(writer.Append(T0, MmapLevel.Information, ref e));
        }
        AssertSealedAndTrimmed(crashed.SegmentPath, crashed.End + 32);
        List<MmapRecord> records = new MmapLogReader(log.Path_).ReadRecords().ToList();
        AssertSequencesContinuous(records);
        Assert.Equal(crashed.Fingerprints, records.Where(r => r.Event is not null).Take(100).Select(r => TestSupport.Fingerprint(r.Event!)));
        ValidationReport report = new MmapLogReader(log.Path_).Validate();
        Assert.True(report.IsClean);
        Assert.Null(report.Segments[0].TornTail);
    }

    [Fact]
    public void A_hole_left_by_an_unpublished_record_is_filled_with_padding_and_the_events_after_it_survive()
    {
        using var log = new TestLog();
        Crashed crashed = WriteCrashed(log, 100);
        List<int> frames = TestSupport.FrameOffsets(crashed.Image);
        int holeAt = frames[60];
        Assert.Equal(RecordKind.Event, TestSupport.FrameKind(crashed.Image, holeAt));
        long holeSequence = TestSupport.FrameSequence(crashed.Image, holeAt);
        int holeLength = FormatConstants.Align(TestSupport.FrameLength(crashed.Image, holeAt));
        // Claimed and partly encoded, never published: the length word is still zero.
        crashed.Image.AsSpan(holeAt, 4).Clear();
        File.WriteAllBytes(crashed.SegmentPath, crashed.Image);

        SegmentReport before = new MmapLogReader(log.Path_).Validate().Segments.Single();
        Assert.Equal(new ByteRange(holeAt, holeLength), Assert.Single(before.Holes));
        Assert.Empty(before.CorruptRanges);
        Assert.Equal(1, before.LostInCrash);
        Assert.True(before.IsClean);

        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            RepairedSegment repaired = Assert.Single(writer.Recovery!.Repaired);
            Assert.Equal(1, repaired.HolesFilled);
            Assert.Equal(1, repaired.LostSequences);
            Assert.Equal(crashed.LastSequence + 1, repaired.LastSequence);
            Assert.Equal(crashed.LastSequence - 1, repaired.RecordsKept);
        }
        AssertSealedAndTrimmed(crashed.SegmentPath, crashed.End + 32);

        List<MmapRecord> records = new MmapLogReader(crashed.SegmentPath).ReadRecords().ToList();
        MmapRecord padding = Assert.Single(records, r => r.Kind == MmapRecordKind.Padding);
        Assert.Equal(holeSequence, padding.Sequence);
        AssertSequencesContinuous(records);
        List<string> survivors = records.Where(r => r.Event is not null).Select(r => TestSupport.Fingerprint(r.Event!)).ToList();
        Assert.Equal(99, survivors.Count);
        Assert.Equal(crashed.Fingerprints.Where(f => !f.StartsWith(holeSequence + "|", StringComparison.Ordinal)), survivors);

        SegmentReport after = new MmapLogReader(log.Path_).Validate().Segments[0];
        Assert.True(after.IsClean);
        Assert.Empty(after.Holes);
        Assert.Equal(1, after.LostInCrash);
    }

    [Fact]
    public void A_segment_prepared_but_never_started_is_deleted_by_recovery()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(4096)))
        {
            for (short i = 0; i < 150; i++)
            {
                var e = new FixedSizeEvent(i);
                writer.Append(T0 + i, MmapLevel.Information, ref e);
            }
        }
        var naming = new SegmentNaming(log.Path_);
        Assert.Equal(new long[] { 1, 2 }, naming.List().Select(s => s.Number));
        long lastSequence = new MmapLogReader(log.Path_).ReadRecords().Last().Sequence;
        string leftover = naming.PathFor(3);
        File.WriteAllBytes(leftover, new byte[4096]);

        RecoveryReport report = SegmentRecovery.Recover(naming, T0);
        Assert.False(File.Exists(leftover));
        Assert.Equal(3, report.NextSegmentNumber);
        Assert.Equal(lastSequence + 1, report.NextSequence);
        Assert.Empty(report.Repaired);
        Assert.Empty(report.Problems);
    }

    [Fact]
    public void A_writer_opening_a_log_with_a_never_started_segment_reports_no_damage_and_continues()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(4096)))
        {
            var e = new FixedSizeEvent(1);
            writer.Append(T0, MmapLevel.Information, ref e);
        }
        var naming = new SegmentNaming(log.Path_);
        File.WriteAllBytes(naming.PathFor(2), new byte[4096]);
        using (var writer = new MmapLogWriter(log.Options(4096)))
        {
            Assert.Empty(writer.Recovery!.Repaired);
            Assert.Empty(writer.Recovery.Problems);
            Assert.Equal(naming.PathFor(2), writer.CurrentSegmentPath);
            var e = new FixedSizeEvent(2);
            Assert.True(writer.Append(T0 + 1, MmapLevel.Information, ref e));
        }
        Assert.Empty(log.Errors);
        AssertSequencesContinuous(new MmapLogReader(log.Path_).ReadRecords().ToList());
        Assert.Equal(new short[] { 1, 2 }, new MmapLogReader(log.Path_).ReadEvents().Select(e => (short)((LogScalar)e.Properties[0].Value).Value!));
    }

    [Fact]
    public void A_segment_with_a_damaged_header_is_left_untouched_and_reported_as_a_problem()
    {
        using var log = new TestLog();
        Crashed crashed = WriteCrashed(log, 20);
        crashed.Image[20] ^= 0xFF;
        File.WriteAllBytes(crashed.SegmentPath, crashed.Image);
        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            Assert.Empty(writer.Recovery!.Repaired);
            Assert.Contains("CRC", Assert.Single(writer.Recovery.Problems));
        }
        Assert.Equal(crashed.Image, File.ReadAllBytes(crashed.SegmentPath));
        Assert.Contains(log.Errors, e => e.Kind == MmapLogErrorKind.Recovery && e.Message.Contains("untouched", StringComparison.Ordinal));
    }

    [Fact]
    public void A_segment_that_crashed_before_its_first_record_is_sealed_empty_and_the_sequence_starts_after_its_seal()
    {
        using var log = new TestLog();
        string path;
        byte[] image;
        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            path = writer.CurrentSegmentPath!;
            image = TestSupport.ReadShared(path);
        }
        File.WriteAllBytes(path, image);
        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            RepairedSegment repaired = Assert.Single(writer.Recovery!.Repaired);
            Assert.Equal(0, repaired.RecordsKept);
            Assert.Equal(1, repaired.LastSequence);
            var e = new FixedSizeEvent(1);
            Assert.True(writer.Append(T0, MmapLevel.Information, ref e));
        }
        AssertSealedAndTrimmed(path, FormatConstants.HeaderSize + 32);
        List<MmapRecord> records = new MmapLogReader(log.Path_).ReadRecords().ToList();
        AssertSequencesContinuous(records);
        Assert.Single(records, r => r.Event is not null);
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }
}
