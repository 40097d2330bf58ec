using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;
using Sinks.Mmap.Format;
using Sinks.Mmap.Reading;
using Sinks.Mmap.Rendering;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Rendering;

public enum IntColor { Red = 1, Green = 2, Blue = 4 }

public enum ByteSize : byte { Small = 1, Large = 200 }

public enum SByteSign : sbyte { Minus = -1, Plus = 1 }

public enum ShortTemperature : short { Freezing = -300, Boiling = 300 }

public enum UShortPort : ushort { Http = 80, High = 60000 }

public enum UIntCode : uint { Ok = 0, Huge = 4_000_000_000 }

public enum LongSpan : long { Min = long.MinValue, Zero = 0, Max = long.MaxValue }

public enum ULongBits : ulong { None = 0, Top = ulong.MaxValue }

[Flags]
public enum Permissions { None = 0, Read = 1, Write = 2, Execute = 4 }

[Flags]
public enum ByteFlags : byte { A = 1, B = 2, High = 128 }

/// <summary>
/// Enums written through the writer and read back (FORMAT.md 1.2, tag 0x17) render exactly as Serilog
/// renders the original values: message templates with every enum format, output templates, and JSON.
/// </summary>
public class EnumRenderingTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    /// <summary>Every underlying type, negative values, extremes, flags combinations and undefined values.</summary>
    public static readonly object[] Values =
    {
        IntColor.Blue, (IntColor)3, (IntColor)(-7), (IntColor)int.MinValue,
        ByteSize.Large, (ByteSize)7,
        SByteSign.Minus, (SByteSign)(-128),
        ShortTemperature.Freezing, (ShortTemperature)(-1),
        UShortPort.High, (UShortPort)65535,
        UIntCode.Huge, (UIntCode)uint.MaxValue,
        LongSpan.Min, LongSpan.Max, (LongSpan)(-5),
        ULongBits.Top, (ULongBits)12345,
        Permissions.Read | Permissions.Write, Permissions.None, Permissions.Read | Permissions.Write | Permissions.Execute, (Permissions)8, (Permissions)9,
        ByteFlags.A | ByteFlags.High, (ByteFlags)255,
        DayOfWeek.Friday, System.IO.FileAccess.ReadWrite,
    };

    private static readonly string[] Formats = { "", ":D", ":d", ":X", ":x", ":G", ":g", ":F", ":f", ",12", ",-12:D", ":l", ":j" };

    /// <summary>Writes one event per value, with the value as property V, and reads them back in order.</summary>
    private static List<MmapEvent> WriteAndRead(string template, IReadOnlyList<object> values)
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(1 << 20)))
        {
            foreach (object value in values)
            {
                var payload = new CustomEvent(new EventHeader { MessageTemplate = template, PropertyCount = 1 }, (ref EventWriter w) =>
                {
                    w.WritePropertyName("V");
                    w.WriteScalar(value);
                });
                Assert.True(writer.Append(T0, MmapLevel.Information, ref payload));
            }
        }
        Assert.Empty(log.Errors);
        var reader = new MmapLogReader(log.Path_);
        Assert.True(reader.Validate().IsClean);
        List<MmapEvent> events = reader.ReadEvents().ToList();
        Assert.Equal(values.Count, events.Count);
        return events;
    }

    private static LogEvent SerilogEvent(string template, object value) =>
        new(new DateTimeOffset(T0, TimeSpan.Zero), LogEventLevel.Information, null, SerilogTwin.Parse(template),
            new[] { new LogEventProperty("V", new ScalarValue(value)) });

    /// <summary>
    /// F on an enum without [Flags] whose value combines defined values is the one case the stored
    /// name cannot answer (LogEnumValue's remarks): the enum lists the names, the log has the number.
    /// </summary>
    private static bool IsKnownFDifference(object value, string format) =>
        format.Contains('F', StringComparison.OrdinalIgnoreCase) && !value.GetType().IsDefined(typeof(FlagsAttribute), false)
        && !Enum.IsDefined(value.GetType(), value) && value.ToString() != ((Enum)value).ToString("F");

    [Fact]
    public void Message_templates_render_every_enum_format_as_Serilog_renders_the_original_value()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            int compared = 0;
            foreach (string format in Formats)
            {
                string template = "Value {V" + format + "} done";
                List<MmapEvent> events = WriteAndRead(template, Values);
                for (int i = 0; i < Values.Length; i++)
                {
                    if (IsKnownFDifference(Values[i], format)) continue;
                    string expected;
                    try
                    {
                        expected = SerilogEvent(template, Values[i]).RenderMessage();
                    }
                    catch (FormatException)
                    {
                        // Serilog hands the format to the enum, which refuses it ({V:l}): so does the value read back.
                        Assert.Throws<FormatException>(() => MmapEventRenderer.RenderMessage(events[i]));
                        compared++;
                        continue;
                    }
                    Assert.True(expected == MmapEventRenderer.RenderMessage(events[i]), $"{Values[i].GetType().Name}.{Values[i]} with {{V{format}}}: Serilog '{expected}', read back '{MmapEventRenderer.RenderMessage(events[i])}'");
                    compared++;
                }
            }
            Assert.True(compared > 300, $"compared {compared}");
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Output_templates_render_enums_as_Serilogs_text_formatter_does()
    {
        const string output = "[{Level:u3}] {Message} | {Message:lj} | {V} {V:D} {V:X} | {Properties} | {Properties:j}{NewLine}";
        const string template = "Got {V} and {V:x}";
        List<MmapEvent> events = WriteAndRead(template, Values);
        var ours = new OutputTemplateFormatter(output, CultureInfo.InvariantCulture);
        var theirs = new MessageTemplateTextFormatter(output, CultureInfo.InvariantCulture);
        for (int i = 0; i < Values.Length; i++)
        {
            var expected = new StringWriter();
            theirs.Format(SerilogEvent(template, Values[i]), expected);
            Assert.Equal(expected.ToString(), ours.Format(events[i]));
        }
    }

    [Fact]
    public void Json_and_CLEF_write_an_enum_as_its_name_as_Serilogs_JSON_formatter_does()
    {
        List<MmapEvent> events = WriteAndRead("{V}", Values);
        var json = new JsonValueFormatter("$type");
        for (int i = 0; i < Values.Length; i++)
        {
            var expected = new StringWriter();
            json.Format(new ScalarValue(Values[i]), expected);
            Assert.Equal(expected.ToString(), SerilogTwin.Json(events[i].Properties[0].Value));
            Assert.Equal('"' + Values[i].ToString() + '"', expected.ToString());
            Assert.Contains(",\"V\":" + expected + "}", new ClefWriter().Format(events[i]));
        }
    }

    [Fact]
    public void The_allocation_free_CLEF_path_writes_enums_byte_for_byte_as_the_decoding_path()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(1 << 20)))
        {
            var payload = new CustomEvent(new EventHeader { MessageTemplate = "Enums", PropertyCount = Values.Length }, (ref EventWriter w) =>
            {
                for (int i = 0; i < Values.Length; i++)
                {
                    w.WritePropertyName("E" + i.ToString(CultureInfo.InvariantCulture));
                    w.WriteScalar(Values[i]);
                }
            });
            Assert.True(writer.Append(T0, MmapLevel.Information, ref payload));
        }
        using SegmentCursor cursor = SegmentCursor.Open(log.SegmentFiles()[0], 1);
        while (cursor.MoveNext(resynchronise: true, SegmentCursor.EventHandling.None) && cursor.CurrentKind != MmapRecordKind.Event)
        {
        }
        byte[] frame = cursor.CurrentFrame.ToArray();
        MmapEvent evt = EventDecoder.Decode(frame, cursor.Strings, out string? error) ?? throw new Xunit.Sdk.XunitException(error);
        var buffer = new Utf8Buffer(16);
        Assert.Equal(ClefRecordResult.Written, new ClefWriter().Write(frame, cursor.Strings, buffer));
        Assert.Equal(new ClefWriter().Format(evt) + "\n", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void An_enum_reads_back_with_its_type_its_number_as_the_underlying_type_and_its_name()
    {
        List<MmapEvent> events = WriteAndRead("{V}", Values);
        for (int i = 0; i < Values.Length; i++)
        {
            var read = Assert.IsType<LogEnumValue>(Assert.IsType<LogScalar>(events[i].Properties[0].Value).Value);
            Type type = Values[i].GetType();
            Assert.Equal(type.FullName, read.TypeName);
            Assert.Equal(Convert.ChangeType(Values[i], Enum.GetUnderlyingType(type), CultureInfo.InvariantCulture), read.UnderlyingValue);
            Assert.IsType(Enum.GetUnderlyingType(type), read.UnderlyingValue);
            Assert.Equal(Values[i].ToString(), read.Name);
        }
    }

    [Fact]
    public void Defined_names_are_interned_and_combinations_and_undefined_values_written_inline()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(1 << 20)))
        {
            foreach (object value in new object[] { IntColor.Blue, IntColor.Blue, (IntColor)3, Permissions.Read | Permissions.Write })
            {
                var payload = new CustomEvent(new EventHeader { PropertyCount = 1 }, (ref EventWriter w) => { w.WritePropertyName("V"); w.WriteScalar(value); });
                Assert.True(writer.Append(T0, MmapLevel.Information, ref payload));
            }
        }
        byte[] segment = File.ReadAllBytes(log.SegmentFiles()[0]);
        var definitions = new List<string>();
        foreach (int offset in TestSupport.FrameOffsets(segment))
        {
            if (TestSupport.FrameKind(segment, offset) != RecordKind.Definition) continue;
            Assert.True(RecordFrame.TryReadDefinition(segment.AsSpan(offset, TestSupport.FrameLength(segment, offset)), out _, out ReadOnlySpan<byte> value, out _));
            definitions.Add(Encoding.UTF8.GetString(value));
        }
        Assert.Contains("Blue", definitions);
        Assert.Contains(typeof(IntColor).FullName!, definitions);
        Assert.DoesNotContain("3", definitions);
        Assert.DoesNotContain("Read, Write", definitions);
    }

    [Theory]
    [InlineData("N")]
    [InlineData("X8")]
    [InlineData("E")]
    public void An_unknown_enum_format_throws_a_FormatException_as_the_enum_does(string format)
    {
        Assert.Throws<FormatException>(() => IntColor.Blue.ToString(format));
        var read = new LogEnumValue(typeof(IntColor).FullName!, 4, "Blue");
        Assert.Throws<FormatException>(() => read.ToString(format, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void An_enum_with_a_damaged_underlying_tag_is_undecodable_for_the_decoder_and_the_walker_alike()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(1 << 20)))
        {
            var payload = new CustomEvent(new EventHeader { PropertyCount = 1 }, (ref EventWriter w) => { w.WritePropertyName("V"); w.WriteScalar(ByteSize.Large); });
            Assert.True(writer.Append(T0, MmapLevel.Information, ref payload));
        }
        using SegmentCursor cursor = SegmentCursor.Open(log.SegmentFiles()[0], 1);
        while (cursor.MoveNext(resynchronise: true, SegmentCursor.EventHandling.None) && cursor.CurrentKind != MmapRecordKind.Event)
        {
        }
        byte[] frame = cursor.CurrentFrame.ToArray();
        int tag = Array.IndexOf(frame, (byte)ValueTag.Enum, FormatConstants.FrameHeaderSize);
        // The type name is an interned StrRef (one byte here); the underlying tag follows it.
        Assert.Equal((byte)ValueTag.Byte, frame[tag + 2]);
        foreach (byte bad in new byte[] { 0x00, 0x02, 0x0B, 0x0E, 0x17, 0xFF })
        {
            frame[tag + 2] = bad;
            Assert.Null(EventDecoder.Decode(frame, cursor.Strings, out string? decodeError));
            var validator = new ValidatingVisitor();
            Assert.False(EventBodyWalker.Walk(frame, cursor.Strings, ref validator, out string? walkError));
            Assert.Equal(decodeError, walkError);
        }
    }
}
