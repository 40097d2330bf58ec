using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using Sinks.Mmap.Format;
using Sinks.Mmap.Reading;
using Sinks.Mmap.Rendering;
using Xunit;
using Sinks.Mmap.Templates;

namespace Sinks.Mmap.Core.Tests.Rendering;

/// <summary>
/// The allocation-free CLEF path (<see cref="ClefWriter"/>'s frame path over <see cref="EventBodyWalker"/>)
/// against the decoding path (<see cref="EventDecoder"/> then <see cref="ClefWriter"/>): same bytes,
/// same verdict on damaged bodies.
/// </summary>
public class ClefWriterFramesTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10, 0, 0, 123);

    private sealed record Case(string Name, bool Fast, EventHeader Header, WriteProperties? Properties, MmapLevel Level = MmapLevel.Information);

    private static EventHeader H(string? template, int count, string? logger = null) =>
        new() { MessageTemplate = template, PropertyCount = count, LoggerName = logger };

    private static IEnumerable<Case> Cases()
    {
        yield return new Case("three scalars", true, H("Processed {Number} items for {Text} in {Elapsed} ms", 3), (ref EventWriter w) =>
        {
            w.WritePropertyName("Number"); w.WriteInt32(-42);
            w.WritePropertyName("Text"); w.WriteString("customer-7");
            w.WritePropertyName("Elapsed"); w.WriteDouble(0.25);
        });
        foreach (MmapLevel level in Enum.GetValues<MmapLevel>())
        {
            yield return new Case("level " + level, true, H("At {Level}", 0), null, level);
        }
        yield return new Case("every integer type", true, H("Ints", 8), (ref EventWriter w) =>
        {
            w.WritePropertyName("a"); w.WriteSByte(sbyte.MinValue);
            w.WritePropertyName("b"); w.WriteByte(byte.MaxValue);
            w.WritePropertyName("c"); w.WriteInt16(short.MinValue);
            w.WritePropertyName("d"); w.WriteUInt16(ushort.MaxValue);
            w.WritePropertyName("e"); w.WriteInt32(int.MinValue);
            w.WritePropertyName("f"); w.WriteUInt32(uint.MaxValue);
            w.WritePropertyName("g"); w.WriteInt64(long.MinValue);
            w.WritePropertyName("h"); w.WriteUInt64(ulong.MaxValue);
        });
        yield return new Case("floating point and decimal", true, H("Numbers", 9), (ref EventWriter w) =>
        {
            w.WritePropertyName("f"); w.WriteSingle(1.1f);
            w.WritePropertyName("d"); w.WriteDouble(1e300);
            w.WritePropertyName("tiny"); w.WriteDouble(-5e-324);
            w.WritePropertyName("nan"); w.WriteDouble(double.NaN);
            w.WritePropertyName("inf"); w.WriteDouble(double.PositiveInfinity);
            w.WritePropertyName("ninf"); w.WriteSingle(float.NegativeInfinity);
            w.WritePropertyName("fnan"); w.WriteSingle(float.NaN);
            w.WritePropertyName("m"); w.WriteDecimal(-79228162514264337593543950335m);
            w.WritePropertyName("m2"); w.WriteDecimal(1.500m);
        });
        yield return new Case("bools, null, chars", true, H("Misc", 6), (ref EventWriter w) =>
        {
            w.WritePropertyName("t"); w.WriteBoolean(true);
            w.WritePropertyName("f"); w.WriteBoolean(false);
            w.WritePropertyName("n"); w.WriteNull();
            w.WritePropertyName("c"); w.WriteChar('"');
            w.WritePropertyName("c2"); w.WriteChar('\u00e9');
            w.WritePropertyName("c3"); w.WriteChar('\u0001');
        });
        yield return new Case("times, guid, bytes", true, H("Times", 9), (ref EventWriter w) =>
        {
            w.WritePropertyName("utc"); w.WriteDateTime(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567));
            w.WritePropertyName("unspecified"); w.WriteDateTime(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Unspecified));
            w.WritePropertyName("local"); w.WriteDateTime(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Local));
            w.WritePropertyName("dto"); w.WriteDateTimeOffset(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(-330)));
            w.WritePropertyName("span"); w.WriteTimeSpan(TimeSpan.FromTicks(-1234567890123));
            w.WritePropertyName("guid"); w.WriteGuid(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"));
            w.WritePropertyName("bytes"); w.WriteBytes(new byte[] { 0, 0xAB, 0xFF });
            w.WritePropertyName("date"); w.WriteDateOnly(new DateOnly(1, 1, 1));
            w.WritePropertyName("time"); w.WriteTimeOnly(new TimeOnly(23, 59, 59, 999));
        });
        yield return new Case("strings that need escaping", true, H("Say \"{S}\" \\ \t", 3), (ref EventWriter w) =>
        {
            w.WritePropertyName("S"); w.WriteString("quote \" backslash \\ newline \n cr \r tab \t ff \f bell \u0007 esc \u001b unicode é 日本 😀");
            w.WritePropertyName("empty"); w.WriteString("");
            w.WritePropertyName("nothing"); w.WriteString(null);
        });
        yield return new Case("names with @ and escapes", true, H("Names", 3), (ref EventWriter w) =>
        {
            w.WritePropertyName("@x"); w.WriteInt32(1);
            w.WritePropertyName("a\"b"); w.WriteInt32(2);
            w.WritePropertyName("@"); w.WriteInt32(3);
        });
        yield return new Case("nested structures and sequences", true, H("Nested {@Order}", 2), (ref EventWriter w) =>
        {
            w.WritePropertyName("Order");
            w.BeginStructure("Order", 3);
            w.WritePropertyName("@Id"); w.WriteInt32(7);
            w.WritePropertyName("Lines");
            w.BeginSequence(2);
            w.BeginStructure(null, 1); w.WritePropertyName("Sku"); w.WriteString("A-1");
            w.BeginStructure("Empty", 0);
            w.WritePropertyName("Tags"); w.BeginSequence(0);
            w.WritePropertyName("Anonymous");
            w.BeginStructure(null, 0);
        });
        yield return new Case("opaque scalars", true, H("Opaque", 2), (ref EventWriter w) =>
        {
            w.WritePropertyName("o"); w.WriteOther("My.Type", "text \"quoted\"");
            w.WritePropertyName("n"); w.WriteOther("My.Type", null);
        });
        yield return new Case("logger becomes SourceContext", true, H("From a logger", 1, "My.App.Service"), (ref EventWriter w) =>
        {
            w.WritePropertyName("A"); w.WriteInt32(1);
        });
        yield return new Case("SourceContext property wins over the logger", true, H("From a logger", 1, "My.App.Service"), (ref EventWriter w) =>
        {
            w.WritePropertyName("SourceContext"); w.WriteString("Explicit");
        });
        yield return new Case("exception, trace and span", true, new EventHeader
        {
            MessageTemplate = "Failed",
            ExceptionType = "System.InvalidOperationException",
            ExceptionMessage = "boom",
            ExceptionText = "System.InvalidOperationException: boom\n   at Foo.Bar()",
            TraceId = ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c"),
            SpanId = ActivitySpanId.CreateFromString("b7ad6b7169203331"),
        }, null, MmapLevel.Error);
        // The same text again (interned since 1.3): the second line comes from the text's JSON made once.
        yield return new Case("the same exception again", true, new EventHeader
        {
            MessageTemplate = "Failed",
            ExceptionType = "System.InvalidOperationException",
            ExceptionMessage = "boom",
            ExceptionText = "System.InvalidOperationException: boom\n   at Foo.Bar()",
        }, null, MmapLevel.Error);
        yield return new Case("rendered message without a template", true, new EventHeader { RenderedMessage = "NLog says \"hi\"", LoggerName = "NLogger" }, null);
        yield return new Case("neither template nor message", true, new EventHeader(), null);
        yield return new Case("hostile template is written as @m", true, H("Huge {A,2000000000}", 1), (ref EventWriter w) =>
        {
            w.WritePropertyName("A"); w.WriteInt32(1);
        });
        // Strings over 4 096 chars are not interned: an inline template, looked at by each event.
        yield return new Case("inline template", true, H(new string('t', 5000) + " {A}", 1), (ref EventWriter w) =>
        {
            w.WritePropertyName("A"); w.WriteInt32(1);
        });
        yield return new Case("inline template with a formatted hole", false, H(new string('t', 5000) + " {A:0.0}", 1), (ref EventWriter w) =>
        {
            w.WritePropertyName("A"); w.WriteInt32(1);
        });
        yield return new Case("formatted holes need @r", false, H("Took {Elapsed:0.00} ms", 1), (ref EventWriter w) =>
        {
            w.WritePropertyName("Elapsed"); w.WriteDouble(1.2345);
        });
        yield return new Case("dictionaries", false, H("Map", 1), (ref EventWriter w) =>
        {
            w.WritePropertyName("Map"); w.BeginDictionary(2);
            w.WriteInt32(1); w.WriteString("one");
            w.WriteDouble(2.5); w.WriteNull();
        });
        yield return new Case("exception without its full text", false, new EventHeader
        {
            MessageTemplate = "Failed",
            ExceptionType = "System.Exception",
            ExceptionMessage = "short",
        }, null, MmapLevel.Fatal);
        yield return new Case("lone surrogate char", false, H("Char", 1), (ref EventWriter w) =>
        {
            w.WritePropertyName("c"); w.WriteChar('\ud800');
        });
    }

    /// <summary>The CLEF line the decoding path writes, the way mmaplog does (hostile templates as @m).</summary>
    private static string Expected(MmapEvent evt)
    {
        if (TemplateSafety.IsHostile(evt.MessageTemplate))
        {
            evt = new MmapEvent(evt.Sequence, evt.Timestamp, evt.Level, null, evt.Properties, evt.LoggerName,
                evt.MessageTemplate, evt.Exception, evt.TraceId, evt.SpanId);
        }
        return new ClefWriter().Format(evt) + "\n";
    }

    /// <summary>Writes the cases to a segment and returns each event frame (a copy) with the segment's strings.</summary>
    private static (List<(string Name, bool Fast, byte[] Frame)> Frames, SegmentStrings Strings) WriteCases(TestLog log)
    {
        var cases = new List<Case>(Cases());
        using (var writer = new MmapLogWriter(log.Options(1 << 20)))
        {
            foreach (Case c in cases)
            {
                var payload = new CustomEvent(c.Header, c.Properties);
                Assert.True(writer.Append(T0, c.Level, ref payload), c.Name);
            }
        }
        Assert.Empty(log.Errors);
        var frames = new List<(string, bool, byte[])>();
        using SegmentCursor cursor = SegmentCursor.Open(log.SegmentFiles()[0], 1);
        while (cursor.MoveNext(resynchronise: true, SegmentCursor.EventHandling.None))
        {
            if (cursor.CurrentKind != MmapRecordKind.Event) continue;
            Case c = cases[frames.Count];
            frames.Add((c.Name, c.Fast, cursor.CurrentFrame.ToArray()));
        }
        Assert.Equal(cases.Count, frames.Count);
        return (frames, cursor.Strings);
    }

    [Fact]
    public void Fast_lines_are_byte_for_byte_what_ClefWriter_writes_for_the_decoded_event()
    {
        using var log = new TestLog();
        (var frames, SegmentStrings strings) = WriteCases(log);
        var writer = new ClefWriter();
        var buffer = new Utf8Buffer(16);
        foreach ((string name, bool fast, byte[] frame) in frames)
        {
            MmapEvent evt = EventDecoder.Decode(frame, strings, out string? error) ?? throw new Xunit.Sdk.XunitException($"{name}: {error}");
            buffer.Clear();
            ClefRecordResult result = writer.Write(frame, strings, buffer);
            Assert.True((fast ? ClefRecordResult.Written : ClefRecordResult.NeedsDecoding) == result, $"{name}: {result}");
            if (result == ClefRecordResult.Written)
            {
                Assert.Equal(Expected(evt), Encoding.UTF8.GetString(buffer.WrittenSpan));
            }
            else
            {
                Assert.Equal(0, buffer.Length);
            }
        }
    }

    [Fact]
    public void Lines_append_after_what_the_buffer_holds_and_an_undecodable_event_leaves_it_untouched()
    {
        using var log = new TestLog();
        (var frames, SegmentStrings strings) = WriteCases(log);
        var writer = new ClefWriter();
        var buffer = new Utf8Buffer(16);
        buffer.Write("prefix\n"u8);
        Assert.Equal(ClefRecordResult.Written, writer.Write(frames[0].Frame, strings, buffer));
        byte[] damaged = (byte[])frames[0].Frame.Clone();
        damaged[25] = 9; // level out of range
        int before = buffer.Length;
        Assert.Equal(ClefRecordResult.Undecodable, writer.Write(damaged, strings, buffer));
        Assert.Equal(before, buffer.Length);
        MmapEvent evt = EventDecoder.Decode(frames[0].Frame, strings, out _)!;
        Assert.Equal("prefix\n" + Expected(evt), Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Damaged_bodies_walk_exactly_when_they_decode_and_fast_lines_still_match()
    {
        using var log = new TestLog();
        (var frames, SegmentStrings strings) = WriteCases(log);
        var random = new Random(20261121);
        var writer = new ClefWriter();
        var buffer = new Utf8Buffer(16);
        int decoded = 0, undecodable = 0, written = 0;
        for (int round = 0; round < 4000; round++)
        {
            (string name, _, byte[] original) = frames[random.Next(frames.Count)];
            byte[] frame = (byte[])original.Clone();
            int flips = 1 + random.Next(3);
            for (int i = 0; i < flips; i++)
            {
                // The body, and now and then the level or timestamp in the frame header.
                int at = random.Next(8) == 0 ? 16 + random.Next(10) : FormatConstants.FrameHeaderSize + random.Next(frame.Length - FormatConstants.FrameHeaderSize);
                frame[at] = random.Next(4) == 0 ? (byte)random.Next(256) : (byte)(frame[at] ^ (1 << random.Next(8)));
            }
            int length = random.Next(5) == 0 ? FormatConstants.FrameHeaderSize + random.Next(frame.Length - FormatConstants.FrameHeaderSize + 1) : frame.Length;
            ReadOnlySpan<byte> span = frame.AsSpan(0, length);

            MmapEvent? evt = EventDecoder.Decode(span, strings, out string? decodeError);
            var validator = new ValidatingVisitor();
            bool walks = EventBodyWalker.Walk(span, strings, ref validator, out string? walkError);
            Assert.True(walks == (evt is not null), $"{name} round {round}: decoder '{decodeError}', walker '{walkError}'");
            Assert.Equal(decodeError, walkError);

            buffer.Clear();
            ClefRecordResult result = writer.Write(span, strings, buffer);
            Assert.Equal(walks, result != ClefRecordResult.Undecodable);
            if (evt is null)
            {
                undecodable++;
                continue;
            }
            decoded++;
            if (result == ClefRecordResult.Written)
            {
                written++;
                string expected;
                try
                {
                    expected = Expected(evt);
                }
                catch (FormatException)
                {
                    continue; // A mutated template ClefWriter cannot render; the fast path did not need to.
                }
                Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
            }
        }
        // The mutations must exercise both verdicts and the fast path, or this test proves nothing.
        Assert.True(decoded > 500 && undecodable > 500 && written > 300, $"decoded {decoded}, undecodable {undecodable}, written {written}");
    }

    [Fact]
    public void Streamed_lines_are_the_same_bytes_handed_over_in_pieces_and_measuring_gives_their_length()
    {
        using var log = new TestLog();
        (var frames, SegmentStrings strings) = WriteCases(log);
        var writer = new ClefWriter();
        foreach ((string name, bool fast, byte[] frame) in frames)
        {
            var whole = new Utf8Buffer(16);
            ClefRecordResult expected = writer.Write(frame, strings, whole);

            // A buffer far smaller than the line: it is handed over each time it fills.
            var pieces = new List<byte>();
            var small = new Utf8Buffer(16);
            ClefRecordResult streamed = writer.WriteStreaming(frame, strings, small, b =>
            {
                pieces.AddRange(b.WrittenSpan.ToArray());
                b.Clear();
            });
            pieces.AddRange(small.WrittenSpan.ToArray());
            ClefRecordResult measured = writer.Measure(frame, strings, out long bytes);

            Assert.Equal(expected, streamed);
            Assert.Equal(expected, measured);
            Assert.Equal(fast ? ClefRecordResult.Written : ClefRecordResult.NeedsDecoding, expected);
            if (!fast)
            {
                Assert.Empty(pieces);
                continue;
            }
            Assert.True(pieces.Count > 16, name);
            Assert.Equal(Encoding.UTF8.GetString(whole.WrittenSpan), Encoding.UTF8.GetString(pieces.ToArray()));
            Assert.Equal(whole.Length, bytes);
        }
    }

    /// <summary>Every case, then two events whose lines are longer than the window a line is first built in (4 KiB).</summary>
    private static TestLog WriteCasesAndALongLine(out string longText)
    {
        var log = new TestLog();
        longText = new string('x', 6000) + "\u00e9\"";
        string text = longText;
        using (var writer = new MmapLogWriter(log.Options(1 << 20)))
        {
            foreach (Case c in Cases())
            {
                var payload = new CustomEvent(c.Header, c.Properties);
                Assert.True(writer.Append(T0, c.Level, ref payload), c.Name);
            }
            var longEvent = new CustomEvent(H("Long {Text}", 1), (ref EventWriter w) =>
            {
                w.WritePropertyName("Text"); w.WriteString(text);
            });
            Assert.True(writer.Append(T0, MmapLevel.Warning, ref longEvent));
            // Long in small pieces too: a window's end is crossed by a write of a few bytes.
            var manyEvent = new CustomEvent(H("Many", 600), (ref EventWriter w) =>
            {
                for (int i = 0; i < 600; i++)
                {
                    w.WritePropertyName("P" + i); w.WriteInt32(i);
                }
            });
            Assert.True(writer.Append(T0, MmapLevel.Information, ref manyEvent));
        }
        Assert.Empty(log.Errors);
        return log;
    }

    /// <summary>The whole log through the public stream API into <paramref name="output"/>, as mmaplog cat does: the frame path, else the decoded event.</summary>
    private static string CatThroughStream(TestLog log, IBufferWriter<byte> output, Func<string> taken)
    {
        var writer = new ClefWriter();
        var text = new StringBuilder();
        using MmapRecordStream records = new MmapLogReader(log.Path_).OpenRecordStream();
        int written = 0;
        while (records.MoveNext())
        {
            if (records.Kind != MmapRecordKind.Event) continue;
            if (writer.Write(records, output) == ClefRecordResult.Written)
            {
                written++;
                continue;
            }
            text.Append(taken());
            text.Append(Expected(records.DecodeEvent()!));
        }
        Assert.True(written > 10, $"only {written} lines took the frame path");
        return text.Append(taken()).ToString();
    }

    private static string ExpectedCat(TestLog log)
    {
        var text = new StringBuilder();
        foreach (MmapEvent evt in new MmapLogReader(log.Path_).ReadEvents()) text.Append(Expected(evt));
        return text.ToString();
    }

    [Fact]
    public void Lines_written_from_a_record_stream_are_the_same_into_an_array_a_partial_window_or_foreign_memory()
    {
        using TestLog log = WriteCasesAndALongLine(out string longText);
        string expected = ExpectedCat(log);
        Assert.Contains(longText.Replace("\"", "\\\""), expected);

        // The output's free memory is an array's tail: lines are built in place (the long one moves out and back).
        var array = new ArrayBufferWriter<byte>(16);
        int taken = 0;
        Assert.Equal(expected, CatThroughStream(log, array, () =>
        {
            string s = Encoding.UTF8.GetString(array.WrittenSpan[taken..]);
            taken = array.WrittenCount;
            return s;
        }));

        // Free memory that stops short of its array's end, and memory that is no array at all: built aside, then copied.
        foreach (bool native in new[] { false, true })
        {
            using var odd = new OddBufferWriter(native);
            Assert.Equal(expected, CatThroughStream(log, odd, odd.TakeText));
        }
    }

    [Fact]
    public void A_record_that_does_not_decode_commits_nothing_to_the_output_and_the_next_line_follows_the_last()
    {
        using var log = new TestLog();
        WriteCases(log);
        string segment = log.SegmentFiles()[0];
        byte[] bytes = File.ReadAllBytes(segment);
        var events = new List<int>();
        foreach (int offset in TestSupport.FrameOffsets(bytes))
        {
            if (TestSupport.FrameKind(bytes, offset) == RecordKind.Event) events.Add(offset);
        }
        bytes[events[1] + 25] = 9; // level out of range, under a valid CRC
        TestSupport.Reseal(bytes, events[1]);
        File.WriteAllBytes(segment, bytes);

        var output = new ArrayBufferWriter<byte>(16);
        output.Write("prefix\n"u8);
        var writer = new ClefWriter();
        var results = new List<ClefRecordResult>();
        using (MmapRecordStream records = new MmapLogReader(log.Path_).OpenRecordStream())
        {
            while (records.MoveNext() && results.Count < 3)
            {
                if (records.Kind != MmapRecordKind.Event) continue;
                int before = output.WrittenCount;
                ClefRecordResult result = writer.Write(records, output);
                results.Add(result);
                if (result != ClefRecordResult.Written) Assert.Equal(before, output.WrittenCount);
            }
        }
        Assert.Equal(new[] { ClefRecordResult.Written, ClefRecordResult.Undecodable, ClefRecordResult.Written }, results);
        string[] lines = Encoding.UTF8.GetString(output.WrittenSpan).Split('\n');
        Assert.Equal("prefix", lines[0]);
        Assert.Contains("\"Number\":-42", lines[1]);
        Assert.Contains("\"@l\":\"Debug\"", lines[2]); // the damaged event (the Verbose one) left no trace
        Assert.Equal("", lines[3]);
    }

    /// <summary>
    /// An output whose free memory is not an array's tail: an array segment that stops 64 bytes short of its
    /// end, or (<c>native</c>) unmanaged memory behind a <see cref="MemoryManager{T}"/>.
    /// </summary>
    private sealed unsafe class OddBufferWriter : MemoryManager<byte>, IBufferWriter<byte>
    {
        private readonly bool _native;
        private byte[] _array = new byte[256];
        private byte* _memory;
        private int _capacity;
        private int _length;
        private int _taken;

        public OddBufferWriter(bool native)
        {
            _native = native;
            if (native) Reserve(256);
        }

        private void Reserve(int size)
        {
            if (_native)
            {
                _memory = (byte*)System.Runtime.InteropServices.NativeMemory.Realloc(_memory, (nuint)size);
                _capacity = size;
            }
            else
            {
                Array.Resize(ref _array, size + 64);
                _capacity = size;
            }
        }

        private Span<byte> All => _native ? new Span<byte>(_memory, _capacity) : _array.AsSpan(0, _capacity);

        // The 64 bytes past the memory handed out are not the writer's to touch.
        private void CheckCanary()
        {
            if (!_native) Assert.True(_array.AsSpan(_capacity).IndexOfAnyExcept((byte)0) < 0, "a line was written past the memory the output gave");
        }

        public void Advance(int count)
        {
            CheckCanary();
            _length += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            CheckCanary();
            // Exactly the room asked for, so a line longer than that must not run on past it.
            Reserve(_length + Math.Max(sizeHint, 1));
            return _native ? Memory.Slice(_length) : _array.AsMemory(_length, _capacity - _length);
        }

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public string TakeText()
        {
            CheckCanary();
            string s = Encoding.UTF8.GetString(All[_taken.._length]);
            _taken = _length;
            return s;
        }

        public override Span<byte> GetSpan() => new(_memory, _capacity);
        public override MemoryHandle Pin(int elementIndex = 0) => new(_memory + elementIndex);
        public override void Unpin() { }

        protected override void Dispose(bool disposing)
        {
            if (_native) System.Runtime.InteropServices.NativeMemory.Free(_memory);
            _memory = null;
        }
    }
}
