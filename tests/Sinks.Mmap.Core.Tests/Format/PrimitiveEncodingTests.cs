using System;
using System.Text;
using CsCheck;
using Sinks.Mmap.Adapters;
using Sinks.Mmap.Format;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Format;

public class PrimitiveEncodingTests
{
    [Fact]
    public void The_CRC32C_check_value_of_123456789_is_E3069283()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void An_event_record_written_from_a_scratch_copy_carries_the_CRC_of_its_own_bytes_8_to_its_length()
    {
        // WriteEvent takes the CRC from the header's values and the body, never reading the slot back:
        // it must still be the CRC of the bytes as they landed, for any sequence, time, level and body.
        Gen.Select(Gen.Long, Gen.Long, Gen.Byte, Gen.Byte.Array[0, 300]).Sample((sequence, ticks, level, body) =>
        {
            int length = FormatConstants.FrameHeaderSize + body.Length;
            var slot = new byte[FormatConstants.Align(length)];
            RecordFrame.WriteEvent(slot, sequence, ticks, level, body);
            Assert.Equal(length, BitConverter.ToInt32(slot, 0));
            Assert.Equal(Crc32C.Compute(slot.AsSpan(8, length - 8)), BitConverter.ToUInt32(slot, 4));
            Assert.True(RecordFrame.IsValid(slot, out int valid));
            Assert.Equal(length, valid);
            Assert.Equal((sequence, ticks, RecordKind.Event, level), (RecordFrame.Sequence(slot), RecordFrame.Ticks(slot), RecordFrame.Kind(slot), RecordFrame.Level(slot)));
            Assert.True(slot.AsSpan(FormatConstants.FrameHeaderSize, body.Length).SequenceEqual(body));
        });
    }

    [Fact]
    public void A_string_value_is_its_UTF8_length_plus_one_then_its_UTF8_bytes_ASCII_or_not()
    {
        // Short ASCII strings take a fast path of their own; every other string the transcoder's. Both must
        // give the format's bytes (a lone surrogate as U+FFFD), in a buffer of exactly the measured size too.
        Gen<string> ascii = Gen.Char['\0', '\x7F'].Array[0, 60].Select(chars => new string(chars));
        Gen.OneOf(ascii, Gen.String).Sample(AssertStoredAsUtf8);
    }

    [Fact]
    public void A_short_string_with_one_non_ASCII_unit_anywhere_is_stored_as_UTF8()
    {
        // Short ASCII strings are narrowed eight units a step, the last step overlapping: a unit past 0x7F
        // in any step (first, middle, the overlapped tail) must send the string the general way.
        foreach (char odd in new[] { '\u0080', '\u00E9', '\u0100', '\u7F41', '\uFF80', '\uD800' })
        {
            for (int length = 0; length <= 42; length++)
            {
                for (int at = -1; at < length; at++)
                {
                    char[] chars = new char[length];
                    for (int i = 0; i < length; i++) chars[i] = (char)('0' + (i % 64));
                    if (at >= 0) chars[at] = odd;
                    AssertStoredAsUtf8(new string(chars));
                }
            }
        }
    }

    private static void AssertStoredAsUtf8(string value)
    {
        var payload = new OneString(value);
        var measure = EventWriter.ForMeasuring(null);
        payload.Write(ref measure);
        byte[] body = new byte[measure.Position];
        var exact = EventWriter.ForExactSpan(null, body);
        payload.Write(ref exact);
        Assert.Equal(body.Length, exact.Position);
        byte[] utf8 = Encoding.UTF8.GetBytes(value);
        byte[] length = new byte[Varint.MaxLength];
        int n = Varint.Write(length, (ulong)utf8.Length + 1);
        byte[] expected = [0x0E, .. length.AsSpan(0, n), .. utf8];
        Assert.True(body.AsSpan().EndsWith(expected), $"'{value}' ({value.Length} units)");
    }

    private readonly struct OneString(string value) : IEventPayload
    {
        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { PropertyCount = 1 });
            writer.WritePropertyName("S");
            writer.WriteString(value);
        }
    }

    [Fact]
    public void The_short_header_writes_the_bytes_of_a_header_struct_holding_only_its_offset_template_and_count()
    {
        Gen.Select(Gen.Short, Gen.String.Null(), Gen.Int[0, 5]).Sample((offset, template, count) =>
        {
            byte[] viaStruct = Encode(count, (ref EventWriter w) => w.WriteHeader(new EventHeader { OffsetMinutes = offset, MessageTemplate = template, PropertyCount = count }));
            byte[] viaShort = Encode(count, (ref EventWriter w) => w.WriteHeader(offset, template, count));
            Assert.Equal(viaStruct, viaShort);
        });
    }

    [Fact]
    public void The_short_header_rejects_a_negative_count_and_a_second_header()
    {
        var negative = EventWriter.ForMeasuring(null);
        negative.WriteHeader(0, "T", -1);
        Assert.Equal(EventRejection.BadShape, negative.Rejection);

        var twice = EventWriter.ForMeasuring(null);
        twice.WriteHeader(0, "T", 0);
        Assert.Equal(EventRejection.None, twice.Rejection);
        twice.WriteHeader(0, "T", 0);
        Assert.Equal(EventRejection.BadShape, twice.Rejection);
    }

    private delegate void HeaderWrite(ref EventWriter writer);

    // Measures, then writes into exactly the measured span: the header, then count properties.
    private static byte[] Encode(int count, HeaderWrite header)
    {
        var measure = EventWriter.ForMeasuring(null);
        header(ref measure);
        for (int i = 0; i < count; i++) { measure.WritePropertyName("P" + i); measure.WriteInt32(i); }
        Assert.Equal(EventRejection.None, measure.Rejection);
        byte[] body = new byte[measure.Position];
        var exact = EventWriter.ForExactSpan(null, body);
        header(ref exact);
        for (int i = 0; i < count; i++) { exact.WritePropertyName("P" + i); exact.WriteInt32(i); }
        Assert.Equal(EventRejection.None, exact.Rejection);
        Assert.Equal(body.Length, exact.Position);
        return body;
    }

    [Fact]
    public void Copying_with_the_CRC_refuses_a_destination_shorter_than_the_source()
    {
        Assert.Throws<ArgumentException>(() => Crc32C.AppendAndCopy(0xFFFFFFFFu, new byte[9], new byte[8]));
    }

    [Fact]
    public void The_CRC32C_of_split_input_continued_with_Append_equals_the_CRC_of_the_whole()
    {
        byte[] data = new byte[1000];
        new Random(7).NextBytes(data);
        foreach (int split in new[] { 0, 1, 3, 4, 7, 8, 9, 500, 999, 1000 })
        {
            uint running = Crc32C.Append(0xFFFFFFFFu, data.AsSpan(0, split));
            running = Crc32C.Append(running, data.AsSpan(split));
            Assert.Equal(Crc32C.Compute(data), ~running);
        }
    }

    [Theory]
    [InlineData(0UL, 1)]
    [InlineData(1UL, 1)]
    [InlineData(127UL, 1)]
    [InlineData(128UL, 2)]
    [InlineData(16383UL, 2)]
    [InlineData(16384UL, 3)]
    [InlineData(uint.MaxValue, 5)]
    [InlineData(long.MaxValue, 9)]
    [InlineData(ulong.MaxValue, 10)]
    public void A_varint_round_trips_in_the_number_of_bytes_its_size_predicts(ulong value, int expectedSize)
    {
        byte[] buffer = new byte[Varint.MaxLength];
        int written = Varint.Write(buffer, value);
        Assert.Equal(expectedSize, written);
        Assert.Equal(expectedSize, Varint.Size(value));
        Assert.True(Varint.TryRead(buffer.AsSpan(0, written), out ulong read, out int consumed));
        Assert.Equal(value, read);
        Assert.Equal(written, consumed);
    }

    [Fact]
    public void A_varint_is_LEB128_low_group_first()
    {
        byte[] buffer = new byte[Varint.MaxLength];
        int n = Varint.Write(buffer, 300);
        Assert.Equal(new byte[] { 0xAC, 0x02 }, buffer.AsSpan(0, n).ToArray());
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xFF, 0xFF })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })]
    public void A_truncated_or_overlong_varint_is_refused_without_throwing(byte[] bytes)
    {
        Assert.False(Varint.TryRead(bytes, out ulong value, out int consumed));
        Assert.Equal(0UL, value);
        Assert.Equal(0, consumed);
    }

    [Theory]
    [InlineData(0L, 0UL)]
    [InlineData(-1L, 1UL)]
    [InlineData(1L, 2UL)]
    [InlineData(-2L, 3UL)]
    [InlineData(long.MaxValue, ulong.MaxValue - 1)]
    [InlineData(long.MinValue, ulong.MaxValue)]
    public void Zigzag_maps_small_magnitudes_to_small_numbers_and_round_trips(long value, ulong encoded)
    {
        Assert.Equal(encoded, Varint.ZigZag(value));
        Assert.Equal(value, Varint.UnZigZag(encoded));
    }

    [Fact]
    public void Zigzag_varints_round_trip_for_int_and_long_edge_values()
    {
        long[] values = { int.MinValue, int.MinValue + 1, -65, -64, -63, 63, 64, int.MaxValue, long.MinValue + 1, long.MaxValue - 1 };
        byte[] buffer = new byte[Varint.MaxLength];
        foreach (long v in values)
        {
            int n = Varint.Write(buffer, Varint.ZigZag(v));
            Assert.True(Varint.TryRead(buffer.AsSpan(0, n), out ulong raw, out _));
            Assert.Equal(v, Varint.UnZigZag(raw));
        }
    }
}
