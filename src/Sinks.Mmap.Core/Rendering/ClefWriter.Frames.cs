using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Unicode;
using Sinks.Mmap.Format;
using Sinks.Mmap.Reading;
using Sinks.Mmap.Templates;

namespace Sinks.Mmap.Rendering;

/// <summary>What <see cref="ClefWriter.Write(MmapRecordStream, IBufferWriter{byte})"/> did with the current record.</summary>
public enum ClefRecordResult
{
    /// <summary>The event's CLEF line (and a newline) was written.</summary>
    Written,
    /// <summary>The record's body is damaged and does not decode (<see cref="MmapRecordStream.DecodeEvent"/> returns null); nothing was written.</summary>
    Undecodable,
    /// <summary>
    /// The event decodes but only its decoded form can be written as CLEF (formatted holes for <c>@r</c>,
    /// dictionaries, invalid UTF-8…): write <see cref="MmapRecordStream.DecodeEvent"/>'s event with
    /// <see cref="ClefWriter.Write(MmapEvent, System.IO.TextWriter)"/> instead; nothing was written.
    /// </summary>
    NeedsDecoding,
}

// The frame path: an Event record written as a CLEF line straight from its bytes, without decoding it
// into an MmapEvent: byte for byte what the MmapEvent path writes (with no @m for templated events)
// for the decoded event, with one addition the tool makes: a template whose holes ask for a huge width
// (TemplateSafety.IsHostile) is written as @m, the raw template. Events it does not cover are handed
// back (NeedsDecoding) rather than approximated. Its scratch buffers are per thread (see TakeScratch), so
// the writer itself stays immutable and thread-safe.
public sealed partial class ClefWriter
{
    private const byte TemplatePlain = 1;
    private const byte TemplateFormatted = 2;
    private const byte TemplateHostile = 3;

    /// <summary>Records larger than this are written as CLEF in pieces (measured first), never held whole as a line.</summary>
    private const int LargeRecord = 1 << 20;

    /// <summary>How much of the output's free memory a line is first built in (longer lines move out, then are copied back).</summary>
    private const int LineWindow = 4096;

    // One set of scratch buffers a thread, marked in use while a line is built: a nested call (from an
    // output's callback) makes its own. Left in place rather than taken out and put back, so a line
    // costs one thread-static read and no atomic operation.
    [ThreadStatic]
    private static FrameScratch? t_scratch;

    /// <summary>
    /// Writes the stream's current Event record as a CLEF line (and a newline) to <paramref name="output"/>,
    /// straight from the record's bytes: no event object, no strings. The line is what
    /// <see cref="Write(MmapEvent, System.IO.TextWriter)"/> writes for the decoded event, except that a
    /// template whose holes ask for a huge width or precision is written as <c>@m</c>, the raw template.
    /// A large record's line is handed to <paramref name="output"/> in pieces, so memory stays bounded
    /// whatever its size.
    /// </summary>
    /// <param name="records">A stream whose current record is an Event record.</param>
    /// <param name="output">Where to write; nothing is written unless the result is <see cref="ClefRecordResult.Written"/>.</param>
    /// <returns>Whether the line was written, or why not.</returns>
    public ClefRecordResult Write(MmapRecordStream records, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(output);
        if (records.Kind != MmapRecordKind.Event) throw new InvalidOperationException("The current record is not an Event record.");
        if (_includeRenderedMessage) return ClefRecordResult.NeedsDecoding; // @m renders the template: only the decoded event can.
        FrameScratch scratch = TakeScratch();
        Utf8Buffer line = scratch.Line;
        try
        {
            // The line is empty here: every call ends with EndBorrow, which clears it.
            if (records.Length > LargeRecord)
            {
                ClefRecordResult large = WriteLarge(records, output, scratch);
                Note(records, large);
                if (large == ClefRecordResult.Written) CopyTo(line.WrittenSpan, output); // what the last spill left
                return large;
            }
            // The line is built in the output's free memory when it is an array's tail, and only
            // committed (Advance) once whole: a record found uncovered halfway leaves nothing written.
            Memory<byte> window = output.GetMemory(LineWindow);
            if (MemoryMarshal.TryGetArray(window, out ArraySegment<byte> free) && free.Array is { } array && free.Offset + free.Count == array.Length)
                line.Borrow(array, free.Offset);
            ClefRecordResult result = Write(records.CurrentFrame, records.Strings, line, scratch.LoggerJson);
            Note(records, result);
            if (result != ClefRecordResult.Written) return result;
            if (line.IsBorrowed)
                output.Advance(line.Length);
            else
                CopyTo(line.WrittenSpan, output); // the line outgrew the window, or the output's memory is not an array's tail
            return ClefRecordResult.Written;
        }
        finally
        {
            line.EndBorrow();
            ReturnScratch(scratch);
        }
    }

    /// <summary>A large record's line, handed to <paramref name="output"/> each time the scratch line fills (the rest left in it).</summary>
    private static ClefRecordResult WriteLarge(MmapRecordStream records, IBufferWriter<byte> output, FrameScratch scratch) =>
        WriteStreaming(records.CurrentFrame, records.Strings, scratch.Line, b =>
        {
            CopyTo(b.WrittenSpan, output);
            b.Clear();
        }, scratch);

    /// <summary>
    /// How many bytes <see cref="Write(MmapRecordStream, IBufferWriter{byte})"/> writes for the stream's
    /// current Event record, newline included, keeping none of them.
    /// </summary>
    /// <param name="records">A stream whose current record is an Event record.</param>
    /// <param name="bytes">The line's size in bytes when the result is <see cref="ClefRecordResult.Written"/>, else 0.</param>
    /// <returns>Whether the line would be written, or why not.</returns>
    public ClefRecordResult Measure(MmapRecordStream records, out long bytes)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Kind != MmapRecordKind.Event) throw new InvalidOperationException("The current record is not an Event record.");
        bytes = 0;
        if (_includeRenderedMessage) return ClefRecordResult.NeedsDecoding;
        FrameScratch scratch = TakeScratch();
        try
        {
            ClefRecordResult result = Measure(records.CurrentFrame, records.Strings, scratch, out bytes);
            Note(records, result);
            return result;
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    /// <summary>What the walk learnt of the record's body, for the stream's counts (nothing when it needs decoding: the caller decodes).</summary>
    private static void Note(MmapRecordStream records, ClefRecordResult result)
    {
        if (result == ClefRecordResult.Written) records.NoteDecodes(true);
        else if (result == ClefRecordResult.Undecodable) records.NoteDecodes(false);
    }

    /// <summary>Appends the CLEF line for <paramref name="frame"/> (and a newline) to <paramref name="output"/>; nothing unless written.</summary>
    internal ClefRecordResult Write(ReadOnlySpan<byte> frame, SegmentStrings strings, Utf8Buffer output)
    {
        FrameScratch scratch = TakeScratch();
        try
        {
            return Write(frame, strings, output, scratch.LoggerJson);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    /// <summary>
    /// As <see cref="Write(ReadOnlySpan{byte}, SegmentStrings, Utf8Buffer)"/>, for a frame whose line may be larger than one wants to hold in memory: the
    /// body is walked once writing nowhere, to learn whether this path covers it, then once more into
    /// <paramref name="output"/>, which hands what it holds to <paramref name="spill"/> (and clears) each
    /// time it fills. Memory stays at the buffer's size whatever the line's; nothing is written unless
    /// the result is <see cref="ClefRecordResult.Written"/>.
    /// </summary>
    internal ClefRecordResult WriteStreaming(ReadOnlySpan<byte> frame, SegmentStrings strings, Utf8Buffer output, Action<Utf8Buffer> spill)
    {
        FrameScratch scratch = TakeScratch();
        try
        {
            return WriteStreaming(frame, strings, output, spill, scratch);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    private static ClefRecordResult WriteStreaming(ReadOnlySpan<byte> frame, SegmentStrings strings, Utf8Buffer output, Action<Utf8Buffer> spill, FrameScratch scratch)
    {
        ClefRecordResult probe = Measure(frame, strings, scratch, out _);
        if (probe != ClefRecordResult.Written) return probe;
        output.Spill = spill;
        try
        {
            var visitor = new Visitor(output, scratch.LoggerJson);
            EventBodyWalker.Walk(frame, strings, ref visitor, out _);
        }
        finally
        {
            output.Spill = null;
        }
        output.Write((byte)'\n');
        return ClefRecordResult.Written;
    }

    /// <summary>The size of <paramref name="frame"/>'s CLEF line, newline included.</summary>
    internal ClefRecordResult Measure(ReadOnlySpan<byte> frame, SegmentStrings strings, out long bytes)
    {
        FrameScratch scratch = TakeScratch();
        try
        {
            return Measure(frame, strings, scratch, out bytes);
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    // Not inlined: its walk is large, and each caller inlining it again is tier-1 code the JIT compiles
    // twice in a short process (mmaplog cat); a call per line costs nothing measurable.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ClefRecordResult Write(ReadOnlySpan<byte> frame, SegmentStrings strings, Utf8Buffer output, Utf8Buffer loggerJson)
    {
        int start = output.Length;
        var visitor = new Visitor(output, loggerJson);
        if (!EventBodyWalker.Walk(frame, strings, ref visitor, out _))
        {
            output.Length = start;
            return ClefRecordResult.Undecodable;
        }
        if (visitor.NeedsDecoding)
        {
            output.Length = start;
            return ClefRecordResult.NeedsDecoding;
        }
        output.Write((byte)'\n');
        return ClefRecordResult.Written;
    }

    private static ClefRecordResult Measure(ReadOnlySpan<byte> frame, SegmentStrings strings, FrameScratch scratch, out long bytes)
    {
        Utf8Buffer counter = scratch.Counter;
        scratch.Spilled = 0;
        counter.Clear();
        var visitor = new Visitor(counter, scratch.LoggerJson);
        bytes = 0;
        bool decodes = EventBodyWalker.Walk(frame, strings, ref visitor, out _);
        long written = scratch.Spilled + counter.Length + 1;
        counter.Clear();
        if (!decodes) return ClefRecordResult.Undecodable;
        if (visitor.NeedsDecoding) return ClefRecordResult.NeedsDecoding;
        bytes = written;
        return ClefRecordResult.Written;
    }

    private static void CopyTo(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        if (bytes.IsEmpty) return;
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    /// <summary>This thread's scratch, marked in use (a nested call, from an output's callback, gets its own).</summary>
    private static FrameScratch TakeScratch()
    {
        FrameScratch? scratch = t_scratch;
        if (scratch is null || scratch.InUse)
        {
            scratch = new FrameScratch();
            t_scratch ??= scratch;
        }
        scratch.InUse = true;
        return scratch;
    }

    private static void ReturnScratch(FrameScratch scratch) => scratch.InUse = false;

    /// <summary>The buffers the frame path reuses from line to line.</summary>
    private sealed class FrameScratch
    {
        public FrameScratch() => Counter.Spill = b =>
        {
            Spilled += b.Length;
            b.Clear();
        };

        /// <summary>Where a line is built before it is copied out.</summary>
        public readonly Utf8Buffer Line = new(1 << 16);

        /// <summary>An inline logger name as JSON, kept from the head to the end of the properties (as <c>SourceContext</c>).</summary>
        public readonly Utf8Buffer LoggerJson = new(256);

        /// <summary>Where measuring writes: it only counts what fills it.</summary>
        public readonly Utf8Buffer Counter = new(1 << 16);

        public long Spilled;

        /// <summary>A line is being built with these buffers (a nested call must not use them).</summary>
        public bool InUse;
    }

    /// <summary>The string's JSON literal, quotes included (only for valid UTF-8); cached with a string kept in memory.</summary>
    private static byte[] JsonOf(InternedString s) => s.IsKept ? s.JsonCache ??= JsonUtf8.Quote(s.Utf8) : JsonUtf8.Quote(s.Utf8);

    /// <summary><c>,"name":</c> as CLEF writes a top-level property name, a leading <c>@</c> doubled; cached as <see cref="JsonOf"/>.</summary>
    private static byte[] PropertyPrefixOf(InternedString s) =>
        s.IsKept ? s.ClefPropertyPrefixCache ??= JsonUtf8.ClefPropertyPrefix(s.Utf8) : JsonUtf8.ClefPropertyPrefix(s.Utf8);

    private static byte TemplateState(InternedString template)
    {
        if (template.TemplateState == 0) template.TemplateState = StateOf(template.Value);
        return template.TemplateState;
    }

    private static byte StateOf(string template) =>
        TemplateSafety.IsHostile(template) ? TemplateHostile
        : TemplateParser.GetOrParse(template).HasFormattedProperties ? TemplateFormatted
        : TemplatePlain;

    private static ReadOnlySpan<byte> LevelJson(byte level) => level switch
    {
        0 => ",\"@l\":\"Verbose\""u8,
        1 => ",\"@l\":\"Debug\""u8,
        3 => ",\"@l\":\"Warning\""u8,
        4 => ",\"@l\":\"Error\""u8,
        _ => ",\"@l\":\"Fatal\""u8,
    };

    private struct Visitor : IEventBodyVisitor
    {
        private readonly Utf8Buffer _out;
        private readonly Utf8Buffer _loggerJson;
        private byte[]? _internedLoggerJson;
        private bool _hasLogger;
        private bool _hasSourceContext;

        public Visitor(Utf8Buffer output, Utf8Buffer loggerJson)
        {
            _out = output;
            _loggerJson = loggerJson;
            NeedsDecoding = false;
        }

        public bool NeedsDecoding;

        /// <summary>Writes a string field as a JSON literal, or gives up on invalid UTF-8 (the decoder would substitute U+FFFD).</summary>
        private void Quoted(ReadOnlySpan<byte> utf8)
        {
            if (!Utf8.IsValid(utf8)) { NeedsDecoding = true; return; }
            JsonUtf8.WriteQuoted(utf8, _out);
        }

        private void Quoted(StrRef value)
        {
            if (value.Interned is { } s)
            {
                if (!s.IsValidUtf8) { NeedsDecoding = true; return; }
                _out.Write(JsonOf(s));
            }
            else
            {
                Quoted(value.Inline);
            }
        }

        public void Head(scoped in EventHead head)
        {
            _out.Write("{\"@t\":\""u8);
            _out.Format(new DateTime(head.UtcTicks, DateTimeKind.Utc), "O");
            _out.Write((byte)'"');

            if (head.Template.Interned is { } template)
            {
                if (!template.IsValidUtf8) { NeedsDecoding = true; return; }
                if (!TemplateKey(TemplateState(template))) return;
                _out.Write(JsonOf(template));
            }
            else if (!head.Template.IsNull)
            {
                // An inline template (too long to intern, or past a segment's 65 535 strings): looked at each time.
                ReadOnlySpan<byte> inline = head.Template.Inline;
                if (!Utf8.IsValid(inline)) { NeedsDecoding = true; return; }
                if (!TemplateKey(StateOf(System.Text.Encoding.UTF8.GetString(inline)))) return;
                JsonUtf8.WriteQuoted(inline, _out);
            }
            else if (!head.Rendered.IsNull)
            {
                _out.Write(",\"@m\":"u8);
                Quoted(head.Rendered.Bytes);
            }

            if (head.Level != (byte)MmapLevel.Information) _out.Write(LevelJson(head.Level));

            if (head.HasException)
            {
                // Without the full text the decoder composes "Type: message": leave that to it.
                if (head.ExceptionText.IsNull) { NeedsDecoding = true; return; }
                _out.Write(",\"@x\":"u8);
                // Interned (1.3), its JSON is made once a segment, as a template's is.
                Quoted(head.ExceptionText);
            }
            if (!head.TraceId.IsEmpty)
            {
                _out.Write(",\"@tr\":\""u8);
                JsonUtf8.WriteHex(head.TraceId, upper: false, _out);
                _out.Write((byte)'"');
            }
            if (!head.SpanId.IsEmpty)
            {
                _out.Write(",\"@sp\":\""u8);
                JsonUtf8.WriteHex(head.SpanId, upper: false, _out);
                _out.Write((byte)'"');
            }

            _hasLogger = !head.Logger.IsNull;
            if (_hasLogger)
            {
                if (head.Logger.Interned is { } logger)
                {
                    if (!logger.IsValidUtf8) { NeedsDecoding = true; return; }
                    _internedLoggerJson = JsonOf(logger);
                }
                else
                {
                    if (!Utf8.IsValid(head.Logger.Inline)) { NeedsDecoding = true; return; }
                    _loggerJson.Clear();
                    JsonUtf8.WriteQuoted(head.Logger.Inline, _loggerJson);
                }
            }
        }

        /// <summary>Writes <c>@mt</c> (or <c>@m</c> for a hostile template); false when the template needs the decoder.</summary>
        private bool TemplateKey(byte state)
        {
            switch (state)
            {
                case TemplatePlain: _out.Write(",\"@mt\":"u8); return true;
                case TemplateHostile: _out.Write(",\"@m\":"u8); return true;
                default: NeedsDecoding = true; return false;
            }
        }

        public void PropertyName(StrRef name, int index, int depth)
        {
            if (depth == 0)
            {
                if (name.Interned is { } s)
                {
                    if (!s.IsValidUtf8) { NeedsDecoding = true; return; }
                    _out.Write(PropertyPrefixOf(s));
                }
                else
                {
                    if (!Utf8.IsValid(name.Inline)) { NeedsDecoding = true; return; }
                    JsonUtf8.WriteClefPropertyPrefix(name.Inline, _out);
                }
                if (name.Utf8.SequenceEqual("SourceContext"u8)) _hasSourceContext = true;
                return;
            }
            if (index != 0) _out.Write((byte)',');
            Quoted(name);
            _out.Write((byte)':');
        }

        public void Null() => _out.Write("null"u8);
        public void Bool(bool value) => _out.Write(value ? "true"u8 : "false"u8);
        public void Integer(long value, ValueTag tag) => _out.Format(value);
        public void Unsigned(ulong value, ValueTag tag) => _out.Format(value);

        public void Single(float value)
        {
            if (float.IsFinite(value))
            {
                _out.Format(value, "R");
                return;
            }
            _out.Write((byte)'"');
            _out.Format(value);
            _out.Write((byte)'"');
        }

        public void Double(double value)
        {
            if (double.IsFinite(value))
            {
                if (CentsDouble.TryWrite(value, _out)) return;
                _out.Format(value, "R");
                return;
            }
            _out.Write((byte)'"');
            _out.Format(value);
            _out.Write((byte)'"');
        }

        public void Decimal(decimal value) => _out.Format(value);

        public void String(Utf8Field value)
        {
            if (value.IsNull) Null();
            else Quoted(value.Bytes);
        }

        public void Char(char value)
        {
            // A lone surrogate becomes U+FFFD on the way out of ClefWriter's TextWriter: leave that to it.
            if (char.IsSurrogate(value)) { NeedsDecoding = true; return; }
            Span<byte> utf8 = stackalloc byte[4];
            int n = new System.Text.Rune(value).EncodeToUtf8(utf8);
            JsonUtf8.WriteQuoted(utf8.Slice(0, n), _out);
        }

        public void DateTime(DateTime value) => Verbatim(value, "O");
        public void DateTimeOffset(DateTimeOffset value) => Verbatim(value, "O");
        public void TimeSpan(TimeSpan value) => Verbatim(value, default);
        public void Guid(Guid value) => Verbatim(value, default);
        public void DateOnly(DateOnly value) => Verbatim(value, "yyyy-MM-dd");
        public void TimeOnly(TimeOnly value) => Verbatim(value, "O");

        private void Verbatim<T>(T value, ReadOnlySpan<char> format) where T : IUtf8SpanFormattable
        {
            _out.Write((byte)'"');
            _out.Format(value, format);
            _out.Write((byte)'"');
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            _out.Write((byte)'"');
            JsonUtf8.WriteHex(value, upper: true, _out);
            _out.Write((byte)'"');
        }

        public void Opaque(StrRef typeName, Utf8Field text) => String(text);

        // Serilog's JSON writes an enum as its ToString(): the name, quoted.
        public void Enum(StrRef typeName, Format.ValueTag underlying, ulong bits, StrRef name) => Quoted(name);

        public void BeginSequence(int count) => _out.Write((byte)'[');

        public void SequenceElement(int index)
        {
            if (index != 0) _out.Write((byte)',');
        }

        public void EndSequence() => _out.Write((byte)']');

        public void BeginStructure(int count) => _out.Write((byte)'{');

        public void EndStructure(StrRef typeTag, int count)
        {
            if (!typeTag.IsNull)
            {
                if (count != 0) _out.Write((byte)',');
                _out.Write("\"$type\":"u8);
                Quoted(typeTag);
            }
            _out.Write((byte)'}');
        }

        // Dictionary keys are written with the current culture's ToString(): left to ClefWriter.
        public void BeginDictionary(int count) => NeedsDecoding = true;

        public void EndDictionary() { }

        public void EndProperties()
        {
            if (_hasLogger && !_hasSourceContext)
            {
                _out.Write(",\"SourceContext\":"u8);
                _out.Write(_internedLoggerJson is { } json ? json : _loggerJson.WrittenSpan);
            }
            _out.Write((byte)'}');
        }
    }
}
