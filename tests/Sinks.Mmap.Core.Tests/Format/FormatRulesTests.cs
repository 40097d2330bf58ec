using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Numerics;
using System.Text;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Format;

/// <summary>
/// The reader does what docs/FORMAT.md says, point by point, on segments built byte by byte from the
/// document (<see cref="SegmentBuilder"/>): what a decoder written from FORMAT.md alone must do too.
/// </summary>
public sealed class FormatRulesTests
{
    private static readonly long T = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).Ticks;

    /// <summary>Writes a segment that <paramref name="build"/> fills, and reads it back: every record, and the report.</summary>
    private static (List<MmapRecord> Records, SegmentReport Report) Read(Action<SegmentBuilder> build, byte[]? raw = null)
    {
        using var log = new TestLog();
        string path = Path.Combine(log.Directory, "app-000001.mlog");
        if (raw is null)
        {
            var segment = new SegmentBuilder(createdTicks: T);
            build(segment);
            segment.WriteTo(path);
        }
        else
        {
            File.WriteAllBytes(path, raw);
        }
        var reader = new MmapLogReader(path);
        List<MmapRecord> records = reader.ReadRecords().ToList();
        SegmentReport? report = reader.Validate().Segments.SingleOrDefault();
        return (records, report ?? new SegmentReport());
    }

    /// <summary>The one event record of a segment holding just <paramref name="body"/>.</summary>
    private static MmapRecord One(BodyBuilder body, byte level = 2, long? ticks = null) =>
        Read(s => s.Event(body.ToArray(), ticks ?? T, level)).Records.Single();

    /// <summary>An event with the template <c>{V}</c>, marked as its plain rendering, and one property V of the given value bytes.</summary>
    private static string? Plain(Action<BodyBuilder> value)
    {
        var body = new BodyBuilder().EventStart(presence: 0x20).InlineRef("{V}").Varint(1).InlineRef("V");
        value(body);
        MmapRecord record = One(body);
        Assert.True(record.Event is not null, record.DecodeError);
        return record.Event!.RenderedMessage;
    }

    // ---- Number text (float, double) ----------------------------------------------------------

    /// <summary>FORMAT.md's number text, implemented from its words: shortest digits, then the switch to exponents.</summary>
    private static string NumberText(double value, bool isFloat)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "Infinity" : "-Infinity";
        string sign = double.IsNegative(value) ? "-" : "";
        if (value == 0) return sign + "0";
        // Shortest digits: the fewest significant digits, correctly rounded, that read back as the same value.
        string digits = "";
        int k = 0;
        for (int p = 1; p <= 17; p++)
        {
            string e = Math.Abs(value).ToString("E" + (p - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            bool same = isFloat
                ? float.Parse(e, CultureInfo.InvariantCulture) == (float)Math.Abs(value)
                : double.Parse(e, CultureInfo.InvariantCulture) == Math.Abs(value);
            if (!same) continue;
            int at = e.IndexOf('E');
            digits = e.Substring(0, at).Replace(".", "", StringComparison.Ordinal).TrimEnd('0');
            k = int.Parse(e.Substring(at + 1), CultureInfo.InvariantCulture) + 1;
            break;
        }
        int n = digits.Length, m = isFloat ? 9 : 17;
        if (k > Math.Max(n, m) || k < -3)
        {
            int exponent = k - 1;
            return sign + digits[0] + (n > 1 ? "." + digits.Substring(1) : "") + "E" + (exponent < 0 ? "-" : "+") +
                Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        }
        if (k <= 0) return sign + "0." + new string('0', -k) + digits;
        if (k < n) return sign + digits.Substring(0, k) + "." + digits.Substring(k);
        return sign + digits + new string('0', k - n);
    }

    private static IEnumerable<double> Doubles()
    {
        double[] edges =
        {
            0.0, -0.0, 1, -1, 0.1, 1.0 / 3, 100, 1e14, 1e15, 1e16, 1e17, 1e21, 123456789012345.0, 999999999999999.9,
            1.2345678901234567e19, 0.0001, 0.00001, 0.000123, 1e-7, 5e-324, double.Epsilon, double.MaxValue, double.MinValue,
            double.NaN, double.PositiveInfinity, double.NegativeInfinity, 9007199254740993.0, 4.35, 0.30000000000000004,
        };
        foreach (double d in edges) yield return d;
        var random = new Random(16);
        var bits = new byte[8];
        for (int i = 0; i < 3000; i++)
        {
            random.NextBytes(bits);
            yield return BitConverter.ToDouble(bits);
            // Values of everyday size too: random bit patterns are mostly huge or tiny.
            yield return Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-8, 22)), random.Next(0, 6));
        }
    }

    [Fact]
    public void The_plain_text_of_a_double_is_FORMAT_md_s_number_text()
    {
        var bodies = new List<(double Value, string Expected)>();
        foreach (double d in Doubles()) bodies.Add((d, NumberText(d, isFloat: false)));
        MmapRecord[] records = ReadMany(bodies.Select(b => PlainBody(v => v.Byte(0x0C).Int64(BitConverter.DoubleToInt64Bits(b.Value)))));
        for (int i = 0; i < bodies.Count; i++)
        {
            Assert.True(bodies[i].Expected == records[i].Event!.RenderedMessage,
                $"{BitConverter.DoubleToInt64Bits(bodies[i].Value):X16}: expected {bodies[i].Expected}, read {records[i].Event!.RenderedMessage}");
        }
    }

    [Fact]
    public void The_plain_text_of_a_float_is_FORMAT_md_s_number_text_with_nine_digits_before_exponents()
    {
        float[] edges = { 0f, -0f, 1e6f, 1e7f, 1e9f, 1e10f, 1234567f, 12345678f, 123456789f, 16777216f, 3.4e38f, 1e-45f, 0.0001f, 0.00001f, float.NaN };
        var random = new Random(17);
        var values = new List<float>(edges);
        var bits = new byte[4];
        for (int i = 0; i < 3000; i++)
        {
            random.NextBytes(bits);
            values.Add(BitConverter.ToSingle(bits));
        }
        MmapRecord[] records = ReadMany(values.Select(f => PlainBody(v => v.Byte(0x0B).Int32(BitConverter.SingleToInt32Bits(f)))));
        for (int i = 0; i < values.Count; i++)
        {
            string expected = NumberText(values[i], isFloat: true);
            Assert.True(expected == records[i].Event!.RenderedMessage, $"{BitConverter.SingleToInt32Bits(values[i]):X8}: expected {expected}, read {records[i].Event!.RenderedMessage}");
        }
    }

    // ---- Decimal, Guid, integers -------------------------------------------------------------

    /// <summary>FORMAT.md's decimal text from m, the scale and the sign bit.</summary>
    private static string DecimalText(BigInteger m, int scale, bool negative)
    {
        string digits = m.ToString(CultureInfo.InvariantCulture);
        if (scale > 0)
        {
            digits = digits.PadLeft(scale + 1, '0');
            digits = digits.Substring(0, digits.Length - scale) + "." + digits.Substring(digits.Length - scale);
        }
        return (negative && !m.IsZero ? "-" : "") + digits;
    }

    private static Action<BodyBuilder> DecimalValue(uint lo, uint mid, uint hi, int flags) =>
        v => v.Byte(0x0D).Int32((int)lo).Int32((int)mid).Int32((int)hi).Int32(flags);

    [Fact]
    public void The_plain_text_of_a_decimal_is_its_integer_with_the_point_placed_by_its_scale_and_a_zero_is_never_negative()
    {
        var cases = new List<(uint Lo, uint Mid, uint Hi, int Scale, bool Negative)>
        {
            (0, 0, 0, 0, false), (0, 0, 0, 0, true), (0, 0, 0, 2, true), (150, 0, 0, 2, false), (150, 0, 0, 2, true),
            (5, 0, 0, 3, false), (1, 0, 0, 28, false), (uint.MaxValue, uint.MaxValue, uint.MaxValue, 0, false),
            (uint.MaxValue, uint.MaxValue, uint.MaxValue, 28, true), (10, 0, 0, 1, false),
        };
        var random = new Random(18);
        for (int i = 0; i < 500; i++)
        {
            cases.Add(((uint)random.NextInt64(0, 1L << 32), (uint)random.NextInt64(0, 1L << 32), (uint)random.Next(0, 3), random.Next(0, 29), random.Next(2) == 0));
        }
        MmapRecord[] records = ReadMany(cases.Select(c => PlainBody(DecimalValue(c.Lo, c.Mid, c.Hi, (c.Scale << 16) | (c.Negative ? int.MinValue : 0)))));
        for (int i = 0; i < cases.Count; i++)
        {
            (uint lo, uint mid, uint hi, int scale, bool negative) = cases[i];
            BigInteger m = ((BigInteger)hi << 64) + ((BigInteger)mid << 32) + lo;
            Assert.Equal(DecimalText(m, scale, negative), records[i].Event!.RenderedMessage);
        }
    }

    [Theory]
    [InlineData(0x00000001)] // a bit below the scale
    [InlineData(0x00008000)]
    [InlineData(0x01000000)] // a bit between the scale and the sign
    [InlineData(0x40000000)]
    [InlineData(29 << 16)] // a scale above 28
    [InlineData(0xFF << 16)]
    public void A_decimal_whose_flags_have_another_bit_or_a_scale_above_28_makes_the_record_undecodable(int flags)
    {
        var body = new BodyBuilder().EventStart().NullRef().Varint(1).InlineRef("D");
        DecimalValue(1, 0, 0, flags)(body);
        MmapRecord record = One(body);
        Assert.Null(record.Event);
        Assert.Equal("bad decimal", record.DecodeError);
    }

    [Fact]
    public void The_plain_text_of_a_Guid_is_its_bytes_in_the_D_order_of_FORMAT_md_in_lower_case_hex()
    {
        var random = new Random(19);
        var guids = Enumerable.Range(0, 50).Select(_ =>
        {
            var b = new byte[16];
            random.NextBytes(b);
            return b;
        }).ToList();
        MmapRecord[] records = ReadMany(guids.Select(g => PlainBody(v => v.Byte(0x13).Raw(g))));
        for (int i = 0; i < guids.Count; i++)
        {
            byte[] b = guids[i];
            int[] order = { 3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15 };
            string expected = string.Concat(order.Select(o => o < 0 ? "-" : b[o].ToString("x2", CultureInfo.InvariantCulture)));
            Assert.Equal(expected, records[i].Event!.RenderedMessage);
        }
    }

    [Fact]
    public void The_plain_text_of_integers_is_their_decimal_digits_and_of_a_bool_true_or_false()
    {
        Assert.Equal("-128", Plain(v => v.Byte(0x03).Byte(0x80)));
        Assert.Equal("255", Plain(v => v.Byte(0x04).Byte(0xFF)));
        Assert.Equal("-32768", Plain(v => v.Byte(0x05).Int16(short.MinValue)));
        Assert.Equal("65535", Plain(v => v.Byte(0x06).Int16(-1)));
        Assert.Equal("-2147483648", Plain(v => v.Byte(0x07).ZigZag(int.MinValue)));
        Assert.Equal("4294967295", Plain(v => v.Byte(0x08).Varint(uint.MaxValue)));
        Assert.Equal("-9223372036854775808", Plain(v => v.Byte(0x09).ZigZag(long.MinValue)));
        Assert.Equal("18446744073709551615", Plain(v => v.Byte(0x0A).Varint(ulong.MaxValue)));
        Assert.Equal("true", Plain(v => v.Byte(0x02)));
        Assert.Equal("false", Plain(v => v.Byte(0x01)));
        Assert.Equal("as it is, \"unquoted\"", Plain(v => v.StringValue("as it is, \"unquoted\"")));
    }

    [Theory]
    [InlineData(new byte[] { 0x00 })] // null
    [InlineData(new byte[] { 0x0F, 0x41, 0x00 })] // char
    [InlineData(new byte[] { 0x12, 0, 0, 0, 0, 0, 0, 0, 0 })] // TimeSpan
    [InlineData(new byte[] { 0x20, 0x00 })] // an empty sequence
    public void A_value_with_no_plain_text_leaves_a_plain_marked_event_without_a_rendered_message(byte[] value)
    {
        Assert.Null(Plain(v => v.Raw(value)));
    }

    // ---- Text, ranges, nulls -----------------------------------------------------------------

    [Fact]
    public void Ill_formed_UTF_8_reads_as_one_U_FFFD_per_maximal_subpart_in_strings_names_and_definitions()
    {
        byte[] bad = { 0x41, 0xE2, 0x82, 0x42, 0xC0, 0x80, 0xED, 0xA0, 0x80, 0xFF };
        string expected = "A\uFFFDB" + new string('\uFFFD', 6);
        (List<MmapRecord> records, _) = Read(s =>
        {
            s.Definition(1, bad);
            s.Event(new BodyBuilder().EventStart().IdRef(1).Varint(1).InlineRefBytes(bad).Byte(0x0E).StringBytes(bad).ToArray(), T);
        });
        MmapEvent e = records[1].Event!;
        Assert.Equal(expected, e.MessageTemplate);
        Assert.Equal(expected, e.Properties[0].Name);
        Assert.Equal(expected, ((LogScalar)e.Properties[0].Value).Value);
    }

    public static IEnumerable<object[]> OutOfRange() => new[]
    {
        new object[] { "int above 2^31 - 1", new BodyBuilder().Byte(0x07).ZigZag(1L << 31).ToArray() },
        new object[] { "int below -2^31", new BodyBuilder().Byte(0x07).ZigZag(-(1L << 31) - 1).ToArray() },
        new object[] { "uint above 2^32 - 1", new BodyBuilder().Byte(0x08).Varint(1UL << 32).ToArray() },
        new object[] { "DateTime ticks past 9999", new BodyBuilder().Byte(0x10).Int64(DateTime.MaxValue.Ticks + 1).Byte(1).ToArray() },
        new object[] { "DateTime ticks negative", new BodyBuilder().Byte(0x10).Int64(-1).Byte(1).ToArray() },
        new object[] { "DateTime kind 3", new BodyBuilder().Byte(0x10).Int64(T).Byte(3).ToArray() },
        new object[] { "DateTimeOffset offset 841", new BodyBuilder().Byte(0x11).Int64(T).Int16(841).ToArray() },
        new object[] { "DateTimeOffset instant before year 1", new BodyBuilder().Byte(0x11).Int64(0).Int16(60).ToArray() },
        new object[] { "DateOnly day 3 652 059", new BodyBuilder().Byte(0x15).Int32(3_652_059).ToArray() },
        new object[] { "DateOnly day -1", new BodyBuilder().Byte(0x15).Int32(-1).ToArray() },
        new object[] { "TimeOnly a whole day", new BodyBuilder().Byte(0x16).Int64(TimeSpan.TicksPerDay).ToArray() },
        new object[] { "varint of 11 bytes", new BodyBuilder().Byte(0x09).Repeat(0x80, 10).Byte(0x00).ToArray() },
        new object[] { "varint whose tenth byte is 2", new BodyBuilder().Byte(0x0A).Repeat(0xFF, 9).Byte(0x02).ToArray() },
        new object[] { "a count larger than the bytes left", new BodyBuilder().Byte(0x20).Varint(5).Byte(0x00).ToArray() },
        new object[] { "a string longer than the record", new BodyBuilder().Byte(0x0E).Varint(10).Raw("abc"u8).ToArray() },
        new object[] { "a tag no version defines", new BodyBuilder().Byte(0x1E).ToArray() },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void A_value_outside_its_types_range_makes_the_record_undecodable(string what, byte[] value)
    {
        MmapRecord record = One(new BodyBuilder().EventStart().NullRef().Varint(1).InlineRef("V").Raw(value));
        Assert.True(record.Event is null, what + " was accepted");
        Assert.NotNull(record.DecodeError);
    }

    public static IEnumerable<object[]> InRange() => new[]
    {
        new object[] { "int 2^31 - 1", new BodyBuilder().Byte(0x07).ZigZag(int.MaxValue).ToArray(), int.MaxValue },
        new object[] { "a varint longer than needed (80 00 is 0)", new BodyBuilder().Byte(0x07).Byte(0x80).Byte(0x00).ToArray(), 0 },
        new object[] { "ulong of ten bytes", new BodyBuilder().Byte(0x0A).Varint(ulong.MaxValue).ToArray(), ulong.MaxValue },
        new object[] { "a lone surrogate char", new BodyBuilder().Byte(0x0F).Int16(unchecked((short)0xD800)).ToArray(), '\uD800' },
        new object[] { "a NaN double", new BodyBuilder().Byte(0x0C).Int64(BitConverter.DoubleToInt64Bits(double.NaN)).ToArray(), double.NaN },
        new object[] { "DateTime of the last tick, local", new BodyBuilder().Byte(0x10).Int64(DateTime.MaxValue.Ticks).Byte(2).ToArray(), new DateTime(DateTime.MaxValue.Ticks, DateTimeKind.Local) },
        new object[] { "DateOnly 9999-12-31", new BodyBuilder().Byte(0x15).Int32(3_652_058).ToArray(), DateOnly.MaxValue },
        new object[] { "TimeOnly the last tick of a day", new BodyBuilder().Byte(0x16).Int64(TimeSpan.TicksPerDay - 1).ToArray(), TimeOnly.MaxValue },
    };

    [Theory]
    [MemberData(nameof(InRange))]
    public void Values_at_the_ends_of_their_ranges_and_any_bit_pattern_of_the_fixed_size_types_read_back(string what, byte[] value, object expected)
    {
        MmapRecord record = One(new BodyBuilder().EventStart().NullRef().Varint(1).InlineRef("V").Raw(value));
        Assert.True(record.Event is not null, $"{what}: {record.DecodeError}");
        Assert.Equal(expected, ((LogScalar)record.Event!.Properties[0].Value).Value);
    }

    [Theory]
    [InlineData(6, 0, "level")]
    [InlineData(2, 841, "offset")]
    [InlineData(2, -841, "offset")]
    public void An_event_whose_level_or_UTC_offset_is_out_of_range_is_undecodable(byte level, short offset, string what)
    {
        MmapRecord record = One(new BodyBuilder().EventStart(offset).NullRef().Varint(0), level);
        Assert.Null(record.Event);
        Assert.Contains(what == "level" ? "level" : "offset", record.DecodeError, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_event_whose_timestamp_is_past_the_year_9999_is_undecodable()
    {
        MmapRecord record = One(new BodyBuilder().EventStart().NullRef().Varint(0), ticks: DateTime.MaxValue.Ticks + 1);
        Assert.Null(record.Event);
        Assert.Equal("timestamp out of range", record.DecodeError);
    }

    [Fact]
    public void A_null_property_name_makes_the_record_undecodable_in_an_event_and_in_a_structure()
    {
        MmapRecord top = One(new BodyBuilder().EventStart().NullRef().Varint(1).NullRef().Byte(0x02));
        MmapRecord nested = One(new BodyBuilder().EventStart().NullRef().Varint(1).InlineRef("S").Byte(0x21).NullRef().Varint(1).NullRef().Byte(0x02));
        Assert.Equal("property without a name", top.DecodeError);
        Assert.Equal("property without a name", nested.DecodeError);
    }

    [Fact]
    public void An_exception_text_is_a_String_without_presence_bit_6_and_a_StrRef_with_it_interned_or_inline_or_null()
    {
        const string Text = "System.InvalidOperationException: no\n   at Shop.Pay()";
        (List<MmapRecord> records, SegmentReport report) = Read(s =>
        {
            s.Definition(1, Text);
            // 1.2 and before: type StrRef, message String, text String.
            s.Event(new BodyBuilder().EventStart(presence: 0x02).NullRef().InlineRef("System.InvalidOperationException").String("no").String(Text).Varint(0).ToArray(), T);
            // 1.3: the text by reference: to a definition, inline, or null.
            s.Event(new BodyBuilder().EventStart(presence: 0x42).NullRef().InlineRef("System.InvalidOperationException").String("no").IdRef(1).Varint(0).ToArray(), T);
            s.Event(new BodyBuilder().EventStart(presence: 0x42).NullRef().InlineRef("System.InvalidOperationException").String("no").InlineRef(Text).Varint(0).ToArray(), T);
            s.Event(new BodyBuilder().EventStart(presence: 0x42).NullRef().InlineRef("System.InvalidOperationException").String("no").NullRef().Varint(0).ToArray(), T);
        });
        Assert.True(report.IsClean);
        MmapEvent[] events = records.Where(r => r.Kind == MmapRecordKind.Event).Select(r => Assert.IsType<MmapEvent>(r.Event)).ToArray();
        Assert.Equal(4, events.Length);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(new MmapExceptionInfo("System.InvalidOperationException", "no", Text), events[i].Exception);
        }
        Assert.Equal(new MmapExceptionInfo("System.InvalidOperationException", "no", null), events[3].Exception);
    }

    [Fact]
    public void Presence_bit_6_without_an_exception_or_bit_7_makes_the_event_undecodable()
    {
        (List<MmapRecord> records, _) = Read(s =>
        {
            s.Event(new BodyBuilder().EventStart(presence: 0x40).NullRef().Varint(0).ToArray(), T);
            s.Event(new BodyBuilder().EventStart(presence: 0x80).NullRef().Varint(0).ToArray(), T);
        });
        MmapRecord[] events = records.Where(r => r.Kind == MmapRecordKind.Event).ToArray();
        Assert.Equal(2, events.Length);
        Assert.All(events, r => Assert.Null(r.Event));
        Assert.All(events, r => Assert.Contains("presence", r.DecodeError));
    }

    [Fact]
    public void Other_nulls_read_as_absent_a_template_a_logger_an_exception_type_an_opaque_type_name_and_text()
    {
        // Presence: logger (bit 0) and exception (bit 1), both given as null references.
        MmapRecord record = One(new BodyBuilder().EventStart(presence: 0x03).NullRef().NullRef().NullRef().String("m").String(null)
            .Varint(1).InlineRef("O").Byte(0x1F).NullRef().String(null));
        MmapEvent e = Assert.IsType<MmapEvent>(record.Event);
        Assert.Null(e.MessageTemplate);
        Assert.Null(e.LoggerName);
        Assert.Equal(new MmapExceptionInfo(null, "m", null), e.Exception);
        var opaque = Assert.IsType<LogOpaqueScalar>(e.Properties[0].Value);
        Assert.Equal("", opaque.TypeName);
        Assert.Null(opaque.Text);
    }

    [Fact]
    public void Frame_flags_are_ignored_and_so_is_the_level_of_a_record_that_is_not_an_event()
    {
        (List<MmapRecord> records, SegmentReport report) = Read(s =>
        {
            s.Record(2, new BodyBuilder().Varint(1).Raw("T {A}"u8).ToArray(), T, level: 9, flags: 0x8001);
            s.Record(1, new BodyBuilder().EventStart().IdRef(1).Varint(0).ToArray(), T, level: 3, flags: 0xFFFF);
        });
        Assert.Equal("T {A}", records[1].Event!.MessageTemplate);
        Assert.True(report.IsClean);
    }

    // ---- Depth --------------------------------------------------------------------------------

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void A_value_at_depth_64_reads_and_one_at_depth_65_makes_the_record_undecodable(int depth, bool reads)
    {
        // The property's value is at depth 1; each sequence puts its element one deeper.
        var sequences = new BodyBuilder().EventStart().NullRef().Varint(1).InlineRef("D");
        for (int d = 1; d < depth; d++) sequences.Byte(0x20).Varint(1);
        sequences.Byte(0x02);
        // The same through dictionary keys: a key sits one deeper than its dictionary.
        var keys = new BodyBuilder().EventStart().NullRef().Varint(1).InlineRef("D");
        for (int d = 1; d < depth; d++) keys.Byte(0x22).Varint(1);
        keys.Byte(0x02);
        for (int d = 1; d < depth; d++) keys.Byte(0x00);

        Assert.Equal(reads, One(sequences).Event is not null);
        Assert.Equal(reads, One(keys).Event is not null);
    }

    // ---- Sequence numbers, padding, definitions -------------------------------------------------

    [Fact]
    public void A_padding_of_n_0_takes_no_number_so_the_next_record_carries_its_sequence()
    {
        (List<MmapRecord> records, SegmentReport report) = Read(s =>
        {
            s.Event(HostileShapes.SmallEvent(), T); // 1
            s.Padding(0); // 2, standing for none
            s.Event(HostileShapes.SmallEvent(), T); // 2
            s.Seal(T); // 3
        });
        Assert.Equal(new long[] { 1, 2, 2, 3 }, records.Select(r => r.Sequence));
        Assert.True(report.IsClean, string.Join(", ", report.Gaps));
        Assert.Equal(0, report.LostInCrash);
        Assert.Equal(3, report.LastSequence);
    }

    [Fact]
    public void A_padding_too_short_for_its_count_stands_for_one_number()
    {
        (List<MmapRecord> records, SegmentReport report) = Read(s =>
        {
            s.Record(4, ReadOnlySpan<byte>.Empty, T); // sequence 1, length 28
            s.Event(HostileShapes.SmallEvent(), T); // 2
        });
        Assert.Equal(2, records[1].Sequence);
        Assert.True(report.IsClean);
        Assert.Equal(1, report.LostInCrash);
    }

    [Fact]
    public void A_record_whose_sequence_is_not_the_expected_one_is_reported_as_a_gap_and_still_read()
    {
        (List<MmapRecord> records, SegmentReport report) = Read(s =>
        {
            s.Event(HostileShapes.SmallEvent(), T, sequence: 1);
            s.Event(HostileShapes.SmallEvent(), T, sequence: 5);
            s.Event(HostileShapes.SmallEvent(), T, sequence: 3);
        });
        Assert.Equal(3, records.Count(r => r.Event is not null));
        Assert.Equal(new[] { new SequenceGap(2, 5), new SequenceGap(6, 3) }, report.Gaps);
    }

    [Fact]
    public void The_first_definition_of_an_id_wins_and_a_later_one_is_ignored()
    {
        (List<MmapRecord> records, SegmentReport report) = Read(s =>
        {
            s.Definition(1, "first {A}");
            s.Event(new BodyBuilder().EventStart().IdRef(1).Varint(0).ToArray(), T);
            s.Definition(1, "second {A}");
            s.Event(new BodyBuilder().EventStart().IdRef(1).Varint(0).ToArray(), T);
        });
        Assert.Equal(new[] { "first {A}", "first {A}" }, records.Where(r => r.Event is not null).Select(r => r.Event!.MessageTemplate));
        Assert.Equal(2, report.Events);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(65_536UL)]
    public void A_definition_of_id_0_or_above_65535_is_ignored_and_reported(ulong id)
    {
        (List<MmapRecord> records, SegmentReport report) = Read(s =>
        {
            s.Definition(id, "T");
            s.Event(new BodyBuilder().EventStart().IdRef(id).Varint(0).ToArray(), T);
        });
        Assert.Equal("bad definition", records[0].DecodeError);
        Assert.Null(records[1].Event);
        Assert.Equal(2, report.UndecodableRecords);
    }

    // ---- Header, short files, what follows the seal ---------------------------------------------

    [Theory]
    [InlineData(144u, 65_536L)]
    [InlineData(64u, 65_536L)]
    [InlineData(128u, 2048L)]
    [InlineData(128u, (1L << 30) + 8)]
    public void A_header_size_other_than_128_or_a_capacity_out_of_bounds_makes_the_segment_unreadable(uint headerSize, long capacity)
    {
        var segment = new SegmentBuilder(createdTicks: T, capacity: capacity, headerSize: headerSize);
        segment.Event(HostileShapes.SmallEvent(), T);
        (List<MmapRecord> records, SegmentReport report) = Read(_ => { }, segment.ToArray());
        Assert.Empty(records);
        Assert.Contains("impossible sizes", report.Problem);
    }

    [Fact]
    public void Records_past_the_capacity_are_not_part_of_the_segment()
    {
        var segment = new SegmentBuilder(createdTicks: T, capacity: 4096);
        segment.Event(HostileShapes.SmallEvent(), T);
        long size = segment.Position - 128;
        while (segment.Position < 4096 + 1024) segment.Event(HostileShapes.SmallEvent(), T);
        (List<MmapRecord> records, SegmentReport report) = Read(_ => { }, segment.ToArray());
        Assert.Equal((4096 - 128) / size, records.Count); // the events that end within 4 096 bytes
        Assert.True(report.IsClean);
    }

    [Fact]
    public void A_short_file_that_is_not_all_zero_is_reported_damaged_and_one_that_is_is_a_segment_never_started()
    {
        byte[] header = SegmentBuilder.Header(1, 1, T, 1, 65_536);
        (List<MmapRecord> shortRecords, SegmentReport shortReport) = Read(_ => { }, header.AsSpan(0, 60).ToArray());
        (List<MmapRecord> zeroRecords, SegmentReport zeroReport) = Read(_ => { }, new byte[60]);

        Assert.Empty(shortRecords);
        Assert.Contains("too short", shortReport.Problem);
        Assert.Empty(zeroRecords);
        Assert.Null(zeroReport.Problem); // skipped: Validate reports no segment at all
        Assert.Equal("", zeroReport.Path);
    }

    [Fact]
    public void Nothing_after_EndOfSegment_is_read_and_non_zero_bytes_there_are_reported_as_damage()
    {
        long after = 0;
        (List<MmapRecord> records, SegmentReport report) = Read(s =>
        {
            s.Event(HostileShapes.SmallEvent(), T);
            s.Seal(T);
            after = s.Position;
            s.Event(HostileShapes.SmallEvent(), T); // a valid frame, but past the seal
            s.Raw(new byte[64]);
        });
        Assert.Equal(new[] { MmapRecordKind.Event, MmapRecordKind.EndOfSegment }, records.Select(r => r.Kind));
        Assert.False(report.IsClean);
        Assert.Equal(new ByteRange(after, 28 + HostileShapes.SmallEvent().Length), Assert.Single(report.CorruptRanges));
        Assert.Equal(1, report.Events);
    }

    [Fact]
    public void Zeros_after_EndOfSegment_are_a_segment_sealed_but_not_trimmed_and_clean()
    {
        (_, SegmentReport report) = Read(s =>
        {
            s.Event(HostileShapes.SmallEvent(), T);
            s.Seal(T);
            s.Raw(new byte[4096]);
        });
        Assert.True(report.IsClean);
        Assert.True(report.Sealed);
    }

    // ---- Message templates --------------------------------------------------------------------

    [Theory]
    [InlineData("{A}", "x")]
    [InlineData("{A:}", "x")]
    [InlineData("{{A}} {A}", "{A} x")]
    [InlineData("}{A}}", "}x}")]
    [InlineData("{A B} {A}", "{A B} x")]
    [InlineData("{A,} {A}", "{A,} x")]
    [InlineData("{A,:x} {A}", "{A,:x} x")]
    [InlineData("{A.} {A}", "{A.} x")]
    [InlineData("{9A} {A}", "{9A} x")]
    [InlineData("{A,+5} {A}", "{A,+5} x")]
    [InlineData("{ A} {A}", "{ A} x")]
    [InlineData("{A-1} {A}", "{A-1} x")]
    [InlineData("{} {A}", "{} x")]
    [InlineData("{A\n} {A}", "{A\n} x")]
    [InlineData("{A", "{A")]
    [InlineData("{Ä_1} ", "y ")]
    [InlineData("{A,-2147483648} {A}", "{A,-2147483648} x")]
    [InlineData("{A,99999999999} {A}", "{A,99999999999} x")]
    [InlineData("{@A}", null)]
    [InlineData("{$A}", null)]
    [InlineData("{A,5}", null)]
    [InlineData("{A,-5:x}", null)]
    [InlineData("{A:x}", null)]
    [InlineData("{A:$} {A}", null)]
    [InlineData("{A,0} {A}", null)]
    [InlineData("{A.B}", null)]
    [InlineData("{B}", null)]
    public void Holes_and_text_are_told_apart_by_FORMAT_md_s_template_scan(string template, string? plain)
    {
        var body = new BodyBuilder().EventStart(presence: 0x20).InlineRef(template).Varint(2)
            .InlineRef("A").StringValue("x").InlineRef("Ä_1").StringValue("y");
        MmapRecord record = One(body);
        Assert.True(record.Event is not null, record.DecodeError);
        Assert.Equal(plain, record.Event!.RenderedMessage);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static BodyBuilder PlainBody(Action<BodyBuilder> value)
    {
        var body = new BodyBuilder().EventStart(presence: 0x20).InlineRef("{V}").Varint(1).InlineRef("V");
        value(body);
        return body;
    }

    /// <summary>One segment with an event per body; the records in order.</summary>
    private static MmapRecord[] ReadMany(IEnumerable<BodyBuilder> bodies)
    {
        (List<MmapRecord> records, _) = Read(s =>
        {
            foreach (BodyBuilder body in bodies) s.Event(body.ToArray(), T);
        });
        Assert.All(records, r => Assert.True(r.Event is not null, r.DecodeError));
        return records.ToArray();
    }
}
