using System;
using System.Linq;
using Sinks.Mmap.Writing;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

/// <summary>
/// Events are encoded once into a per-thread scratch buffer and copied into their slot; events that
/// outgrow it, and log calls nested inside another's encoding, take the measure-then-encode route.
/// Both routes must give the same records.
/// </summary>
public class ScratchEncodingTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    [Fact]
    public void Events_just_under_at_and_over_the_scratch_buffer_size_read_back_exactly()
    {
        using var log = new TestLog();
        int[] lengths = { 10, 41, 42, 43, 100, ScratchBuffer.Size - 64, ScratchBuffer.Size - 20, ScratchBuffer.Size - 8, ScratchBuffer.Size, ScratchBuffer.Size + 1, ScratchBuffer.Size * 3 };
        using (var writer = new MmapLogWriter(log.Options(1024 * 1024)))
        {
            foreach (int length in lengths)
            {
                string text = new string('é', length / 2) + new string('a', length - length / 2);
                var e = new CustomEvent(new EventHeader { MessageTemplate = "{S} {N}", PropertyCount = 2 }, (ref EventWriter w) =>
                {
                    w.WritePropertyName("S");
                    w.WriteString(text);
                    w.WritePropertyName("N");
                    w.WriteInt32(length);
                });
                Assert.True(writer.Append(T0, MmapLevel.Information, ref e));
            }
        }
        var events = new MmapLogReader(log.Path_).ReadEvents().ToList();
        Assert.Equal(lengths, events.Select(e => (int)((LogScalar)e.Properties[1].Value).Value!));
        for (int i = 0; i < lengths.Length; i++)
        {
            string text = (string)((LogScalar)events[i].Properties[0].Value).Value!;
            Assert.Equal(lengths[i], text.Length);
            Assert.StartsWith("é", text);
        }
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void Numbers_that_straddle_the_end_of_the_scratch_buffer_or_of_the_claimed_slot_read_back_exactly()
    {
        // The writer stores numbers without per-byte checks only when the most they can take fits;
        // walking the end of the buffer across them byte by byte exercises every fallback.
        using var log = new TestLog();
        var pads = Enumerable.Range(ScratchBuffer.Size - 48, 56).ToArray();
        using (var writer = new MmapLogWriter(log.Options(4 * 1024 * 1024)))
        {
            foreach (int pad in pads)
            {
                var e = new CustomEvent(new EventHeader { MessageTemplate = "{S} {A} {B} {C} {D} {E}", PropertyCount = 6 }, (ref EventWriter w) =>
                {
                    w.WritePropertyName("S");
                    w.WriteString(new string('x', pad));
                    w.WritePropertyName("A");
                    w.WriteInt32(-1234567);
                    w.WritePropertyName("B");
                    w.WriteInt64(long.MinValue);
                    w.WritePropertyName("C");
                    w.WriteDouble(Math.PI);
                    w.WritePropertyName("D");
                    w.WriteUInt64(ulong.MaxValue);
                    w.WritePropertyName("E");
                    w.WriteBoolean(true);
                });
                Assert.True(writer.Append(T0, MmapLevel.Information, ref e));
            }
        }
        var events = new MmapLogReader(log.Path_).ReadEvents().ToList();
        Assert.Equal(pads.Length, events.Count);
        for (int i = 0; i < pads.Length; i++)
        {
            object?[] values = events[i].Properties.Select(p => ((LogScalar)p.Value).Value).ToArray();
            Assert.Equal(new object?[] { new string('x', pads[i]), -1234567, long.MinValue, Math.PI, ulong.MaxValue, true }, values);
        }
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void A_log_call_made_while_another_event_is_being_encoded_on_the_same_thread_is_written_too()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            // The outer event's property asks for a value whose computation logs (a ToString that logs, say).
            var outer = new CustomEvent(new EventHeader { MessageTemplate = "outer {V}", PropertyCount = 1 }, (ref EventWriter w) =>
            {
                var inner = new CustomEvent(new EventHeader { MessageTemplate = "inner {W}", PropertyCount = 1 }, (ref EventWriter iw) =>
                {
                    iw.WritePropertyName("W");
                    iw.WriteString("nested");
                });
                Assert.True(writer.Append(T0, MmapLevel.Debug, ref inner));
                w.WritePropertyName("V");
                w.WriteString("outer value");
            });
            Assert.True(writer.Append(T0, MmapLevel.Information, ref outer));
            Assert.Equal(0, writer.DroppedEvents);
        }
        var events = new MmapLogReader(log.Path_).ReadEvents().ToList();
        Assert.Contains(events, e => e.MessageTemplate == "outer {V}" && (string?)((LogScalar)e.Properties[0].Value).Value == "outer value");
        Assert.Contains(events, e => e.MessageTemplate == "inner {W}" && (string?)((LogScalar)e.Properties[0].Value).Value == "nested");
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void A_payload_that_throws_leaves_the_scratch_buffer_free_for_the_next_event()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            var throwing = new CustomEvent(new EventHeader { MessageTemplate = "bad {V}", PropertyCount = 1 }, (ref EventWriter w) => throw new FormatException("a ToString failed"));
            Assert.Throws<FormatException>(() => writer.Append(T0, MmapLevel.Information, ref throwing));
            ScratchBuffer? buffer = ScratchBuffer.Rent();
            Assert.NotNull(buffer);
            buffer!.Return();
        }
    }
}
