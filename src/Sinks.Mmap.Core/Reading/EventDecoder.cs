using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Decodes an Event body into an <see cref="MmapEvent"/>. The body is walked first without building
/// anything (<see cref="EventBodyWalker"/>, every check the decoder makes): a damaged body costs no
/// allocation, and in a body that walks every count is true, so lists are built at their exact size
/// and never from a count that only claims to be. Values that take one or two bytes are shared
/// (<see cref="SharedValues"/>), so memory stays a small multiple of the record's size.
/// </summary>
internal static class EventDecoder
{
    public static MmapEvent? Decode(ReadOnlySpan<byte> frame, SegmentStrings strings, out string? error)
    {
        var validator = new ValidatingVisitor();
        if (!EventBodyWalker.Walk(frame, strings, ref validator, out error)) return null;
        var reader = new BodyReader(frame.Slice(FormatConstants.FrameHeaderSize), strings);
        long sequence = RecordFrame.Sequence(frame);
        long ticks = RecordFrame.Ticks(frame);
        byte level = RecordFrame.Level(frame);
        if (level > (byte)MmapLevel.Fatal) { error = $"level {level} is out of range"; return null; }
        if (!reader.TryInt16(out short offsetMinutes) || offsetMinutes < -14 * 60 || offsetMinutes > 14 * 60) { error = "bad UTC offset"; return null; }
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) { error = "timestamp out of range"; return null; }
        if (!reader.TryByte(out byte presenceByte) || !EventPresenceRules.IsValid(presenceByte)) { error = "bad presence bits"; return null; }
        var presence = (EventPresence)presenceByte;
        if (!reader.TryStrRef(out string? template)) { error = reader.Error; return null; }
        if (EventPresenceRules.CheckRendering(presence, template is not null) is { } damage) { error = damage; return null; }
        string? logger = null, rendered = null, exType = null, exMessage = null, exText = null;
        ActivityTraceId? traceId = null;
        ActivitySpanId? spanId = null;
        if ((presence & EventPresence.Logger) != 0 && !reader.TryStrRef(out logger)) { error = reader.Error; return null; }
        if ((presence & EventPresence.RenderedMessage) != 0 && !reader.TryString(out rendered)) { error = reader.Error; return null; }
        if ((presence & EventPresence.TraceId) != 0)
        {
            if (!reader.TryBytes(16, out ReadOnlySpan<byte> t)) { error = "truncated trace id"; return null; }
            traceId = ActivityTraceId.CreateFromBytes(t);
        }
        if ((presence & EventPresence.SpanId) != 0)
        {
            if (!reader.TryBytes(8, out ReadOnlySpan<byte> s)) { error = "truncated span id"; return null; }
            spanId = ActivitySpanId.CreateFromBytes(s);
        }
        if ((presence & EventPresence.Exception) != 0 &&
            !(reader.TryStrRef(out exType) && reader.TryString(out exMessage) && reader.TryString(out exText)))
        {
            error = reader.Error;
            return null;
        }
        if (!reader.TryProperties(0, out LogProperty[]? properties)) { error = reader.Error; return null; }

        if ((presence & EventPresence.PlainRendering) != 0)
        {
            // Null when the properties do not fit the template (a damaged record): the event still reads.
            rendered = Rendering.PlainMessageRenderer.TryRender(template!, properties!);
        }

        var offset = TimeSpan.FromMinutes(offsetMinutes);
        long local = ticks + offset.Ticks;
        // At the very ends of the calendar the local time may not exist: keep the instant, in UTC.
        DateTimeOffset timestamp = local >= DateTime.MinValue.Ticks && local <= DateTime.MaxValue.Ticks
            ? new DateTimeOffset(local, offset)
            : new DateTimeOffset(ticks, TimeSpan.Zero);
        error = null;
        return new MmapEvent(sequence, timestamp, (MmapLevel)level, template, properties!, logger, rendered,
            (presence & EventPresence.Exception) != 0 ? new MmapExceptionInfo(exType, exMessage, exText) : null,
            traceId, spanId);
    }

    /// <summary>Parses a Definition body: the id, the string's UTF-8 bytes, and where they start in the frame.</summary>
    public static bool TryDefinition(ReadOnlySpan<byte> frame, out int id, out ReadOnlySpan<byte> value, out int valueOffset)
    {
        ReadOnlySpan<byte> body = frame.Slice(FormatConstants.FrameHeaderSize);
        id = 0;
        value = default;
        valueOffset = 0;
        if (!Varint.TryRead(body, out ulong raw, out int n) || raw == 0 || raw > FormatConstants.MaxInternedStrings)
        {
            return false;
        }
        id = (int)raw;
        value = body.Slice(n);
        valueOffset = FormatConstants.FrameHeaderSize + n;
        return true;
    }

    private ref struct BodyReader
    {
        private BodyCursor _cursor;
        private readonly SegmentStrings _strings;
        // Strings not kept in memory are read at each use; within one event each is read once.
        private Dictionary<InternedString, string>? _unkept;

        public BodyReader(ReadOnlySpan<byte> body, SegmentStrings strings)
        {
            _cursor = new BodyCursor(body);
            _strings = strings;
            _unkept = null;
        }

        public readonly string? Error => _cursor.Error;

        private bool Fail(string message) => _cursor.Fail(message);

        public bool TryByte(out byte value) => _cursor.TryByte(out value);

        public bool TryInt16(out short value) => _cursor.TryInt16(out value);

        public bool TryBytes(int count, out ReadOnlySpan<byte> bytes) => _cursor.TryBytes(count, out bytes);

        public bool TryVarint(out ulong value) => _cursor.TryVarint(out value);

        public bool TryCount(out int count) => _cursor.TryCount(out count);

        public bool TryString(out string? value)
        {
            value = null;
            if (!_cursor.TryStringBytes(out ReadOnlySpan<byte> utf8, out bool isNull)) return false;
            if (!isNull) value = utf8.IsEmpty ? string.Empty : Encoding.UTF8.GetString(utf8);
            return true;
        }

        public bool TryStrRef(out string? value)
        {
            value = null;
            if (!_cursor.TryStrRefParts(out bool interned, out ulong id, out ReadOnlySpan<byte> inline, out bool isNull)) return false;
            if (isNull) return true;
            if (interned)
            {
                if (!_cursor.TryInterned(_strings, id, out InternedString? s)) return false;
                if (s!.IsKept)
                {
                    value = s.Value;
                }
                else
                {
                    _unkept ??= new Dictionary<InternedString, string>(ReferenceEqualityComparer.Instance);
                    if (!_unkept.TryGetValue(s, out value)) _unkept.Add(s, value = s.Value);
                }
                return true;
            }
            value = Encoding.UTF8.GetString(inline);
            return true;
        }

        /// <summary>A count of properties and the properties; the count is true, the body having walked.</summary>
        public bool TryProperties(int depth, out LogProperty[]? properties)
        {
            properties = null;
            if (!TryCount(out int count)) return false;
            var list = count == 0 ? Array.Empty<LogProperty>() : new LogProperty[count];
            for (int i = 0; i < count; i++)
            {
                if (!TryStrRef(out string? name)) return false;
                if (name is null) return Fail("property without a name");
                if (!TryValue(depth + 1, out LogValue? value)) return false;
                list[i] = new LogProperty(name, value!);
            }
            properties = list;
            return true;
        }

        public bool TryValue(int depth, out LogValue? value)
        {
            value = null;
            if (depth > FormatConstants.MaxNesting) return Fail("values nested too deeply");
            if (!TryByte(out byte tagByte)) return false;
            ReadOnlySpan<byte> b;
            switch ((ValueTag)tagByte)
            {
                case ValueTag.Null: value = LogScalar.Null; return true;
                case ValueTag.False: value = SharedValues.False; return true;
                case ValueTag.True: value = SharedValues.True; return true;
                case ValueTag.SByte: if (!TryBytes(1, out b)) return false; value = SharedValues.SByte((sbyte)b[0]); return true;
                case ValueTag.Byte: if (!TryBytes(1, out b)) return false; value = SharedValues.Byte(b[0]); return true;
                case ValueTag.Int16: if (!TryBytes(2, out b)) return false; value = new LogScalar(BinaryPrimitives.ReadInt16LittleEndian(b)); return true;
                case ValueTag.UInt16: if (!TryBytes(2, out b)) return false; value = new LogScalar(BinaryPrimitives.ReadUInt16LittleEndian(b)); return true;
                case ValueTag.Int32:
                {
                    if (!TryVarint(out ulong v)) return false;
                    long n = Varint.UnZigZag(v);
                    if (n < int.MinValue || n > int.MaxValue) return Fail("int out of range");
                    value = SharedValues.Int32((int)n);
                    return true;
                }
                case ValueTag.UInt32:
                {
                    if (!TryVarint(out ulong v)) return false;
                    if (v > uint.MaxValue) return Fail("uint out of range");
                    value = SharedValues.UInt32((uint)v);
                    return true;
                }
                case ValueTag.Int64: { if (!TryVarint(out ulong v)) return false; value = SharedValues.Int64(Varint.UnZigZag(v)); return true; }
                case ValueTag.UInt64: { if (!TryVarint(out ulong v)) return false; value = SharedValues.UInt64(v); return true; }
                case ValueTag.Single: if (!TryBytes(4, out b)) return false; value = new LogScalar(BinaryPrimitives.ReadSingleLittleEndian(b)); return true;
                case ValueTag.Double: if (!TryBytes(8, out b)) return false; value = new LogScalar(BinaryPrimitives.ReadDoubleLittleEndian(b)); return true;
                case ValueTag.Decimal:
                {
                    if (!TryBytes(16, out b)) return false;
                    int lo = BinaryPrimitives.ReadInt32LittleEndian(b), mid = BinaryPrimitives.ReadInt32LittleEndian(b.Slice(4));
                    int hi = BinaryPrimitives.ReadInt32LittleEndian(b.Slice(8)), flags = BinaryPrimitives.ReadInt32LittleEndian(b.Slice(12));
                    // decimal's constructor throws on invalid flags: check them first.
                    if ((flags & 0x7F00FFFF) != 0 || ((flags >> 16) & 0xFF) > 28) return Fail("bad decimal");
                    value = new LogScalar(new decimal(lo, mid, hi, flags < 0, (byte)((flags >> 16) & 0xFF)));
                    return true;
                }
                case ValueTag.String: { if (!TryString(out string? s)) return false; value = s is null ? LogScalar.Null : s.Length == 0 ? SharedValues.EmptyString : new LogScalar(s); return true; }
                case ValueTag.Char: if (!TryBytes(2, out b)) return false; value = new LogScalar((char)BinaryPrimitives.ReadUInt16LittleEndian(b)); return true;
                case ValueTag.DateTime:
                {
                    if (!TryBytes(9, out b)) return false;
                    long t = BinaryPrimitives.ReadInt64LittleEndian(b);
                    if (t < DateTime.MinValue.Ticks || t > DateTime.MaxValue.Ticks || b[8] > 2) return Fail("bad DateTime");
                    value = new LogScalar(new DateTime(t, (DateTimeKind)b[8]));
                    return true;
                }
                case ValueTag.DateTimeOffset:
                {
                    if (!TryBytes(10, out b)) return false;
                    long t = BinaryPrimitives.ReadInt64LittleEndian(b);
                    short minutes = BinaryPrimitives.ReadInt16LittleEndian(b.Slice(8));
                    if (minutes < -14 * 60 || minutes > 14 * 60) return Fail("bad DateTimeOffset");
                    long utc = t - minutes * TimeSpan.TicksPerMinute;
                    if (t < DateTime.MinValue.Ticks || t > DateTime.MaxValue.Ticks || utc < DateTime.MinValue.Ticks || utc > DateTime.MaxValue.Ticks) return Fail("bad DateTimeOffset");
                    value = new LogScalar(new DateTimeOffset(t, TimeSpan.FromMinutes(minutes)));
                    return true;
                }
                case ValueTag.TimeSpan: if (!TryBytes(8, out b)) return false; value = new LogScalar(new TimeSpan(BinaryPrimitives.ReadInt64LittleEndian(b))); return true;
                case ValueTag.Guid: if (!TryBytes(16, out b)) return false; value = new LogScalar(new Guid(b)); return true;
                case ValueTag.Bytes:
                {
                    if (!TryCount(out int n) || !TryBytes(n, out b)) return false;
                    value = new LogScalar(b.ToArray());
                    return true;
                }
                case ValueTag.DateOnly:
                {
                    if (!TryBytes(4, out b)) return false;
                    int day = BinaryPrimitives.ReadInt32LittleEndian(b);
                    if (day < DateOnly.MinValue.DayNumber || day > DateOnly.MaxValue.DayNumber) return Fail("bad DateOnly");
                    value = new LogScalar(DateOnly.FromDayNumber(day));
                    return true;
                }
                case ValueTag.TimeOnly:
                {
                    if (!TryBytes(8, out b)) return false;
                    long t = BinaryPrimitives.ReadInt64LittleEndian(b);
                    if (t < 0 || t >= TimeSpan.TicksPerDay) return Fail("bad TimeOnly");
                    value = new LogScalar(new TimeOnly(t));
                    return true;
                }
                case ValueTag.Enum:
                {
                    if (!TryStrRef(out string? typeName) || !_cursor.TryEnumNumber(out ValueTag underlying, out ulong bits) || !TryStrRef(out string? name)) return false;
                    if (typeName is null || name is null) return Fail("enum without a type or a name");
                    value = new LogScalar(new LogEnumValue(typeName, LogEnumValue.Box(underlying, bits), name));
                    return true;
                }
                case ValueTag.Other:
                {
                    if (!TryStrRef(out string? typeName) || !TryString(out string? text)) return false;
                    value = new LogOpaqueScalar(typeName ?? "", text);
                    return true;
                }
                case ValueTag.Sequence:
                {
                    if (!TryCount(out int n)) return false;
                    if (n == 0) { value = SharedValues.EmptySequence; return true; }
                    var elements = new LogValue[n];
                    for (int i = 0; i < n; i++)
                    {
                        if (!TryValue(depth + 1, out LogValue? e)) return false;
                        elements[i] = e!;
                    }
                    value = new LogSequence(elements);
                    return true;
                }
                case ValueTag.Structure:
                {
                    if (!TryStrRef(out string? typeTag) || !TryProperties(depth, out LogProperty[]? props)) return false;
                    value = typeTag is null && props!.Length == 0 ? SharedValues.EmptyUntypedStructure : new LogStructure(typeTag, props!);
                    return true;
                }
                case ValueTag.Dictionary:
                {
                    if (!TryCount(out int n)) return false;
                    if (n == 0) { value = SharedValues.EmptyDictionary; return true; }
                    var entries = new KeyValuePair<LogValue, LogValue>[n];
                    for (int i = 0; i < n; i++)
                    {
                        if (!TryValue(depth + 1, out LogValue? k) || !TryValue(depth + 1, out LogValue? v)) return false;
                        entries[i] = new KeyValuePair<LogValue, LogValue>(k!, v!);
                    }
                    value = new LogDictionary(entries);
                    return true;
                }
                default:
                    return Fail($"unknown value tag 0x{tagByte:X2}");
            }
        }
    }
}
