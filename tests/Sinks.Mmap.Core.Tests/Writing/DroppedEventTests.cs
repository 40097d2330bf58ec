using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

public class DroppedEventTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    /// <summary>
    /// A payload too large for the scratch buffer (so it is measured, then encoded in place) that
    /// writes more in its second run than it measured in the first.
    /// </summary>
    private struct Inconsistent : IEventPayload
    {
        private int _runs;

        public void Write(ref EventWriter writer)
        {
            _runs++;
            writer.WriteHeader(new EventHeader { MessageTemplate = "x {V}", PropertyCount = 1 });
            writer.WritePropertyName("V");
            writer.WriteString(new string('v', Sinks.Mmap.Writing.ScratchBuffer.Size + (_runs == 1 ? 10 : 50)));
        }
    }

    [Fact]
    public void A_large_event_that_encodes_differently_than_it_measured_is_dropped_and_its_slot_padded()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            var ok = new FixedSizeEvent(1);
            Assert.True(writer.Append(T0, MmapLevel.Information, ref ok));
            var bad = new Inconsistent();
            Assert.False(writer.Append(T0 + 1, MmapLevel.Information, ref bad));
            Assert.Equal(1, writer.DroppedEvents);
            ok = new FixedSizeEvent(2);
            Assert.True(writer.Append(T0 + 2, MmapLevel.Information, ref ok));
        }
        Assert.Contains(log.Errors, e => e.Kind == MmapLogErrorKind.EventRejected);
        var reader = new MmapLogReader(log.Path_);
        Assert.Single(reader.ReadRecords(), r => r.Kind == MmapRecordKind.Padding);
        Assert.Equal(new short[] { 1, 2 }, reader.ReadEvents().Select(e => (short)((LogScalar)e.Properties[0].Value).Value!));
        Assert.True(reader.Validate().IsClean);
    }

    [Fact]
    public void An_event_larger_than_a_segment_can_hold_is_dropped_and_reported()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(4096)))
        {
            var huge = new CustomEvent(new EventHeader { MessageTemplate = "{S}", PropertyCount = 1 }, (ref EventWriter w) =>
            {
                w.WritePropertyName("S");
                w.WriteString(new string('x', 5000));
            });
            Assert.False(writer.Append(T0, MmapLevel.Information, ref huge));
            Assert.Equal(1, writer.DroppedEvents);
            var ok = new FixedSizeEvent(7);
            Assert.True(writer.Append(T0, MmapLevel.Information, ref ok));
        }
        Assert.Contains(log.Errors, e => e.Kind == MmapLogErrorKind.EventRejected);
        Assert.Equal((short)7, new MmapLogReader(log.Path_).ReadEvents().Select(e => (short)((LogScalar)e.Properties[0].Value).Value!).Single());
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void Appending_after_dispose_drops_the_event()
    {
        using var log = new TestLog();
        var writer = new MmapLogWriter(log.Options());
        writer.Dispose();
        var e = new FixedSizeEvent(1);
        Assert.False(writer.Append(T0, MmapLevel.Information, ref e));
        Assert.Equal(1, writer.DroppedEvents);
        Assert.False(writer.IsWriting);
    }

    [Fact]
    public void A_writer_finding_every_lane_held_reports_the_lock_and_drops_while_the_others_keep_writing()
    {
        using var log = new TestLog();
        var holders = new List<MmapLogWriter>();
        try
        {
            for (int lane = 1; lane <= 16; lane++)
            {
                var holder = new MmapLogWriter(log.Options(4096));
                holders.Add(holder);
                Assert.Equal(lane, holder.Lane);
            }
            MmapLogOptions options = log.Options(4096);
            options.RetryInterval = TimeSpan.FromHours(1);
            using (var extra = new MmapLogWriter(options))
            {
                var e = new FixedSizeEvent(1);
                Assert.False(extra.Append(T0, MmapLevel.Information, ref e));
                Assert.False(extra.IsWriting);
                Assert.Equal(0, extra.Lane);
                Assert.Equal(1, extra.DroppedEvents);
            }
            MmapLogError locked = Assert.Single(log.Errors, e => e.Kind == MmapLogErrorKind.Locked);
            Assert.Contains("all 16 lanes", locked.Message);
            Assert.Contains($"process {Environment.ProcessId}", locked.Message);
            var ok = new FixedSizeEvent(2);
            Assert.True(holders[0].Append(T0, MmapLevel.Information, ref ok));
        }
        finally
        {
            foreach (MmapLogWriter holder in holders) holder.Dispose();
        }
    }

    [Fact]
    public void The_positional_write_fallback_writes_a_log_the_reader_reads_the_same_way()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.ForceStreamFallback = true;
        options.RetainedFileCountLimit = null;
        using (var writer = new MmapLogWriter(options))
        {
            for (short i = 0; i < 200; i++)
            {
                var e = new FixedSizeEvent(i);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }
        Assert.Single(log.Errors, e => e.Kind == MmapLogErrorKind.MappingUnavailable);
        var reader = new MmapLogReader(log.Path_);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (short)i), reader.ReadEvents().Select(e => (short)((LogScalar)e.Properties[0].Value).Value!));
        ValidationReport report = reader.Validate();
        Assert.True(report.IsClean);
        Assert.Equal(3, report.Segments.Count);
        Assert.All(report.Segments, s => Assert.True(s.Sealed));
    }
}
