using System;
using System.Collections.Generic;
using System.Linq;
using Sinks.Mmap.Format;
using Sinks.Mmap.Writing;
using Xunit;

// The root namespace, as in src: a namespace named Encoding would hide System.Text.Encoding from every test.
namespace Sinks.Mmap.Core.Tests;

/// <summary>
/// The writer enforces FORMAT.md's limits as the payload writes: what it publishes every reader reads,
/// and what it cannot publish it drops with a report (EventWriter's remarks).
/// </summary>
public class EncodingLimitTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    /// <summary>Appends one event of <paramref name="count"/> properties, then a normal one; returns the first's result.</summary>
    private static bool AppendThenNormal(TestLog log, int count, WriteProperties write, out MmapLogWriter used, long segmentSize = 1 << 20)
    {
        var writer = new MmapLogWriter(log.Options(segmentSize));
        used = writer;
        var payload = new CustomEvent(new EventHeader { MessageTemplate = "{V}", PropertyCount = count }, write);
        bool appended = writer.Append(T0, MmapLevel.Information, ref payload);
        var normal = new FixedSizeEvent(7);
        Assert.True(writer.Append(T0 + 1, MmapLevel.Information, ref normal));
        writer.Dispose();
        return appended;
    }

    /// <summary>The log holds the normal event and verifies clean; returns the events.</summary>
    private static List<MmapEvent> AssertCleanWithNormalEvent(TestLog log)
    {
        var reader = new MmapLogReader(log.Path_);
        Assert.True(reader.Validate().IsClean, "the log verifies clean");
        Assert.All(reader.ReadRecords(), r => Assert.Null(r.DecodeError));
        List<MmapEvent> events = reader.ReadEvents().ToList();
        Assert.Contains(events, e => e.MessageTemplate == "T {A}");
        return events;
    }

    private static void AssertDroppedAndReported(TestLog log, MmapLogWriter writer, bool appended, string because)
    {
        Assert.False(appended);
        Assert.Equal(1, writer.DroppedEvents);
        MmapLogError error = Assert.Single(log.Errors, e => e.Kind == MmapLogErrorKind.EventRejected);
        Assert.Contains(because, error.Message);
        List<MmapEvent> events = AssertCleanWithNormalEvent(log);
        Assert.Single(events);
    }

    private static int DepthOf(LogValue value, out LogValue innermost)
    {
        int depth = 1;
        while (true)
        {
            switch (value)
            {
                case LogSequence { Elements.Count: 1 } s: value = s.Elements[0]; break;
                case LogStructure { Properties.Count: 1 } st: value = st.Properties[0].Value; break;
                case LogDictionary { Entries.Count: 1 } d: value = d.Entries[0].Value; break;
                default:
                    innermost = value;
                    return depth;
            }
            depth++;
        }
    }

    [Fact]
    public void A_value_200_levels_deep_of_structures_dictionaries_and_sequences_keeps_63_levels_and_ends_in_the_marker()
    {
        using var log = new TestLog();
        int begun = 0;
        bool appended = AppendThenNormal(log, 1, (ref EventWriter w) =>
        {
            w.WritePropertyName("V");
            for (int level = 0; level < 200; level++)
            {
                bool open = (level % 3) switch
                {
                    0 => w.BeginStructure("Node", 1),
                    1 => w.BeginDictionary(1),
                    _ => w.BeginSequence(1),
                };
                if (!open) return;
                begun++;
                if (level % 3 == 0) w.WritePropertyName("Child");
                if (level % 3 == 1) w.WriteString("key");
            }
            w.WriteInt32(200);
        }, out MmapLogWriter writer);
        Assert.True(appended);
        Assert.Equal(63, begun);
        Assert.Equal(1, writer.TruncatedEvents);
        Assert.Equal(0, writer.DroppedEvents);
        Assert.Single(log.Errors, e => e.Kind == MmapLogErrorKind.EventTruncated);
        MmapEvent e = AssertCleanWithNormalEvent(log).First(x => x.MessageTemplate == "{V}");
        Assert.Equal(64, DepthOf(e.Properties.Single().Value, out LogValue innermost));
        Assert.True(Assert.IsType<LogOpaqueScalar>(innermost).IsTruncationMarker);
    }

    [Fact]
    public void An_empty_container_at_depth_64_is_written_as_it_is_for_it_holds_nothing_deeper()
    {
        using var log = new TestLog();
        bool appended = AppendThenNormal(log, 1, (ref EventWriter w) =>
        {
            w.WritePropertyName("V");
            for (int level = 1; level < 64; level++) Assert.True(w.BeginSequence(1));
            Assert.True(w.BeginStructure("Empty", 0));
        }, out MmapLogWriter writer);
        Assert.True(appended);
        Assert.Equal(0, writer.TruncatedEvents);
        MmapEvent e = AssertCleanWithNormalEvent(log).First(x => x.MessageTemplate == "{V}");
        Assert.Equal(64, DepthOf(e.Properties.Single().Value, out LogValue innermost));
        Assert.Equal("Empty", Assert.IsType<LogStructure>(innermost).TypeTag);
    }

    [Fact]
    public void Truncated_events_are_each_counted_and_reported_once_while_the_report_is_throttled()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            for (int i = 0; i < 5; i++)
            {
                var payload = new CustomEvent(new EventHeader { MessageTemplate = "{V}", PropertyCount = 1 }, (ref EventWriter w) =>
                {
                    w.WritePropertyName("V");
                    int opened = 0;
                    while (w.BeginSequence(1)) opened++;
                    Assert.Equal(63, opened);
                });
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref payload));
            }
            Assert.Equal(5, writer.TruncatedEvents);
        }
        MmapLogError report = Assert.Single(log.Errors);
        Assert.Equal(MmapLogErrorKind.EventTruncated, report.Kind);
        Assert.Contains("nested deeper than 64 levels", report.Message);
        Assert.Equal(5, new MmapLogReader(log.Path_).ReadEvents().Count());
    }

    [Fact]
    public void A_payload_that_writes_values_after_Begin_returned_false_is_dropped_rather_than_published()
    {
        using var log = new TestLog();
        bool appended = AppendThenNormal(log, 1, (ref EventWriter w) =>
        {
            w.WritePropertyName("V");
            // Careless: ignores the return value and writes the 65th level's value anyway.
            for (int level = 1; level < 65; level++) w.BeginSequence(1);
            w.WriteInt32(65);
        }, out MmapLogWriter writer);
        AssertDroppedAndReported(log, writer, appended, "other values than it declared");
    }

    [Fact]
    public void An_event_that_writes_fewer_properties_than_it_declared_is_dropped_not_published_unreadable()
    {
        using var log = new TestLog();
        bool appended = AppendThenNormal(log, 3, (ref EventWriter w) =>
        {
            w.WritePropertyName("A");
            w.WriteInt32(1);
        }, out MmapLogWriter writer);
        AssertDroppedAndReported(log, writer, appended, "other values than it declared");
    }

    [Fact]
    public void An_event_that_writes_more_values_than_a_sequence_declared_is_dropped_not_published_unreadable()
    {
        using var log = new TestLog();
        bool appended = AppendThenNormal(log, 2, (ref EventWriter w) =>
        {
            w.WritePropertyName("A");
            w.BeginSequence(1);
            w.WriteInt32(1);
            w.WriteInt32(2);
            w.WritePropertyName("B");
            w.WriteInt32(3);
        }, out MmapLogWriter writer);
        AssertDroppedAndReported(log, writer, appended, "other values than it declared");
    }

    [Fact]
    public void A_name_where_a_value_is_due_or_a_value_where_a_name_is_due_drops_the_event()
    {
        using (var log = new TestLog())
        {
            bool appended = AppendThenNormal(log, 1, (ref EventWriter w) =>
            {
                w.WritePropertyName("A");
                w.BeginStructure(null, 1);
                w.WriteInt32(1);
                w.WriteInt32(2);
            }, out MmapLogWriter writer);
            AssertDroppedAndReported(log, writer, appended, "other values than it declared");
        }
        using (var log = new TestLog())
        {
            bool appended = AppendThenNormal(log, 1, (ref EventWriter w) =>
            {
                w.WritePropertyName("A");
                w.BeginSequence(2);
                w.WritePropertyName("B");
                w.WriteInt32(1);
                w.WriteInt32(2);
            }, out MmapLogWriter writer);
            AssertDroppedAndReported(log, writer, appended, "other values than it declared");
        }
    }

    private struct HeaderTwice : IEventPayload
    {
        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = "x", PropertyCount = 0 });
            writer.WriteHeader(new EventHeader { MessageTemplate = "x", PropertyCount = 0 });
        }
    }

    private struct NoHeader : IEventPayload
    {
        public void Write(ref EventWriter writer) => writer.WriteInt32(1);
    }

    [Fact]
    public void A_payload_without_a_header_or_with_two_is_dropped()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            var twice = new HeaderTwice();
            Assert.False(writer.Append(T0, MmapLevel.Information, ref twice));
            var none = new NoHeader();
            Assert.False(writer.Append(T0, MmapLevel.Information, ref none));
            Assert.Equal(2, writer.DroppedEvents);
        }
        Assert.Empty(new MmapLogReader(log.Path_).ReadEvents());
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void An_event_that_refers_to_one_string_past_2_GiB_in_all_stops_counting_at_the_record_limit_and_is_dropped()
    {
        using var log = new TestLog();
        string text = new('x', 1 << 20);
        int rejectedAfter = -1;
        bool appended = AppendThenNormal(log, 1, (ref EventWriter w) =>
        {
            w.WritePropertyName("V");
            Assert.True(w.BeginSequence(2100));
            for (int i = 0; i < 2100; i++)
            {
                w.WriteString(text);
                if (w.IsRejected && rejectedAfter < 0) rejectedAfter = i + 1;
            }
        }, out MmapLogWriter writer, segmentSize: 64L << 20);
        // 16 MiB holds 15 of these strings: the 16th is refused without being transcoded, and with it the event.
        Assert.Equal(16, rejectedAfter);
        AssertDroppedAndReported(log, writer, appended, "larger than a record may be (16777216 bytes");
    }

    [Fact]
    public void An_event_past_the_record_limit_is_refused_even_in_a_segment_with_room_and_Begin_then_returns_false()
    {
        using var log = new TestLog();
        bool? beginAfterRejection = null;
        bool appended = AppendThenNormal(log, 2, (ref EventWriter w) =>
        {
            w.WritePropertyName("Big");
            w.WriteBytes(new byte[FormatConstants.MaxRecordLength]);
            w.WritePropertyName("Then");
            beginAfterRejection = w.BeginStructure("T", 1);
        }, out MmapLogWriter writer, segmentSize: 64L << 20);
        Assert.False(beginAfterRejection);
        AssertDroppedAndReported(log, writer, appended, "larger than a record may be");
    }

    private delegate bool Begin(ref EventWriter writer);

    [Fact]
    public void Counts_no_record_could_hold_reject_the_event_before_a_single_value_is_written()
    {
        foreach (Begin begin in new Begin[]
        {
            (ref EventWriter w) => w.BeginSequence(int.MaxValue),
            (ref EventWriter w) => w.BeginStructure("T", int.MaxValue / 2 + 1),
            (ref EventWriter w) => w.BeginDictionary(FormatConstants.MaxRecordLength / 2),
        })
        {
            var writer = EventWriter.ForMeasuring(null);
            writer.WriteHeader(new EventHeader { PropertyCount = 1 });
            writer.WritePropertyName("V");
            Assert.False(begin(ref writer));
            Assert.Equal(EventRejection.TooLarge, writer.Rejection);
        }
        var header = EventWriter.ForMeasuring(null);
        header.WriteHeader(new EventHeader { PropertyCount = int.MaxValue });
        Assert.True(header.IsRejected);
        Assert.Equal(EventRejection.TooLarge, header.Rejection);
    }

    [Fact]
    public void A_negative_count_is_a_payload_error_and_drops_the_event()
    {
        using var log = new TestLog();
        bool appended = AppendThenNormal(log, 1, (ref EventWriter w) =>
        {
            w.WritePropertyName("V");
            Assert.False(w.BeginSequence(-1));
        }, out MmapLogWriter writer);
        AssertDroppedAndReported(log, writer, appended, "other values than it declared");
    }

    [Fact]
    public void Timestamps_outside_DateTimes_range_are_stored_at_its_ends_so_the_event_reads_back()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            foreach (long ticks in new[] { long.MaxValue, DateTime.MaxValue.Ticks + 1, -1, long.MinValue })
            {
                var e = new FixedSizeEvent(1);
                Assert.True(writer.Append(ticks, MmapLevel.Information, ref e));
            }
        }
        var reader = new MmapLogReader(log.Path_);
        Assert.True(reader.Validate().IsClean);
        Assert.Equal(new[] { DateTime.MaxValue.Ticks, DateTime.MaxValue.Ticks, 0, 0 }, reader.ReadEvents().Select(e => e.Timestamp.UtcTicks));
    }

    [Fact]
    public void A_claim_of_a_length_that_is_not_a_record_is_refused_and_leaves_the_segment_as_it_was()
    {
        using var log = new TestLog();
        ActiveSegment segment = log.StandaloneSegment("claim", T0);
        int before = segment.ClaimedEnd;
        foreach (int length in new[] { int.MinValue, -8, 0, 8, 36, segment.MaxAlignedRecord + 8, int.MaxValue - 7 })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => segment.TryClaim(length, T0, out _, out _));
        }
        Assert.Equal(before, segment.ClaimedEnd);
        Assert.True(segment.TryClaim(32, T0, out int offset, out long sequence));
        Assert.Equal(before, offset);
        Assert.Equal(1, sequence);
    }
}
