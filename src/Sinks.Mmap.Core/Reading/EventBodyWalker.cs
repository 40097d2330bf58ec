using System;
using System.Buffers.Binary;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Reading;

/// <summary>
/// The one place an Event body's grammar (its head and its value tags) is read. Walks a frame without
/// allocating and tells an <see cref="IEventBodyVisitor"/> what it finds: <see cref="ValidatingVisitor"/>
/// only checks, <see cref="EventBuilder"/> builds an <see cref="MmapEvent"/>, the CLEF writer writes
/// UTF-8. Generic over the visitor so that validation alone compiles to just the checks.
/// </summary>
internal static class EventBodyWalker
{
    /// <summary>Walks <paramref name="frame"/>; false (with the decoder's error text) for an undecodable body.</summary>
    public static bool Walk<TVisitor>(ReadOnlySpan<byte> frame, SegmentStrings strings, ref TVisitor visitor, out string? error)
        where TVisitor : struct, IEventBodyVisitor
    {
        var reader = new Reader(frame.Slice(FormatConstants.FrameHeaderSize), strings);
        if (!TryHead(frame, ref reader, out EventHead head, out error)) return false;
        // The count is read before the head is told, so that a builder can size the event's properties.
        if (!reader.TryCount(out head.PropertyCount)) { error = reader.Error; return false; }
        visitor.Head(in head);
        if (!reader.TryProperties(0, head.PropertyCount, ref visitor)) { error = reader.Error; return false; }
        visitor.EndProperties();
        error = null;
        return true;
    }

    /// <summary>
    /// Reads only the fields before the properties (for a summary of events, say), with the checks
    /// <see cref="Walk"/> makes on them; the properties are not looked at, so a true result does not
    /// mean the event decodes.
    /// </summary>
    /// <summary>An event's timestamp from its UTC ticks and offset; at the very ends of the calendar, where the local time may not exist, the instant in UTC.</summary>
    public static DateTimeOffset Timestamp(long utcTicks, short offsetMinutes)
    {
        var offset = System.TimeSpan.FromMinutes(offsetMinutes);
        long local = utcTicks + offset.Ticks;
        return local >= System.DateTime.MinValue.Ticks && local <= System.DateTime.MaxValue.Ticks
            ? new DateTimeOffset(local, offset)
            : new DateTimeOffset(utcTicks, System.TimeSpan.Zero);
    }

    public static bool TryReadHead(ReadOnlySpan<byte> frame, SegmentStrings strings, out EventHead head, out string? error)
    {
        var reader = new Reader(frame.Slice(FormatConstants.FrameHeaderSize), strings);
        return TryHead(frame, ref reader, out head, out error);
    }

    private static bool TryHead(ReadOnlySpan<byte> frame, scoped ref Reader reader, out EventHead head, out string? error)
    {
        head = new EventHead
        {
            Sequence = RecordFrame.Sequence(frame),
            UtcTicks = RecordFrame.Ticks(frame),
            Level = RecordFrame.Level(frame),
        };
        if (head.Level > (byte)MmapLevel.Fatal) { error = $"level {head.Level} is out of range"; return false; }
        if (!reader.TryInt16(out head.OffsetMinutes) || head.OffsetMinutes < -14 * 60 || head.OffsetMinutes > 14 * 60) { error = "bad UTC offset"; return false; }
        if (head.UtcTicks < System.DateTime.MinValue.Ticks || head.UtcTicks > System.DateTime.MaxValue.Ticks) { error = "timestamp out of range"; return false; }
        if (!reader.TryByte(out byte presenceByte) || !EventPresenceRules.IsValid(presenceByte)) { error = "bad presence bits"; return false; }
        var presence = (EventPresence)presenceByte;
        head.Presence = presence;
        if (!reader.TryStrRef(out head.Template)) { error = reader.Error; return false; }
        if (EventPresenceRules.CheckRendering(presence, !head.Template.IsNull) is { } damage) { error = damage; return false; }
        if ((presence & EventPresence.Logger) != 0 && !reader.TryStrRef(out head.Logger)) { error = reader.Error; return false; }
        if ((presence & EventPresence.Logger) == 0) head.Logger = new StrRef(null, default, isNull: true);
        if ((presence & EventPresence.RenderedMessage) != 0 && !reader.TryString(out head.Rendered)) { error = reader.Error; return false; }
        if ((presence & EventPresence.RenderedMessage) == 0) head.Rendered = new Utf8Field(default, isNull: true);
        if ((presence & EventPresence.TraceId) != 0 && !reader.TryBytes(16, out head.TraceId)) { error = "truncated trace id"; return false; }
        if ((presence & EventPresence.SpanId) != 0 && !reader.TryBytes(8, out head.SpanId)) { error = "truncated span id"; return false; }
        head.HasException = (presence & EventPresence.Exception) != 0;
        if (head.HasException &&
            !(reader.TryStrRef(out head.ExceptionType) && reader.TryString(out head.ExceptionMessage) && TryExceptionText(ref reader, presence, out head.ExceptionText)))
        {
            error = reader.Error;
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>The exception's full text: a StrRef since 1.3 (presence bit 6), a String before (read as an inline StrRef).</summary>
    private static bool TryExceptionText(scoped ref Reader reader, EventPresence presence, out StrRef text)
    {
        if ((presence & EventPresence.ExceptionTextRef) != 0)
        {
            return reader.TryStrRef(out text);
        }
        bool read = reader.TryString(out Utf8Field field);
        text = new StrRef(null, field.Bytes, field.IsNull);
        return read;
    }

    private ref struct Reader
    {
        private BodyCursor _cursor;
        private readonly SegmentStrings _strings;

        public Reader(ReadOnlySpan<byte> body, SegmentStrings strings)
        {
            _cursor = new BodyCursor(body);
            _strings = strings;
        }

        public readonly string? Error => _cursor.Error;

        private bool Fail(string message) => _cursor.Fail(message);

        public bool TryByte(out byte value) => _cursor.TryByte(out value);

        public bool TryInt16(out short value) => _cursor.TryInt16(out value);

        public bool TryBytes(int count, out ReadOnlySpan<byte> bytes) => _cursor.TryBytes(count, out bytes);

        public bool TryVarint(out ulong value) => _cursor.TryVarint(out value);

        public bool TryCount(out int count) => _cursor.TryCount(out count);

        public bool TryString(out Utf8Field value)
        {
            value = new Utf8Field(default, isNull: true);
            if (!_cursor.TryStringBytes(out ReadOnlySpan<byte> utf8, out bool isNull)) return false;
            if (!isNull) value = new Utf8Field(utf8, isNull: false);
            return true;
        }

        public bool TryStrRef(out StrRef value)
        {
            value = new StrRef(null, default, isNull: true);
            if (!_cursor.TryStrRefParts(out bool isInterned, out ulong id, out ReadOnlySpan<byte> inline, out bool isNull)) return false;
            if (isNull) return true;
            if (isInterned)
            {
                if (!_cursor.TryInterned(_strings, id, out InternedString? interned)) return false;
                value = new StrRef(interned, default, isNull: false);
                return true;
            }
            value = new StrRef(null, inline, isNull: false);
            return true;
        }

        public bool TryProperties<TVisitor>(int depth, int count, ref TVisitor visitor) where TVisitor : struct, IEventBodyVisitor
        {
            for (int i = 0; i < count; i++)
            {
                if (!TryStrRef(out StrRef name)) return false;
                if (name.IsNull) return Fail("property without a name");
                visitor.PropertyName(name, i, depth);
                if (!TryValue(depth + 1, ref visitor)) return false;
            }
            return true;
        }

        private bool TryProperties<TVisitor>(int depth, ref TVisitor visitor, out int count) where TVisitor : struct, IEventBodyVisitor
        {
            if (!TryCount(out count)) return false;
            visitor.BeginStructure(count);
            return TryProperties(depth, count, ref visitor);
        }

        public bool TryValue<TVisitor>(int depth, ref TVisitor visitor) where TVisitor : struct, IEventBodyVisitor
        {
            if (depth > FormatConstants.MaxNesting) return Fail("values nested too deeply");
            if (!TryByte(out byte tagByte)) return false;
            ReadOnlySpan<byte> b;
            switch ((ValueTag)tagByte)
            {
                case ValueTag.Null: visitor.Null(); return true;
                case ValueTag.False: visitor.Bool(false); return true;
                case ValueTag.True: visitor.Bool(true); return true;
                case ValueTag.SByte: if (!TryBytes(1, out b)) return false; visitor.Integer((sbyte)b[0], ValueTag.SByte); return true;
                case ValueTag.Byte: if (!TryBytes(1, out b)) return false; visitor.Unsigned(b[0], ValueTag.Byte); return true;
                case ValueTag.Int16: if (!TryBytes(2, out b)) return false; visitor.Integer(BinaryPrimitives.ReadInt16LittleEndian(b), ValueTag.Int16); return true;
                case ValueTag.UInt16: if (!TryBytes(2, out b)) return false; visitor.Unsigned(BinaryPrimitives.ReadUInt16LittleEndian(b), ValueTag.UInt16); return true;
                case ValueTag.Int32:
                {
                    if (!TryVarint(out ulong v)) return false;
                    long n = Varint.UnZigZag(v);
                    if (n < int.MinValue || n > int.MaxValue) return Fail("int out of range");
                    visitor.Integer(n, ValueTag.Int32);
                    return true;
                }
                case ValueTag.UInt32:
                {
                    if (!TryVarint(out ulong v)) return false;
                    if (v > uint.MaxValue) return Fail("uint out of range");
                    visitor.Unsigned(v, ValueTag.UInt32);
                    return true;
                }
                case ValueTag.Int64: { if (!TryVarint(out ulong v)) return false; visitor.Integer(Varint.UnZigZag(v), ValueTag.Int64); return true; }
                case ValueTag.UInt64: { if (!TryVarint(out ulong v)) return false; visitor.Unsigned(v, ValueTag.UInt64); return true; }
                case ValueTag.Single: if (!TryBytes(4, out b)) return false; visitor.Single(BinaryPrimitives.ReadSingleLittleEndian(b)); return true;
                case ValueTag.Double: if (!TryBytes(8, out b)) return false; visitor.Double(BinaryPrimitives.ReadDoubleLittleEndian(b)); return true;
                case ValueTag.Decimal:
                {
                    if (!TryBytes(16, out b)) return false;
                    int lo = BinaryPrimitives.ReadInt32LittleEndian(b), mid = BinaryPrimitives.ReadInt32LittleEndian(b.Slice(4));
                    int hi = BinaryPrimitives.ReadInt32LittleEndian(b.Slice(8)), flags = BinaryPrimitives.ReadInt32LittleEndian(b.Slice(12));
                    if ((flags & 0x7F00FFFF) != 0 || ((flags >> 16) & 0xFF) > 28) return Fail("bad decimal");
                    visitor.Decimal(new decimal(lo, mid, hi, flags < 0, (byte)((flags >> 16) & 0xFF)));
                    return true;
                }
                case ValueTag.String: { if (!TryString(out Utf8Field s)) return false; visitor.String(s); return true; }
                case ValueTag.Char: if (!TryBytes(2, out b)) return false; visitor.Char((char)BinaryPrimitives.ReadUInt16LittleEndian(b)); return true;
                case ValueTag.DateTime:
                {
                    if (!TryBytes(9, out b)) return false;
                    long t = BinaryPrimitives.ReadInt64LittleEndian(b);
                    if (t < System.DateTime.MinValue.Ticks || t > System.DateTime.MaxValue.Ticks || b[8] > 2) return Fail("bad DateTime");
                    visitor.DateTime(new DateTime(t, (DateTimeKind)b[8]));
                    return true;
                }
                case ValueTag.DateTimeOffset:
                {
                    if (!TryBytes(10, out b)) return false;
                    long t = BinaryPrimitives.ReadInt64LittleEndian(b);
                    short minutes = BinaryPrimitives.ReadInt16LittleEndian(b.Slice(8));
                    if (minutes < -14 * 60 || minutes > 14 * 60) return Fail("bad DateTimeOffset");
                    long utc = t - minutes * System.TimeSpan.TicksPerMinute;
                    if (t < System.DateTime.MinValue.Ticks || t > System.DateTime.MaxValue.Ticks || utc < System.DateTime.MinValue.Ticks || utc > System.DateTime.MaxValue.Ticks) return Fail("bad DateTimeOffset");
                    visitor.DateTimeOffset(new DateTimeOffset(t, System.TimeSpan.FromMinutes(minutes)));
                    return true;
                }
                case ValueTag.TimeSpan: if (!TryBytes(8, out b)) return false; visitor.TimeSpan(new TimeSpan(BinaryPrimitives.ReadInt64LittleEndian(b))); return true;
                case ValueTag.Guid: if (!TryBytes(16, out b)) return false; visitor.Guid(new Guid(b)); return true;
                case ValueTag.Bytes:
                {
                    if (!TryCount(out int n) || !TryBytes(n, out b)) return false;
                    visitor.Bytes(b);
                    return true;
                }
                case ValueTag.DateOnly:
                {
                    if (!TryBytes(4, out b)) return false;
                    int day = BinaryPrimitives.ReadInt32LittleEndian(b);
                    if (day < System.DateOnly.MinValue.DayNumber || day > System.DateOnly.MaxValue.DayNumber) return Fail("bad DateOnly");
                    visitor.DateOnly(System.DateOnly.FromDayNumber(day));
                    return true;
                }
                case ValueTag.TimeOnly:
                {
                    if (!TryBytes(8, out b)) return false;
                    long t = BinaryPrimitives.ReadInt64LittleEndian(b);
                    if (t < 0 || t >= System.TimeSpan.TicksPerDay) return Fail("bad TimeOnly");
                    visitor.TimeOnly(new TimeOnly(t));
                    return true;
                }
                case ValueTag.Enum:
                {
                    if (!TryStrRef(out StrRef typeName) || !_cursor.TryEnumNumber(out ValueTag underlying, out ulong bits) || !TryStrRef(out StrRef name)) return false;
                    if (typeName.IsNull || name.IsNull) return Fail("enum without a type or a name");
                    visitor.Enum(typeName, underlying, bits, name);
                    return true;
                }
                case ValueTag.Other:
                {
                    if (!TryStrRef(out StrRef typeName) || !TryString(out Utf8Field text)) return false;
                    visitor.Opaque(typeName, text);
                    return true;
                }
                case ValueTag.Sequence:
                {
                    if (!TryCount(out int n)) return false;
                    visitor.BeginSequence(n);
                    for (int i = 0; i < n; i++)
                    {
                        visitor.SequenceElement(i);
                        if (!TryValue(depth + 1, ref visitor)) return false;
                    }
                    visitor.EndSequence();
                    return true;
                }
                case ValueTag.Structure:
                {
                    if (!TryStrRef(out StrRef typeTag) || !TryProperties(depth, ref visitor, out int count)) return false;
                    visitor.EndStructure(typeTag, count);
                    return true;
                }
                case ValueTag.Dictionary:
                {
                    if (!TryCount(out int n)) return false;
                    visitor.BeginDictionary(n);
                    for (int i = 0; i < n; i++)
                    {
                        if (!TryValue(depth + 1, ref visitor) || !TryValue(depth + 1, ref visitor)) return false;
                    }
                    visitor.EndDictionary();
                    return true;
                }
                default:
                    return Fail($"unknown value tag 0x{tagByte:X2}");
            }
        }
    }
}
