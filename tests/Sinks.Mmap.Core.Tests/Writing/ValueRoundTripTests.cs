using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

public class ValueRoundTripTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    /// <summary>Writes one event with one property, reads it back, returns the value.</summary>
    private static LogValue RoundTrip(WriteProperties write)
    {
        MmapEvent e = RoundTripEvent(new EventHeader { MessageTemplate = "{V}", PropertyCount = 1 }, (ref EventWriter w) =>
        {
            w.WritePropertyName("V");
            write(ref w);
        });
        Assert.Single(e.Properties);
        Assert.Equal("V", e.Properties[0].Name);
        return e.Properties[0].Value;
    }

    private static MmapEvent RoundTripEvent(EventHeader header, WriteProperties? write, long ticks = 0)
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(1 << 20)))
        {
            var payload = new CustomEvent(header, write);
            Assert.True(writer.Append(ticks == 0 ? T0 : ticks, MmapLevel.Warning, ref payload));
        }
        Assert.Empty(log.Errors);
        var records = new MmapLogReader(log.Path_).ReadRecords().Where(r => r.Kind == MmapRecordKind.Event).ToList();
        MmapRecord record = Assert.Single(records);
        Assert.Null(record.DecodeError);
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
        return record.Event!;
    }

    private static object? Scalar(LogValue value) => Assert.IsType<LogScalar>(value).Value;

    private static void AssertScalar<T>(T expected, LogValue actual)
    {
        object? value = Scalar(actual);
        Assert.IsType<T>(value);
        Assert.Equal(TestSupport.DescribeScalar(expected), TestSupport.DescribeScalar(value));
    }

    [Fact]
    public void Null_and_booleans_round_trip()
    {
        Assert.Null(Scalar(RoundTrip((ref EventWriter w) => w.WriteNull())));
        AssertScalar(true, RoundTrip((ref EventWriter w) => w.WriteBoolean(true)));
        AssertScalar(false, RoundTrip((ref EventWriter w) => w.WriteBoolean(false)));
    }

    [Theory]
    [InlineData(sbyte.MinValue)]
    [InlineData((sbyte)0)]
    [InlineData(sbyte.MaxValue)]
    public void Sbytes_round_trip(sbyte v) => AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteSByte(v)));

    [Theory]
    [InlineData(byte.MinValue)]
    [InlineData(byte.MaxValue)]
    public void Bytes_round_trip(byte v) => AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteByte(v)));

    [Theory]
    [InlineData(short.MinValue)]
    [InlineData((short)-1)]
    [InlineData(short.MaxValue)]
    public void Shorts_round_trip(short v) => AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteInt16(v)));

    [Theory]
    [InlineData(ushort.MinValue)]
    [InlineData(ushort.MaxValue)]
    public void Ushorts_round_trip(ushort v) => AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteUInt16(v)));

    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(64)]
    [InlineData(int.MaxValue)]
    public void Ints_round_trip(int v) => AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteInt32(v)));

    [Theory]
    [InlineData(uint.MinValue)]
    [InlineData(uint.MaxValue)]
    public void Uints_round_trip(uint v) => AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteUInt32(v)));

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    public void Longs_round_trip(long v) => AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteInt64(v)));

    [Theory]
    [InlineData(ulong.MinValue)]
    [InlineData(ulong.MaxValue)]
    public void Ulongs_round_trip(ulong v) => AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteUInt64(v)));

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(float.Epsilon)]
    [InlineData(-0.0f)]
    [InlineData(3.14159f)]
    public void Floats_round_trip_bit_for_bit(float v) => AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteSingle(v)));

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.MaxValue)]
    [InlineData(double.Epsilon)]
    [InlineData(-0.0)]
    [InlineData(0.1)]
    public void Doubles_round_trip_bit_for_bit(double v) => AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteDouble(v)));

    [Fact]
    public void Decimals_round_trip_with_their_sign_and_scale()
    {
        foreach (decimal v in new[] { 0m, 1.500m, -1.5m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m, -0.000m })
        {
            LogValue value = RoundTrip((ref EventWriter w) => w.WriteDecimal(v));
            AssertScalar(v, value);
            Assert.Equal(v.Scale, ((decimal)Scalar(value)!).Scale);
        }
        Assert.Equal("1.500", ((decimal)Scalar(RoundTrip((ref EventWriter w) => w.WriteDecimal(1.500m)))!).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Strings_round_trip_empty_unicode_long_and_null()
    {
        string unicode = "héllo wörld — 日本語 — emoji 😀 — \0 nul — \u2028";
        string longText = string.Concat(Enumerable.Repeat("0123456789abcdef€", 12000));
        foreach (string v in new[] { "", unicode, longText })
        {
            AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteString(v)));
        }
        Assert.Null(Scalar(RoundTrip((ref EventWriter w) => w.WriteString(null))));
    }

    [Theory]
    [InlineData('a')]
    [InlineData('\0')]
    [InlineData('\uFFFF')]
    [InlineData('\uD800')]
    public void Chars_round_trip_including_lone_surrogates(char v) => AssertScalar(v, RoundTrip((ref EventWriter w) => w.WriteChar(v)));

    [Theory]
    [InlineData(DateTimeKind.Unspecified)]
    [InlineData(DateTimeKind.Utc)]
    [InlineData(DateTimeKind.Local)]
    public void DateTimes_round_trip_with_their_kind(DateTimeKind kind)
    {
        var v = new DateTime(2026, 11, 21, 10, 30, 15, kind).AddTicks(1234567);
        LogValue value = RoundTrip((ref EventWriter w) => w.WriteDateTime(v));
        var back = (DateTime)Scalar(value)!;
        Assert.Equal(v.Ticks, back.Ticks);
        Assert.Equal(kind, back.Kind);
        AssertScalar(DateTime.MaxValue, RoundTrip((ref EventWriter w) => w.WriteDateTime(DateTime.MaxValue)));
        AssertScalar(DateTime.MinValue, RoundTrip((ref EventWriter w) => w.WriteDateTime(DateTime.MinValue)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(330)]
    [InlineData(-480)]
    [InlineData(14 * 60)]
    [InlineData(-14 * 60)]
    public void DateTimeOffsets_round_trip_with_their_offset(int offsetMinutes)
    {
        var v = new DateTimeOffset(2026, 11, 21, 10, 30, 15, TimeSpan.FromMinutes(offsetMinutes)).AddTicks(42);
        LogValue value = RoundTrip((ref EventWriter w) => w.WriteDateTimeOffset(v));
        var back = (DateTimeOffset)Scalar(value)!;
        Assert.Equal(v.Ticks, back.Ticks);
        Assert.Equal(v.Offset, back.Offset);
    }

    [Fact]
    public void TimeSpans_Guids_and_byte_arrays_round_trip()
    {
        foreach (TimeSpan ts in new[] { TimeSpan.Zero, TimeSpan.MinValue, TimeSpan.MaxValue, TimeSpan.FromTicks(-1) })
        {
            AssertScalar(ts, RoundTrip((ref EventWriter w) => w.WriteTimeSpan(ts)));
        }
        var guid = Guid.Parse("01234567-89ab-cdef-0123-456789abcdef");
        AssertScalar(guid, RoundTrip((ref EventWriter w) => w.WriteGuid(guid)));
        foreach (byte[] bytes in new[] { Array.Empty<byte>(), new byte[] { 0, 1, 255 }, Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray() })
        {
            AssertScalar(bytes, RoundTrip((ref EventWriter w) => w.WriteBytes(bytes)));
        }
    }

    [Fact]
    public void DateOnly_and_TimeOnly_round_trip_at_their_extremes()
    {
        foreach (DateOnly d in new[] { DateOnly.MinValue, new DateOnly(2026, 11, 21), DateOnly.MaxValue })
        {
            AssertScalar(d, RoundTrip((ref EventWriter w) => w.WriteDateOnly(d)));
        }
        foreach (TimeOnly t in new[] { TimeOnly.MinValue, new TimeOnly(13, 14, 15, 16), TimeOnly.MaxValue })
        {
            AssertScalar(t, RoundTrip((ref EventWriter w) => w.WriteTimeOnly(t)));
        }
    }

    [Fact]
    public void An_enum_written_as_a_scalar_reads_back_with_its_type_number_and_name()
    {
        var value = Assert.IsType<LogEnumValue>(Scalar(RoundTrip((ref EventWriter w) => w.WriteScalar(DayOfWeek.Friday))));
        Assert.Equal("System.DayOfWeek", value.TypeName);
        Assert.Equal(5, Assert.IsType<int>(value.UnderlyingValue));
        Assert.Equal("Friday", value.Name);
    }

    [Fact]
    public void A_Uri_written_as_a_scalar_reads_back_as_an_opaque_scalar_with_its_text()
    {
        var uri = new Uri("https://example.com/a?b=c");
        var opaque = Assert.IsType<LogOpaqueScalar>(RoundTrip((ref EventWriter w) => w.WriteScalar(uri)));
        Assert.Equal("System.Uri", opaque.TypeName);
        Assert.Equal("https://example.com/a?b=c", opaque.Text);
    }

    [Fact]
    public void A_formattable_scalar_of_another_type_is_written_in_the_invariant_culture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var value = new System.Numerics.Complex(1.5, -2.25);
            var opaque = Assert.IsType<LogOpaqueScalar>(RoundTrip((ref EventWriter w) => w.WriteScalar(value)));
            Assert.Equal("System.Numerics.Complex", opaque.TypeName);
            Assert.Equal(value.ToString(null, System.Globalization.CultureInfo.InvariantCulture), opaque.Text);
            Assert.DoesNotContain(",", opaque.Text);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Every_boxed_scalar_written_with_WriteScalar_reads_back_with_its_CLR_type_and_value()
    {
        object?[] values =
        {
            null, true, false, (sbyte)-5, (byte)200, (short)-300, (ushort)60000, -7, 7u, long.MinValue, ulong.MaxValue,
            1.25f, double.NaN, 12.345m, "text", 'c', new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromHours(-5)), TimeSpan.FromMinutes(90), Guid.NewGuid(),
            new byte[] { 9, 8, 7 }, new DateOnly(1999, 12, 31), new TimeOnly(23, 59, 59),
        };
        foreach (object? v in values)
        {
            LogValue back = RoundTrip((ref EventWriter w) => w.WriteScalar(v));
            Assert.Equal(TestSupport.DescribeScalar(v), TestSupport.DescribeScalar(Scalar(back)));
            if (v is not null) Assert.IsType(v.GetType(), Scalar(back));
        }
    }

    [Fact]
    public void Sequences_structures_and_dictionaries_nest_and_round_trip()
    {
        LogValue value = RoundTrip((ref EventWriter w) =>
        {
            w.BeginSequence(4);
            w.WriteInt32(1);
            w.BeginStructure("Customer", 2);
            w.WritePropertyName("Name");
            w.WriteString("Ada");
            w.WritePropertyName("Tags");
            w.BeginSequence(2);
            w.WriteString("a");
            w.WriteNull();
            w.BeginStructure(null, 1);
            w.WritePropertyName("X");
            w.BeginDictionary(2);
            w.WriteString("k");
            w.WriteInt64(5);
            w.WriteInt32(2);
            w.BeginSequence(0);
            w.BeginDictionary(0);
        });
        Assert.Equal(
            "[Int32:1,Customer{Name=string:Ada,Tags=[string:a,null,],},<untagged>{X=dict{string:k:Int64:5,Int32:2:[],},},dict{},]",
            TestSupport.Describe(value));
        var seq = Assert.IsType<LogSequence>(value);
        Assert.Equal("Customer", Assert.IsType<LogStructure>(seq.Elements[1]).TypeTag);
        Assert.Null(Assert.IsType<LogStructure>(seq.Elements[2]).TypeTag);
    }

    private static void WriteNested(ref EventWriter w, int levels)
    {
        for (int i = 1; i < levels; i++)
        {
            if (!w.BeginSequence(1)) return;
        }
        w.WriteInt32(levels);
    }

    [Fact]
    public void Values_nested_64_levels_deep_round_trip()
    {
        LogValue value = RoundTrip((ref EventWriter w) => WriteNested(ref w, 64));
        int depth = 1;
        while (value is LogSequence s)
        {
            value = Assert.Single(s.Elements);
            depth++;
        }
        Assert.Equal(64, depth);
        AssertScalar(64, value);
    }

    [Fact]
    public void Values_nested_65_levels_deep_are_written_with_the_truncation_marker_at_level_64_and_the_log_verifies_clean()
    {
        using var log = new TestLog();
        long truncated;
        using (var writer = new MmapLogWriter(log.Options()))
        {
            var payload = new CustomEvent(new EventHeader { MessageTemplate = "{V}", PropertyCount = 1 }, (ref EventWriter w) =>
            {
                w.WritePropertyName("V");
                WriteNested(ref w, 65);
            });
            Assert.True(writer.Append(T0, MmapLevel.Information, ref payload));
            truncated = writer.TruncatedEvents;
        }
        Assert.Equal(1, truncated);
        Assert.Single(log.Errors, e => e.Kind == MmapLogErrorKind.EventTruncated);
        MmapRecord record = new MmapLogReader(log.Path_).ReadRecords().Single(r => r.Kind == MmapRecordKind.Event);
        Assert.Null(record.DecodeError);
        LogValue value = record.Event!.Properties.Single().Value;
        int depth = 1;
        while (value is LogSequence s)
        {
            value = Assert.Single(s.Elements);
            depth++;
        }
        Assert.Equal(64, depth);
        var marker = Assert.IsType<LogOpaqueScalar>(value);
        Assert.True(marker.IsTruncationMarker);
        Assert.Equal("Sinks.Mmap.Truncated", marker.TypeName);
        Assert.Equal("(nested deeper than 64 levels)", marker.Text);
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void Every_header_field_round_trips_and_the_timestamp_keeps_its_local_offset()
    {
        var trace = ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c");
        var span = ActivitySpanId.CreateFromString("b7ad6b7169203331");
        var header = new EventHeader
        {
            OffsetMinutes = 330,
            MessageTemplate = "Order {Id} failed",
            LoggerName = "Shop.Orders",
            RenderedMessage = "Order 7 failed",
            ExceptionType = "System.InvalidOperationException",
            ExceptionMessage = "bad state",
            ExceptionText = "System.InvalidOperationException: bad state\n   at Shop.Orders.Place()",
            TraceId = trace,
            SpanId = span,
            PropertyCount = 1,
        };
        long ticks = TestSupport.Ticks(2026, 11, 21, 10, 0, 0, 123);
        MmapEvent e = RoundTripEvent(header, (ref EventWriter w) => { w.WritePropertyName("Id"); w.WriteInt32(7); }, ticks);
        Assert.Equal(ticks, e.Timestamp.UtcTicks);
        Assert.Equal(TimeSpan.FromMinutes(330), e.Timestamp.Offset);
        Assert.Equal(new DateTime(2026, 11, 21, 15, 30, 0, 123), e.Timestamp.DateTime);
        Assert.Equal(MmapLevel.Warning, e.Level);
        Assert.Equal("Order {Id} failed", e.MessageTemplate);
        Assert.Equal("Shop.Orders", e.LoggerName);
        Assert.Equal("Order 7 failed", e.RenderedMessage);
        Assert.Equal(new MmapExceptionInfo(header.ExceptionType, header.ExceptionMessage, header.ExceptionText), e.Exception);
        Assert.Equal(trace, e.TraceId);
        Assert.Equal(span, e.SpanId);
    }

    [Fact]
    public void Absent_header_fields_read_back_as_null_and_a_negative_offset_round_trips()
    {
        long ticks = TestSupport.Ticks(2026, 1, 1, 3);
        MmapEvent e = RoundTripEvent(new EventHeader { OffsetMinutes = -480 }, null, ticks);
        Assert.Equal(new DateTimeOffset(2025, 12, 31, 19, 0, 0, TimeSpan.FromHours(-8)), e.Timestamp);
        Assert.Equal(TimeSpan.FromHours(-8), e.Timestamp.Offset);
        Assert.Null(e.MessageTemplate);
        Assert.Null(e.LoggerName);
        Assert.Null(e.RenderedMessage);
        Assert.Null(e.Exception);
        Assert.Null(e.TraceId);
        Assert.Null(e.SpanId);
        Assert.Empty(e.Properties);
    }

    [Fact]
    public void An_exception_with_only_a_type_is_recorded_with_null_message_and_text()
    {
        MmapEvent e = RoundTripEvent(new EventHeader { MessageTemplate = "x", ExceptionType = "E" }, null);
        Assert.Equal(new MmapExceptionInfo("E", null, null), e.Exception);
    }

    [Fact]
    public void A_template_too_long_to_intern_is_written_inline_and_reads_back()
    {
        string template = new string('t', 5000) + " {V}";
        MmapEvent e = RoundTripEvent(new EventHeader { MessageTemplate = template, PropertyCount = 1 }, (ref EventWriter w) =>
        {
            w.WritePropertyName("V");
            w.WriteInt32(1);
        });
        Assert.Equal(template, e.MessageTemplate);
    }

    [Fact]
    public void Interned_strings_are_defined_again_in_each_segment_so_a_segment_reads_alone()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(4096)))
        {
            for (short i = 0; i < 300; i++)
            {
                var e = new FixedSizeEvent(i);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }
        string[] files = log.SegmentFiles().OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 3);
        foreach (string file in files)
        {
            List<MmapEvent> events = new MmapLogReader(file).ReadEvents().ToList();
            Assert.NotEmpty(events);
            Assert.All(events, e => Assert.Equal("T {A}", e.MessageTemplate));
            Assert.All(events, e => Assert.Equal("A", e.Properties.Single().Name));
        }
    }
}
