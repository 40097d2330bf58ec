using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Unicode;
using Sinks.Mmap.Format;
using Sinks.Mmap.Reading;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

/// <summary>
/// A string that is not well-formed UTF-16 (a lone surrogate) is stored as U+FFFD, wherever it is:
/// a value, a property name, the template, the logger, the exception; a char keeps its code unit
/// (FORMAT.md 1.2, *Strings*). The writer never writes invalid UTF-8, and its two routes (the scratch
/// pass, and measure-then-write) agree on every byte.
/// </summary>
public class SurrogateTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    // High alone, low alone, reversed pair, a valid pair between two lone ones, at either end.
    private static readonly string[] Texts =
    {
        "\uD800",
        "\uDC00",
        "a\uDC00\uD800b",
        "\uD83D\uDE00 ok \uD83D",
        "\uDBFF" + new string('x', 60) + "\uDC01",
        string.Concat(Enumerable.Repeat("ab\uD800", 3000)),
    };

    private static string Replaced(string text)
    {
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(chars[i])) chars[i] = '\uFFFD';
        }
        return new string(chars);
    }

    /// <summary>An event with a lone-surrogate text in every string field.</summary>
    private struct EverywhereEvent : IEventPayload
    {
        public string Text;

        public readonly void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader
            {
                MessageTemplate = "T " + Text + " {V}",
                LoggerName = "L" + Text,
                ExceptionType = "E" + Text,
                ExceptionMessage = "M" + Text,
                ExceptionText = "X" + Text,
                RenderedMessage = "R" + Text,
                PropertyCount = 4,
            });
            writer.WritePropertyName("N" + Text);
            writer.WriteString(Text);
            writer.WritePropertyName("S");
            writer.BeginStructure("Tag" + Text, 1);
            writer.WritePropertyName("Inner" + Text);
            writer.WriteOther("Type" + Text, "Other" + Text);
            writer.WritePropertyName("C");
            writer.WriteChar(Text[0]);
            writer.WritePropertyName("Long");
            // Past the interning limit: written inline.
            writer.WriteString(new string('y', 5000) + Text);
        }
    }

    /// <summary>Logs B on its own (scratch pass) and from inside another event's payload (the thread's scratch is busy: measure, then write).</summary>
    private struct NestingEvent : IEventPayload
    {
        public MmapLogWriter Writer;
        public EverywhereEvent Inner;

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = "outer", PropertyCount = 0 });
            Assert.True(Writer.Append(T0, MmapLevel.Information, ref Inner));
        }
    }

    [Fact]
    public void Lone_surrogates_read_back_as_U_FFFD_in_every_string_field_and_a_char_keeps_its_code_unit()
    {
        foreach (string text in Texts)
        {
            using var log = new TestLog();
            using (var writer = new MmapLogWriter(log.Options(1 << 20)))
            {
                var e = new EverywhereEvent { Text = text };
                Assert.True(writer.Append(T0, MmapLevel.Information, ref e));
            }
            string expected = Replaced(text);
            MmapEvent read = Assert.Single(new MmapLogReader(log.Path_).ReadEvents());
            Assert.Equal("T " + expected + " {V}", read.MessageTemplate);
            Assert.Equal("L" + expected, read.LoggerName);
            Assert.Equal("R" + expected, read.RenderedMessage);
            Assert.Equal(new MmapExceptionInfo("E" + expected, "M" + expected, "X" + expected), read.Exception);
            Assert.Equal("N" + expected, read.Properties[0].Name);
            Assert.Equal(expected, ((LogScalar)read.Properties[0].Value).Value);
            var structure = (LogStructure)read.Properties[1].Value;
            Assert.Equal("Tag" + expected, structure.TypeTag);
            Assert.Equal("Inner" + expected, structure.Properties[0].Name);
            Assert.Equal(new[] { "Type" + expected, "Other" + expected }, new[] { ((LogOpaqueScalar)structure.Properties[0].Value).TypeName, ((LogOpaqueScalar)structure.Properties[0].Value).Text });
            Assert.Equal(text[0], ((LogScalar)read.Properties[2].Value).Value);
            Assert.Equal(new string('y', 5000) + expected, ((LogScalar)read.Properties[3].Value).Value);
        }
    }

    [Fact]
    public void Every_string_the_writer_stores_is_valid_UTF_8_whichever_route_wrote_it()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(1 << 20)))
        {
            foreach (string text in Texts)
            {
                var e = new EverywhereEvent { Text = text };
                Assert.True(writer.Append(T0, MmapLevel.Information, ref e));
                var nesting = new NestingEvent { Writer = writer, Inner = e };
                Assert.True(writer.Append(T0, MmapLevel.Information, ref nesting));
            }
        }
        byte[] segment = File.ReadAllBytes(log.SegmentFiles().Single());
        SegmentStrings strings = SegmentStringsOf(segment);
        int events = 0;
        foreach (int offset in TestSupport.FrameOffsets(segment))
        {
            ReadOnlySpan<byte> frame = segment.AsSpan(offset, TestSupport.FrameLength(segment, offset));
            switch (TestSupport.FrameKind(segment, offset))
            {
                case RecordKind.Definition:
                    Assert.True(RecordFrame.TryReadDefinition(frame, out int id, out ReadOnlySpan<byte> value, out _));
                    Assert.True(Utf8.IsValid(value), $"definition {id} is not valid UTF-8");
                    break;
                case RecordKind.Event:
                    var check = new Utf8Check();
                    Assert.True(EventBodyWalker.Walk(frame, strings, ref check, out string? error), error);
                    Assert.True(check.Invalid == 0, $"event at {offset}: {check.Invalid} field(s) of invalid UTF-8");
                    events++;
                    break;
            }
        }
        Assert.Equal(Texts.Length * 3, events);
    }

    [Fact]
    public void The_scratch_pass_and_the_measure_then_write_route_store_the_same_bytes()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options(1 << 20)))
        {
            foreach (string text in Texts)
            {
                var e = new EverywhereEvent { Text = text };
                // First from inside another event (measure, then write), then on its own (one pass into scratch, or measure when larger).
                var nesting = new NestingEvent { Writer = writer, Inner = e };
                Assert.True(writer.Append(T0, MmapLevel.Information, ref nesting));
                Assert.True(writer.Append(T0, MmapLevel.Information, ref e));
            }
            Assert.Equal(0, writer.DroppedEvents);
        }
        byte[] segment = File.ReadAllBytes(log.SegmentFiles().Single());
        List<byte[]> bodies = TestSupport.FrameOffsets(segment)
            .Where(o => TestSupport.FrameKind(segment, o) == RecordKind.Event)
            .Select(o => segment.AsSpan(o + FormatConstants.FrameHeaderSize, TestSupport.FrameLength(segment, o) - FormatConstants.FrameHeaderSize).ToArray())
            .ToList();
        // Per text: the nested event, the outer one, then the event again on its own.
        Assert.Equal(Texts.Length * 3, bodies.Count);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(bodies[i * 3], bodies[i * 3 + 2]);
        }
    }

    [Fact]
    public void Measuring_counts_the_bytes_writing_writes_for_strings_with_lone_surrogates()
    {
        foreach (string text in Texts)
        {
            var e = new EverywhereEvent { Text = text };
            var measure = EventWriter.ForMeasuring(null);
            e.Write(ref measure);
            var buffer = new byte[measure.Position];
            var write = EventWriter.ForExactSpan(null, buffer);
            e.Write(ref write);
            Assert.Equal(measure.Position, write.Position);
            Assert.Equal(EventRejection.None, write.Rejection);
        }
    }

    private static SegmentStrings SegmentStringsOf(byte[] segment)
    {
        var strings = new SegmentStrings();
        foreach (int offset in TestSupport.FrameOffsets(segment))
        {
            if (TestSupport.FrameKind(segment, offset) != RecordKind.Definition) continue;
            RecordFrame.TryReadDefinition(segment.AsSpan(offset, TestSupport.FrameLength(segment, offset)), out int id, out ReadOnlySpan<byte> value, out int valueOffset);
            strings.Define(id, value, offset + valueOffset);
        }
        return strings;
    }

    /// <summary>Counts the string fields of an event body that are not valid UTF-8.</summary>
    private struct Utf8Check : IEventBodyVisitor
    {
        public int Invalid;

        private void Check(ReadOnlySpan<byte> utf8)
        {
            if (!Utf8.IsValid(utf8)) Invalid++;
        }

        private void Check(StrRef value)
        {
            if (!value.IsNull) Check(value.Utf8);
        }

        private void Check(Utf8Field value)
        {
            if (!value.IsNull) Check(value.Bytes);
        }

        public void Head(scoped in EventHead head)
        {
            Check(head.Template);
            Check(head.Logger);
            Check(head.Rendered);
            Check(head.ExceptionType);
            Check(head.ExceptionMessage);
            Check(head.ExceptionText);
        }

        public void PropertyName(StrRef name, int index, int depth) => Check(name);
        public void Null() { }
        public void Bool(bool value) { }
        public void Integer(long value, ValueTag tag) { }
        public void Unsigned(ulong value, ValueTag tag) { }
        public void Single(float value) { }
        public void Double(double value) { }
        public void Decimal(decimal value) { }
        public void String(Utf8Field value) => Check(value);
        public void Char(char value) { }
        public void DateTime(DateTime value) { }
        public void DateTimeOffset(DateTimeOffset value) { }
        public void TimeSpan(TimeSpan value) { }
        public void Guid(Guid value) { }
        public void Bytes(ReadOnlySpan<byte> value) { }
        public void DateOnly(DateOnly value) { }
        public void TimeOnly(TimeOnly value) { }
        public void Opaque(StrRef typeName, Utf8Field text) { Check(typeName); Check(text); }
        public void Enum(StrRef typeName, ValueTag underlying, ulong bits, StrRef name) { Check(typeName); Check(name); }
        public void BeginSequence(int count) { }
        public void SequenceElement(int index) { }
        public void EndSequence() { }
        public void BeginStructure(int count) { }
        public void EndStructure(StrRef typeTag, int count) => Check(typeTag);
        public void BeginDictionary(int count) { }
        public void EndDictionary() { }
        public void EndProperties() { }
    }
}
