using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Sinks.Mmap.Format;
using Sinks.Mmap.Writing;

namespace Sinks.Mmap;

/// <summary>
/// Encodes one event body. Usually the payload runs once, into a per-thread scratch buffer, and the
/// writer copies the bytes into the slot it then claims. When the event does not fit the scratch
/// buffer (or the buffer is in use by a nested log call), the payload runs twice: first measuring
/// (nothing is written; strings are interned), then writing straight into the exact claimed span.
/// Both runs must make the same calls.
/// </summary>
public ref struct EventWriter
{
    // Strings this long or longer are written inline: interning them would only grow the table.
    private const int MaxInternedChars = 4096;

    // A string this short has a one-byte length prefix whatever its UTF-8 size (at most 3 bytes a
    // UTF-16 char): it can be transcoded straight after the prefix, without counting its bytes first.
    private const int OneByteLengthChars = 42;
    private const int OneByteInlineRefChars = 20;

    private readonly Span<byte> _buffer;
    private readonly ActiveSegment? _segment;
    private readonly RecentStringRefs? _recent;
    private int _stringRefIndex;
    // Interning defines new strings in the segment; the exact pass after a measuring pass only looks them up.
    private readonly bool _defines;
    private bool _measuring;
    private bool _overflowed;
    private int _position;
    private bool _segmentSealed;

    private EventWriter(ActiveSegment? segment, Span<byte> buffer, bool measuring, bool defines, RecentStringRefs? recent = null)
    {
        _segment = segment;
        _recent = recent;
        _stringRefIndex = 0;
        _buffer = buffer;
        _measuring = measuring;
        _defines = defines;
        _overflowed = false;
        _position = 0;
        _segmentSealed = false;
    }

    /// <summary>A pass that only measures (and interns).</summary>
    internal static EventWriter ForMeasuring(ActiveSegment? segment) => new(segment, default, measuring: true, defines: true);

    /// <summary>
    /// A single pass into <paramref name="scratch"/> (interning as it goes), looking each string up
    /// first in <paramref name="recent"/>, which must be bound to <paramref name="segment"/>, by its
    /// position in the event. If the event outgrows the buffer, the pass carries on measuring only and
    /// <see cref="Overflowed"/> is set.
    /// </summary>
    internal static EventWriter ForScratch(ActiveSegment segment, Span<byte> scratch, RecentStringRefs recent) =>
        new(segment, scratch, measuring: false, defines: true, recent);

    /// <summary>The writing pass after a measuring pass, over exactly the measured span.</summary>
    internal static EventWriter ForExactSpan(ActiveSegment? segment, Span<byte> destination) => new(segment, destination, measuring: false, defines: false);

    /// <summary>Bytes measured or written so far.</summary>
    internal readonly int Position => _position;

    /// <summary>True when a scratch pass ran out of room: <see cref="Position"/> is the measured size, but the bytes are incomplete.</summary>
    internal readonly bool Overflowed => _overflowed;

    /// <summary>True when interning needed room the segment no longer had: the event must go to the next segment.</summary>
    internal readonly bool SegmentSealed => _segmentSealed;

    /// <summary>Writes the fixed part of the event. Call it once, first.</summary>
    public void WriteHeader(in EventHeader header) =>
        WriteHeader(in header, header.RenderedMessage, header.RenderedMessage is not null);

    /// <summary>
    /// Writes the fixed part of the event with <paramref name="renderedMessage"/> as its rendered
    /// message (instead of <see cref="EventHeader.RenderedMessage"/>), so a producer can render into a
    /// reusable buffer rather than a new string. Call it once, first.
    /// </summary>
    public void WriteHeader(in EventHeader header, ReadOnlySpan<char> renderedMessage) =>
        WriteHeader(in header, renderedMessage, hasRenderedMessage: true);

    private void WriteHeader(in EventHeader header, ReadOnlySpan<char> renderedMessage, bool hasRenderedMessage)
    {
        EventPresence presence = EventPresence.None;
        if (header.LoggerName is not null) presence |= EventPresence.Logger;
        if (header.ExceptionType is not null || header.ExceptionText is not null) presence |= EventPresence.Exception;
        if (header.TraceId.HasValue) presence |= EventPresence.TraceId;
        if (header.SpanId.HasValue) presence |= EventPresence.SpanId;
        if (hasRenderedMessage) presence |= EventPresence.RenderedMessage;
        else if (header.RenderedMessageIsPlain && header.MessageTemplate is not null) presence |= EventPresence.PlainRendering;

        if (HasRoom(3))
        {
            ref byte at = ref Here;
            Unsafe.WriteUnaligned(ref at, BitConverter.IsLittleEndian ? header.OffsetMinutes : BinaryPrimitives.ReverseEndianness(header.OffsetMinutes));
            Unsafe.Add(ref at, 2) = (byte)presence;
            _position += 3;
        }
        else
        {
            Span<byte> fixedPart = Reserve(3);
            if (!_measuring)
            {
                BinaryPrimitives.WriteInt16LittleEndian(fixedPart, header.OffsetMinutes);
                fixedPart[2] = (byte)presence;
            }
        }
        WriteStrRef(header.MessageTemplate);
        if (header.LoggerName is not null) WriteStrRef(header.LoggerName);
        if (hasRenderedMessage) WriteStringBody(renderedMessage);
        if (header.TraceId is { } trace)
        {
            Span<byte> t = Reserve(16);
            if (!_measuring) trace.CopyTo(t);
        }
        if (header.SpanId is { } span)
        {
            Span<byte> s = Reserve(8);
            if (!_measuring) span.CopyTo(s);
        }
        if ((presence & EventPresence.Exception) != 0)
        {
            WriteStrRef(header.ExceptionType);
            WriteStringBody(header.ExceptionMessage);
            WriteStringBody(header.ExceptionText);
        }
        WriteVarint((ulong)Math.Max(0, header.PropertyCount));
    }

    /// <summary>Writes a property name; one value must follow.</summary>
    public void WritePropertyName(string name) => WriteStrRef(name);

    /// <summary>Writes a null value.</summary>
    public void WriteNull() => WriteTag(ValueTag.Null);

    /// <summary>Writes a bool.</summary>
    public void WriteBoolean(bool value) => WriteTag(value ? ValueTag.True : ValueTag.False);

    /// <summary>Writes an sbyte.</summary>
    public void WriteSByte(sbyte value) { WriteTag(ValueTag.SByte); Span<byte> s = Reserve(1); if (!_measuring) s[0] = (byte)value; }

    /// <summary>Writes a byte.</summary>
    public void WriteByte(byte value) { WriteTag(ValueTag.Byte); Span<byte> s = Reserve(1); if (!_measuring) s[0] = value; }

    /// <summary>Writes a short.</summary>
    public void WriteInt16(short value) { WriteTag(ValueTag.Int16); Span<byte> s = Reserve(2); if (!_measuring) BinaryPrimitives.WriteInt16LittleEndian(s, value); }

    /// <summary>Writes a ushort.</summary>
    public void WriteUInt16(ushort value) { WriteTag(ValueTag.UInt16); Span<byte> s = Reserve(2); if (!_measuring) BinaryPrimitives.WriteUInt16LittleEndian(s, value); }

    /// <summary>Writes an int.</summary>
    public void WriteInt32(int value) => WriteTagAndVarint(ValueTag.Int32, Varint.ZigZag(value));

    /// <summary>Writes a uint.</summary>
    public void WriteUInt32(uint value) => WriteTagAndVarint(ValueTag.UInt32, value);

    /// <summary>Writes a long.</summary>
    public void WriteInt64(long value) => WriteTagAndVarint(ValueTag.Int64, Varint.ZigZag(value));

    /// <summary>Writes a ulong.</summary>
    public void WriteUInt64(ulong value) => WriteTagAndVarint(ValueTag.UInt64, value);

    /// <summary>Writes a float.</summary>
    public void WriteSingle(float value) { WriteTag(ValueTag.Single); Span<byte> s = Reserve(4); if (!_measuring) BinaryPrimitives.WriteSingleLittleEndian(s, value); }

    /// <summary>Writes a double.</summary>
    public void WriteDouble(double value)
    {
        if (HasRoom(9))
        {
            ref byte at = ref Here;
            at = (byte)ValueTag.Double;
            long bits = BitConverter.DoubleToInt64Bits(value);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 1), BitConverter.IsLittleEndian ? bits : BinaryPrimitives.ReverseEndianness(bits));
            _position += 9;
            return;
        }
        WriteTag(ValueTag.Double);
        Span<byte> s = Reserve(8);
        if (!_measuring) BinaryPrimitives.WriteDoubleLittleEndian(s, value);
    }

    /// <summary>Writes a decimal.</summary>
    public void WriteDecimal(decimal value)
    {
        WriteTag(ValueTag.Decimal);
        Span<byte> s = Reserve(16);
        if (!_measuring)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            for (int i = 0; i < 4; i++) BinaryPrimitives.WriteInt32LittleEndian(s.Slice(i * 4), bits[i]);
        }
    }

    /// <summary>Writes a string (null allowed).</summary>
    public void WriteString(string? value) { WriteTag(ValueTag.String); WriteStringBody(value); }

    /// <summary>Writes a char.</summary>
    public void WriteChar(char value) { WriteTag(ValueTag.Char); Span<byte> s = Reserve(2); if (!_measuring) BinaryPrimitives.WriteUInt16LittleEndian(s, value); }

    /// <summary>Writes a DateTime with its kind.</summary>
    public void WriteDateTime(DateTime value)
    {
        WriteTag(ValueTag.DateTime);
        Span<byte> s = Reserve(9);
        if (!_measuring)
        {
            BinaryPrimitives.WriteInt64LittleEndian(s, value.Ticks);
            s[8] = (byte)value.Kind;
        }
    }

    /// <summary>Writes a DateTimeOffset.</summary>
    public void WriteDateTimeOffset(DateTimeOffset value)
    {
        WriteTag(ValueTag.DateTimeOffset);
        Span<byte> s = Reserve(10);
        if (!_measuring)
        {
            BinaryPrimitives.WriteInt64LittleEndian(s, value.Ticks);
            BinaryPrimitives.WriteInt16LittleEndian(s.Slice(8), (short)value.TotalOffsetMinutes);
        }
    }

    /// <summary>Writes a TimeSpan.</summary>
    public void WriteTimeSpan(TimeSpan value) { WriteTag(ValueTag.TimeSpan); Span<byte> s = Reserve(8); if (!_measuring) BinaryPrimitives.WriteInt64LittleEndian(s, value.Ticks); }

    /// <summary>Writes a Guid.</summary>
    public void WriteGuid(Guid value) { WriteTag(ValueTag.Guid); Span<byte> s = Reserve(16); if (!_measuring) value.TryWriteBytes(s); }

    /// <summary>Writes a byte array.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteTag(ValueTag.Bytes);
        WriteVarint((ulong)value.Length);
        Span<byte> s = Reserve(value.Length);
        if (!_measuring) value.CopyTo(s);
    }

    /// <summary>Writes a DateOnly.</summary>
    public void WriteDateOnly(DateOnly value) { WriteTag(ValueTag.DateOnly); Span<byte> s = Reserve(4); if (!_measuring) BinaryPrimitives.WriteInt32LittleEndian(s, value.DayNumber); }

    /// <summary>Writes a TimeOnly.</summary>
    public void WriteTimeOnly(TimeOnly value) { WriteTag(ValueTag.TimeOnly); Span<byte> s = Reserve(8); if (!_measuring) BinaryPrimitives.WriteInt64LittleEndian(s, value.Ticks); }

    /// <summary>Writes a scalar the format has no tag for, as its CLR type name and invariant text.</summary>
    public void WriteOther(string typeName, string? text) { WriteTag(ValueTag.Other); WriteStrRef(typeName); WriteStringBody(text); }

    /// <summary>Starts a sequence of <paramref name="count"/> values.</summary>
    public void BeginSequence(int count) { WriteTag(ValueTag.Sequence); WriteVarint((ulong)count); }

    /// <summary>Starts a structure; <paramref name="count"/> name/value pairs follow.</summary>
    public void BeginStructure(string? typeTag, int count) { WriteTag(ValueTag.Structure); WriteStrRef(typeTag); WriteVarint((ulong)count); }

    /// <summary>Starts a dictionary; <paramref name="count"/> key/value pairs of values follow.</summary>
    public void BeginDictionary(int count) { WriteTag(ValueTag.Dictionary); WriteVarint((ulong)count); }

    /// <summary>
    /// Writes a boxed scalar with the tag of its CLR type; types without a tag are written with
    /// <see cref="WriteOther"/>. Unboxing here allocates nothing.
    /// </summary>
    public void WriteScalar(object? value)
    {
        if (!TryWriteScalar(value))
        {
            WriteOther(value!.GetType().FullName ?? value.GetType().Name,
                value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value.ToString());
        }
    }

    /// <summary>
    /// Writes a boxed scalar with the tag of its CLR type, or returns false, writing nothing, when
    /// its type has no tag (the caller may then write it as a structure, a sequence or
    /// <see cref="WriteOther"/>). One type dispatch: cheaper than testing the type first.
    /// </summary>
    public bool TryWriteScalar(object? value)
    {
        switch (value)
        {
            case null: WriteNull(); return true;
            case string s: WriteString(s); return true;
            case int i: WriteInt32(i); return true;
            case long l: WriteInt64(l); return true;
            case double d: WriteDouble(d); return true;
            case bool b: WriteBoolean(b); return true;
            case DateTimeOffset dto: WriteDateTimeOffset(dto); return true;
            case DateTime dt: WriteDateTime(dt); return true;
            case TimeSpan ts: WriteTimeSpan(ts); return true;
            case Guid g: WriteGuid(g); return true;
            case decimal m: WriteDecimal(m); return true;
            case float f: WriteSingle(f); return true;
            case short sh: WriteInt16(sh); return true;
            case ushort us: WriteUInt16(us); return true;
            case uint ui: WriteUInt32(ui); return true;
            case ulong ul: WriteUInt64(ul); return true;
            case byte by: WriteByte(by); return true;
            case sbyte sb: WriteSByte(sb); return true;
            case char c: WriteChar(c); return true;
            case byte[] bytes: WriteBytes(bytes); return true;
            case DateOnly d0: WriteDateOnly(d0); return true;
            case TimeOnly t0: WriteTimeOnly(t0); return true;
            default: return false;
        }
    }

    private void WriteTag(ValueTag tag)
    {
        if (HasRoom(1))
        {
            Here = (byte)tag;
            _position++;
            return;
        }
        Span<byte> s = Reserve(1);
        if (!_measuring) s[0] = (byte)tag;
    }

    private void WriteVarint(ulong value)
    {
        if (HasRoom(Varint.MaxLength))
        {
            _position += Varint.WriteUnchecked(ref Here, value);
            return;
        }
        Span<byte> s = Reserve(Varint.Size(value));
        if (!_measuring) Varint.Write(s, value);
    }

    private void WriteStringBody(string? value)
    {
        if (value is null)
        {
            WriteVarint(0);
            return;
        }
        WriteStringBody(value.AsSpan());
    }

    private void WriteStringBody(ReadOnlySpan<char> value)
    {
        if (value.Length <= OneByteLengthChars && TryWriteShortUtf8(value, prefixShift: 0))
        {
            return;
        }
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)byteCount + 1);
        WriteUtf8(value, byteCount);
    }

    private void WriteStrRef(string? value)
    {
        if (value is null)
        {
            WriteVarint(0);
            return;
        }
        int id = 0;
        int position = _stringRefIndex++;
        if (_recent is not null)
        {
            id = _recent.Find(position, value);
        }
        if (id == 0 && _segment is not null && value.Length < MaxInternedChars)
        {
            if (_defines)
            {
                id = _segment.Strings.Intern(value, _segment, out bool sealedWhileDefining);
                _segmentSealed |= sealedWhileDefining;
            }
            else
            {
                id = _segment.Strings.Find(value);
            }
            if (id > 0)
            {
                _recent?.Remember(position, value, id);
            }
        }
        if (id > 0)
        {
            WriteVarint(((ulong)id << 1) | 1);
            return;
        }
        if (value.Length <= OneByteInlineRefChars && TryWriteShortUtf8(value, prefixShift: 1))
        {
            return;
        }
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarint(((ulong)byteCount + 1) << 1);
        WriteUtf8(value, byteCount);
    }

    /// <summary>
    /// Writes a one-byte prefix ((UTF-8 length + 1) shifted left by <paramref name="prefixShift"/>)
    /// and the UTF-8 bytes in one go. False, with nothing written, when measuring or short of room.
    /// </summary>
    private bool TryWriteShortUtf8(ReadOnlySpan<char> value, int prefixShift)
    {
        if (_measuring)
        {
            return false;
        }
        Span<byte> rest = _buffer.Slice(_position);
        if (rest.Length < 1 + value.Length * 3 || !Encoding.UTF8.TryGetBytes(value, rest.Slice(1), out int written))
        {
            return false;
        }
        rest[0] = (byte)((written + 1) << prefixShift);
        _position += 1 + written;
        return true;
    }

    private void WriteUtf8(ReadOnlySpan<char> value, int byteCount)
    {
        Span<byte> s = Reserve(byteCount);
        if (!_measuring) Encoding.UTF8.GetBytes(value, s);
    }

    private void WriteTagAndVarint(ValueTag tag, ulong value)
    {
        if (HasRoom(1 + Varint.MaxLength))
        {
            ref byte at = ref Here;
            at = (byte)tag;
            _position += 1 + Varint.WriteUnchecked(ref Unsafe.Add(ref at, 1), value);
            return;
        }
        WriteTag(tag);
        WriteVarint(value);
    }

    // The fast paths: in a writing pass with room for the most a primitive can take, store it
    // through a reference, without Reserve's per-call checks and span slicing. Otherwise Reserve
    // measures, or turns a scratch pass that ran out of room into a measuring one.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly bool HasRoom(int count) => !_measuring && _buffer.Length - _position >= count;

    private readonly ref byte Here => ref Unsafe.Add(ref MemoryMarshal.GetReference(_buffer), (nint)(uint)_position);

    private Span<byte> Reserve(int count)
    {
        int start = _position;
        _position += count;
        if (_measuring)
        {
            return default;
        }
        if (_defines && _position > _buffer.Length)
        {
            // A scratch pass out of room: finish as a measuring pass; the caller encodes again into the claim.
            _measuring = true;
            _overflowed = true;
            return default;
        }
        // Slicing checks bounds: a payload that writes more than it measured fails here, not past the claim.
        return _buffer.Slice(start, count);
    }
}

