using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Adapters;

/// <summary>
/// Encodes one event body. Usually the payload runs once, into a per-thread scratch buffer, and the
/// writer copies the bytes into the slot it then claims. When the event does not fit the scratch
/// buffer (or the buffer is in use by a nested log call), the payload runs twice: first measuring
/// (nothing is written; strings are interned), then writing straight into the exact claimed span.
/// Both runs must make the same calls.
/// </summary>
/// <remarks>
/// The writer enforces the format's limits as the payload writes, so that what it publishes every
/// reader reads (FORMAT.md, *Depth* and *Limits*):
/// <list type="bullet">
/// <item>A sequence, structure or dictionary that would hold values deeper than 64 levels is written
/// as the truncation marker instead; its <c>Begin…</c> method returns false and the payload writes
/// none of its children.</item>
/// <item>An event whose body outgrows a record (16 MiB) is rejected as soon as that is certain:
/// later calls do nothing (strings are not even counted), <c>Begin…</c> returns false,
/// <see cref="IsRejected"/> turns true, and the writer drops the event with a report.</item>
/// <item>Every level must get exactly the values it declared (<see cref="EventHeader.PropertyCount"/>,
/// each sequence's, structure's and dictionary's count), each property a name then a value; an event
/// written in another shape is rejected the same way rather than published undecodable.</item>
/// </list>
/// </remarks>
public ref struct EventWriter
{
    // Strings this long or longer are written inline: interning them would only grow the table.
    private const int MaxInternedChars = 4096;
    // An exception's text with a deep stack runs to several KiB; the table bounds what long strings hold (StringTable.MaxLongChars).
    private const int MaxInternedExceptionChars = 65536;

    // A string this short has a one-byte length prefix whatever its UTF-8 size (at most 3 bytes a
    // UTF-16 char): it can be transcoded straight after the prefix, without counting its bytes first.
    private const int OneByteLengthChars = 42;
    private const int OneByteInlineRefChars = 20;

    /// <summary>How many enclosing levels the writer keeps counts for: a container opens one, up to the format's depth.</summary>
    internal const int LevelStackSize = FormatConstants.MaxNesting;

    private readonly Span<byte> _buffer;
    // The slots left at each enclosing level while a container inside it is being written.
    private readonly Span<int> _levels;
    // Where strings are interned (null: written inline); its table is read once, here, not per string.
    private readonly IStringDefinitions? _definitions;
    private readonly StringTable? _strings;
    private readonly RecentStringRefs? _recent;
    // The largest body this event may have: past it, the event is rejected without more work. Set below
    // any position once the event is rejected, so the one limit test also stops every later write.
    private int _limit;
    private int _stringRefIndex;
    // Interning defines new strings in the segment; the exact pass after a measuring pass only looks them up.
    private readonly bool _defines;
    private bool _measuring;
    // The buffer's length while writing, 0 once measuring or rejected: HasRoom is one compare.
    private int _writable;
    private bool _overflowed;
    private int _position;
    private bool _segmentSealed;
    private int _definitionsWritten;
    private bool _headerWritten;
    private bool _truncated;
    private EventRejection _rejection;
    // The level being written: 0 for the event's properties, one more inside each open container.
    private int _level;
    // This level's count, in one field so that counting a value is one load and one store:
    // (slots left << 1) | 1 where names are due (the event's properties, a structure's), else slots left << 1.
    // A property takes two slots (its name, then its value), a sequence element one, a dictionary entry two.
    private int _counter;

    private EventWriter(IStringDefinitions? segment, Span<byte> buffer, Span<int> levels, int limit, bool measuring, bool defines, RecentStringRefs? recent = null)
    {
        if (levels.Length < LevelStackSize)
        {
            // Callers outside the append path (tests, benchmarks) may pass none.
            levels = new int[LevelStackSize];
        }
        _definitions = segment;
        _strings = segment?.Strings;
        _recent = recent;
        _stringRefIndex = 0;
        _buffer = buffer;
        _levels = levels;
        _limit = limit;
        _measuring = measuring;
        _writable = measuring ? 0 : buffer.Length;
        _defines = defines;
        _overflowed = false;
        _position = 0;
        _segmentSealed = false;
        _definitionsWritten = 0;
        _headerWritten = false;
        _truncated = false;
        _rejection = EventRejection.None;
        _level = 0;
        _counter = 0;
    }

    /// <summary>A pass that only measures (and interns), for a body of at most <paramref name="limit"/> bytes.</summary>
    internal static EventWriter ForMeasuring(IStringDefinitions? segment, Span<int> levels = default, int limit = FormatConstants.MaxBodyLength) =>
        new(segment, default, levels, limit, measuring: true, defines: true);

    /// <summary>
    /// A single pass into <paramref name="scratch"/> (interning as it goes), looking each string up
    /// first in <paramref name="recent"/>, which must be bound to <paramref name="segment"/>, by its
    /// position in the event. If the event outgrows the buffer, the pass carries on measuring only and
    /// <see cref="Overflowed"/> is set.
    /// </summary>
    internal static EventWriter ForScratch(IStringDefinitions segment, Span<byte> scratch, RecentStringRefs recent, Span<int> levels = default, int limit = FormatConstants.MaxBodyLength) =>
        new(segment, scratch, levels, limit, measuring: false, defines: true, recent);

    /// <summary>The writing pass after a measuring pass, over exactly the measured span.</summary>
    internal static EventWriter ForExactSpan(IStringDefinitions? segment, Span<byte> destination, Span<int> levels = default) =>
        new(segment, destination, levels, destination.Length, measuring: false, defines: false);

    /// <summary>Bytes measured or written so far.</summary>
    internal readonly int Position => _position;

    /// <summary>True when a scratch pass ran out of room: <see cref="Position"/> is the measured size, but the bytes are incomplete.</summary>
    internal readonly bool Overflowed => _overflowed;

    /// <summary>True when interning needed room the segment no longer had: the event must go to the next segment.</summary>
    internal readonly bool SegmentSealed => _segmentSealed;

    /// <summary>How many definition records this pass wrote into the segment (the event's strings new to it).</summary>
    internal readonly int DefinitionsWritten => _definitionsWritten;

    /// <summary>True when a container was replaced by the truncation marker (values nested deeper than the format allows).</summary>
    internal readonly bool Truncated => _truncated;

    /// <summary>
    /// Why the event cannot be published, or <see cref="EventRejection.None"/>: too large, or written in
    /// another shape than declared (including a payload that stopped before writing every value).
    /// </summary>
    internal readonly EventRejection Rejection =>
        _rejection != EventRejection.None ? _rejection
        : !_headerWritten || _level != 0 || (_counter >> 1) != 0 ? EventRejection.BadShape
        : EventRejection.None;

    /// <summary>
    /// True once the event can no longer be written: its body is past the record limit, or it was
    /// written in another shape than it declared. Every later call does nothing, and the writer drops
    /// the event and reports it; a payload may stop early when it sees this.
    /// </summary>
    public readonly bool IsRejected => _rejection != EventRejection.None;

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
        if (!TryBeginHeader(header.PropertyCount))
        {
            return;
        }
        EventPresence presence = EventPresence.None;
        if (header.LoggerName is not null) presence |= EventPresence.Logger;
        // The text is a StrRef (1.3): a text logged again (the same exception, or one thrown the same way
        // with the same message) is a reference to what the segment defined the first time.
        if (header.ExceptionType is not null || header.ExceptionText is not null) presence |= EventPresence.Exception | EventPresence.ExceptionTextRef;
        if (header.TraceId.HasValue) presence |= EventPresence.TraceId;
        if (header.SpanId.HasValue) presence |= EventPresence.SpanId;
        if (hasRenderedMessage) presence |= EventPresence.RenderedMessage;
        else if (header.RenderedMessageIsPlain && header.MessageTemplate is not null) presence |= EventPresence.PlainRendering;

        WriteFixedPart(header.OffsetMinutes, presence);
        WriteRecentStrRef(header.MessageTemplate);
        if (header.LoggerName is not null) WriteRecentStrRef(header.LoggerName);
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
            WriteStrRef(header.ExceptionText, maxInternedChars: MaxInternedExceptionChars);
        }
        WritePropertyCount(header.PropertyCount);
    }

    /// <summary>
    /// Writes the fixed part of an event that has a message template and nothing else of
    /// <see cref="EventHeader"/>: no logger name, rendered message, exception or trace context. The same
    /// bytes as <see cref="WriteHeader(in EventHeader)"/> with only those three fields set, without
    /// building the struct (the common event of a Serilog sink). Call it once, first.
    /// </summary>
    /// <param name="offsetMinutes">The event's UTC offset in minutes.</param>
    /// <param name="messageTemplate">The message template, interned per segment.</param>
    /// <param name="propertyCount">How many top-level properties follow.</param>
    public void WriteHeader(short offsetMinutes, string? messageTemplate, int propertyCount)
    {
        if (!TryBeginHeader(propertyCount))
        {
            return;
        }
        WriteFixedPart(offsetMinutes, EventPresence.None);
        WriteRecentStrRef(messageTemplate);
        WritePropertyCount(propertyCount);
    }

    // A header is written once, first, with a count that is not negative; either overload starts here.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryBeginHeader(int propertyCount)
    {
        if (_headerWritten || propertyCount < 0)
        {
            Reject(EventRejection.BadShape);
            return false;
        }
        _headerWritten = true;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteFixedPart(short offsetMinutes, EventPresence presence)
    {
        if (HasRoom(3))
        {
            ref byte at = ref Here;
            Unsafe.WriteUnaligned(ref at, BitConverter.IsLittleEndian ? offsetMinutes : BinaryPrimitives.ReverseEndianness(offsetMinutes));
            Unsafe.Add(ref at, 2) = (byte)presence;
            _position += 3;
        }
        else
        {
            Span<byte> fixedPart = Reserve(3);
            if (!_measuring)
            {
                BinaryPrimitives.WriteInt16LittleEndian(fixedPart, offsetMinutes);
                fixedPart[2] = (byte)presence;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WritePropertyCount(int count)
    {
        // A property takes two bytes at least (its name and its value): more than the room left can never fit.
        if (count > (_limit - _position) / 2)
        {
            Reject(EventRejection.TooLarge);
            return;
        }
        _counter = Counter(count * 2, named: 1);
        WriteVarint((ulong)count);
    }

    /// <summary>Writes a property name; one value must follow.</summary>
    public void WritePropertyName(string name)
    {
        int counter = _counter;
        // Where names are due, a name takes an even slot (the value then takes the odd one after it):
        // named, and slots left even and at least 2, is counter & 3 == 1 and counter >= 5.
        if ((counter & 3) == 1 && counter >= 5)
        {
            _counter = counter - 2;
        }
        else
        {
            Reject(EventRejection.BadShape);
        }
        WriteRecentStrRef(name);
    }

    /// <summary>Writes a null value.</summary>
    public void WriteNull() { CountValue(); WriteTag(ValueTag.Null); }

    /// <summary>Writes a bool.</summary>
    public void WriteBoolean(bool value) { CountValue(); WriteTag(value ? ValueTag.True : ValueTag.False); }

    /// <summary>Writes an sbyte.</summary>
    public void WriteSByte(sbyte value) { CountValue(); WriteTag(ValueTag.SByte); Span<byte> s = Reserve(1); if (!_measuring) s[0] = (byte)value; }

    /// <summary>Writes a byte.</summary>
    public void WriteByte(byte value) { CountValue(); WriteTag(ValueTag.Byte); Span<byte> s = Reserve(1); if (!_measuring) s[0] = value; }

    /// <summary>Writes a short.</summary>
    public void WriteInt16(short value) { CountValue(); WriteTag(ValueTag.Int16); Span<byte> s = Reserve(2); if (!_measuring) BinaryPrimitives.WriteInt16LittleEndian(s, value); }

    /// <summary>Writes a ushort.</summary>
    public void WriteUInt16(ushort value) { CountValue(); WriteTag(ValueTag.UInt16); Span<byte> s = Reserve(2); if (!_measuring) BinaryPrimitives.WriteUInt16LittleEndian(s, value); }

    /// <summary>Writes an int.</summary>
    public void WriteInt32(int value) { CountValue(); WriteTagAndVarint(ValueTag.Int32, Varint.ZigZag(value)); }

    /// <summary>Writes a uint.</summary>
    public void WriteUInt32(uint value) { CountValue(); WriteTagAndVarint(ValueTag.UInt32, value); }

    /// <summary>Writes a long.</summary>
    public void WriteInt64(long value) { CountValue(); WriteTagAndVarint(ValueTag.Int64, Varint.ZigZag(value)); }

    /// <summary>Writes a ulong.</summary>
    public void WriteUInt64(ulong value) { CountValue(); WriteTagAndVarint(ValueTag.UInt64, value); }

    /// <summary>Writes a float.</summary>
    public void WriteSingle(float value) { CountValue(); WriteTag(ValueTag.Single); Span<byte> s = Reserve(4); if (!_measuring) BinaryPrimitives.WriteSingleLittleEndian(s, value); }

    /// <summary>Writes a double.</summary>
    public void WriteDouble(double value)
    {
        CountValue();
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
        CountValue();
        WriteTag(ValueTag.Decimal);
        Span<byte> s = Reserve(16);
        if (!_measuring)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            for (int i = 0; i < 4; i++) BinaryPrimitives.WriteInt32LittleEndian(s.Slice(i * 4), bits[i]);
        }
    }

    /// <summary>
    /// Writes a string (null allowed). A lone UTF-16 surrogate in it is stored as U+FFFD, so the bytes
    /// are always valid UTF-8 (FORMAT.md, *Strings*).
    /// </summary>
    public void WriteString(string? value)
    {
        CountValue();
        // A short ASCII string, the usual value, is stored here (tag, one-byte length, a byte a char)
        // without the calls down to the UTF-8 transcoder; anything else goes the general way.
        if (value is not null && value.Length <= OneByteLengthChars && HasRoom(2 + value.Length) && TryWriteAsciiString(value))
        {
            return;
        }
        WriteTag(ValueTag.String);
        WriteStringBody(value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryWriteAsciiString(string value)
    {
        ref byte at = ref Here;
        int length = value.Length;
        if (!TryNarrowAscii(ref MemoryMarshal.GetReference(value.AsSpan()), ref Unsafe.Add(ref at, 2), length))
        {
            return false;
        }
        at = (byte)ValueTag.String;
        Unsafe.Add(ref at, 1) = (byte)(length + 1);
        _position += 2 + length;
        return true;
    }

    /// <summary>
    /// Copies <paramref name="length"/> UTF-16 units to bytes, one a unit, while every one is ASCII; false at
    /// the first that is not (what was copied before it is garbage past the position, never published).
    /// Eight units a step from 8 on (the last step overlapping the one before): the per-character loop was
    /// the largest block of Serilog's payload, for an IP address.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryNarrowAscii(ref char from, ref byte to, int length)
    {
        if (length >= 8 && Vector128.IsHardwareAccelerated)
        {
            ref ushort units = ref Unsafe.As<char, ushort>(ref from);
            Vector128<ushort> nonAscii = Vector128.Create((ushort)0xFF80);
            int i = 0;
            while (true)
            {
                Vector128<ushort> eight = Vector128.LoadUnsafe(ref units, (nuint)i);
                if ((eight & nonAscii) != Vector128<ushort>.Zero)
                {
                    return false;
                }
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, i), Vector128.Narrow(eight, eight).AsUInt64().ToScalar());
                if (i == length - 8)
                {
                    return true;
                }
                i = Math.Min(i + 8, length - 8);
            }
        }
        for (int i = 0; i < length; i++)
        {
            char c = Unsafe.Add(ref from, i);
            if (c >= 0x80)
            {
                return false;
            }
            Unsafe.Add(ref to, i) = (byte)c;
        }
        return true;
    }

    /// <summary>Writes a char; a lone surrogate keeps its code unit.</summary>
    public void WriteChar(char value) { CountValue(); WriteTag(ValueTag.Char); Span<byte> s = Reserve(2); if (!_measuring) BinaryPrimitives.WriteUInt16LittleEndian(s, value); }

    /// <summary>Writes a DateTime with its kind.</summary>
    public void WriteDateTime(DateTime value)
    {
        CountValue();
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
        CountValue();
        WriteTag(ValueTag.DateTimeOffset);
        Span<byte> s = Reserve(10);
        if (!_measuring)
        {
            BinaryPrimitives.WriteInt64LittleEndian(s, value.Ticks);
            BinaryPrimitives.WriteInt16LittleEndian(s.Slice(8), (short)value.TotalOffsetMinutes);
        }
    }

    /// <summary>Writes a TimeSpan.</summary>
    public void WriteTimeSpan(TimeSpan value) { CountValue(); WriteTag(ValueTag.TimeSpan); Span<byte> s = Reserve(8); if (!_measuring) BinaryPrimitives.WriteInt64LittleEndian(s, value.Ticks); }

    /// <summary>Writes a Guid.</summary>
    public void WriteGuid(Guid value) { CountValue(); WriteTag(ValueTag.Guid); Span<byte> s = Reserve(16); if (!_measuring) value.TryWriteBytes(s); }

    /// <summary>Writes a byte array.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        CountValue();
        WriteTag(ValueTag.Bytes);
        WriteVarint((ulong)value.Length);
        Span<byte> s = Reserve(value.Length);
        if (!_measuring) value.CopyTo(s);
    }

    /// <summary>Writes a DateOnly.</summary>
    public void WriteDateOnly(DateOnly value) { CountValue(); WriteTag(ValueTag.DateOnly); Span<byte> s = Reserve(4); if (!_measuring) BinaryPrimitives.WriteInt32LittleEndian(s, value.DayNumber); }

    /// <summary>Writes a TimeOnly.</summary>
    public void WriteTimeOnly(TimeOnly value) { CountValue(); WriteTag(ValueTag.TimeOnly); Span<byte> s = Reserve(8); if (!_measuring) BinaryPrimitives.WriteInt64LittleEndian(s, value.Ticks); }

    /// <summary>
    /// Writes an enum (FORMAT.md 1.2, tag 0x17): its type name, its underlying integer value and its
    /// name as <see cref="Enum.ToString()"/> gives it. The names of defined values are found once per
    /// type; a flags combination or an undefined value costs a <c>ToString()</c>. An enum whose
    /// underlying type is not an integer type (possible outside C#) is written as its type and text.
    /// </summary>
    public void WriteEnum(Enum value)
    {
        ArgumentNullException.ThrowIfNull(value);
        EnumMetadata enumType = EnumMetadata.For(value.GetType());
        ValueTag underlying = enumType.UnderlyingTag;
        if (underlying == 0)
        {
            WriteOther(enumType.TypeName, value.ToString());
            return;
        }
        ulong bits = enumType.ReadBits(value);
        CountValue();
        WriteTag(ValueTag.Enum);
        WriteStrRef(enumType.TypeName);
        WriteTag(underlying);
        switch (underlying)
        {
            case ValueTag.SByte:
            case ValueTag.Byte:
            {
                Span<byte> s = Reserve(1);
                if (!_measuring) s[0] = (byte)bits;
                break;
            }
            case ValueTag.Int16:
            case ValueTag.UInt16:
            {
                Span<byte> s = Reserve(2);
                if (!_measuring) BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)bits);
                break;
            }
            case ValueTag.Int32:
            case ValueTag.Int64:
                WriteVarint(Varint.ZigZag((long)bits));
                break;
            default:
                WriteVarint(bits);
                break;
        }
        // Defined names are few and repeat: interned. Combinations and undefined values are written inline.
        string? name = enumType.DefinedName(bits);
        if (name is not null)
        {
            WriteStrRef(name);
        }
        else
        {
            WriteStrRef(value.ToString(), intern: false);
        }
    }

    /// <summary>Writes a scalar the format has no tag for, as its CLR type name and invariant text.</summary>
    public void WriteOther(string typeName, string? text) { CountValue(); WriteTag(ValueTag.Other); WriteStrRef(typeName); WriteStringBody(text); }

    /// <summary>
    /// Starts a sequence of <paramref name="count"/> values. False when its values would be nested
    /// deeper than the format allows (the truncation marker was written in its place) or the event is
    /// rejected (<see cref="IsRejected"/>): then write none of them.
    /// </summary>
    public bool BeginSequence(int count) => BeginContainer(ValueTag.Sequence, null, count, slotsPerItem: 1, named: 0);

    /// <summary>
    /// Starts a structure; <paramref name="count"/> name/value pairs follow. False when its values
    /// would be nested deeper than the format allows (the truncation marker was written in its place)
    /// or the event is rejected (<see cref="IsRejected"/>): then write none of them.
    /// </summary>
    public bool BeginStructure(string? typeTag, int count) => BeginContainer(ValueTag.Structure, typeTag, count, slotsPerItem: 2, named: 1);

    /// <summary>
    /// Starts a dictionary; <paramref name="count"/> key/value pairs of values follow. False when its
    /// values would be nested deeper than the format allows (the truncation marker was written in its
    /// place) or the event is rejected (<see cref="IsRejected"/>): then write none of them.
    /// </summary>
    public bool BeginDictionary(int count) => BeginContainer(ValueTag.Dictionary, null, count, slotsPerItem: 2, named: 0);

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
    /// Writes a boxed scalar with the tag of its CLR type (enums included), or returns false, writing
    /// nothing, when its type has no tag (the caller may then write it as a structure, a sequence or
    /// <see cref="WriteOther"/>). One type dispatch: cheaper than testing the type first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryWriteScalar(object? value)
    {
        // The commonest types are tested at the call site: a call into the whole dispatch below costs
        // more than the write itself (its frame saves every register; measured ~3 ns a value).
        if (value is string s)
        {
            WriteString(s);
            return true;
        }
        if (value is int i)
        {
            WriteInt32(i);
            return true;
        }
        if (value is double d)
        {
            WriteDouble(d);
            return true;
        }
        return TryWriteOtherScalar(value);
    }

    private bool TryWriteOtherScalar(object? value)
    {
        switch (value)
        {
            case null: WriteNull(); return true;
            case long l: WriteInt64(l); return true;
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
            case Enum e: WriteEnum(e); return true;
            default: return false;
        }
    }

    /// <summary>Counts one value at the current level; closes the containers it completes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountValue()
    {
        int counter = _counter;
        // Where names are due, a value takes an odd slot (its name took the even one before it); the
        // level's last value closes it (the slow path). In one test: not "named with an even number of
        // slots left" (counter & 3 == 1), and at least 2 slots left.
        if ((counter & 3) != 1 && counter >= 4)
        {
            _counter = counter - 2;
            return;
        }
        // The event's last property value (named, one slot left, no container open): every event ends
        // with one, and it closes nothing, so it is counted here rather than in a call.
        if (counter == 3 && _level == 0)
        {
            _counter = 1;
            return;
        }
        CountLastOrStray(counter);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CountLastOrStray(int counter)
    {
        if ((counter & 3) == 1 || (counter >> 1) <= 0)
        {
            // A value where a name was due, or past the count declared.
            Reject(EventRejection.BadShape);
            return;
        }
        _counter = counter - 2;
        CloseCompleted();
    }

    private static int Counter(int slots, int named) => (slots << 1) | named;

    /// <summary>Leaves every container whose last value was just written.</summary>
    private void CloseCompleted()
    {
        while ((_counter >> 1) == 0 && _level > 0)
        {
            _level--;
            _counter = _levels[_level];
        }
    }

    private bool BeginContainer(ValueTag tag, string? typeTag, int count, int slotsPerItem, int named)
    {
        if (_rejection != EventRejection.None)
        {
            return false;
        }
        if (count < 0)
        {
            Reject(EventRejection.BadShape);
            return false;
        }
        if (count > 0 && _level >= FormatConstants.MaxNesting - 1)
        {
            // Its values would be at depth 65: the marker takes the container's place (FORMAT.md, *Depth*).
            _truncated = true;
            WriteOther(FormatConstants.TruncatedTypeName, FormatConstants.TruncatedText);
            return false;
        }
        // Every slot takes a byte at least: a count the record cannot hold rejects the event before any work.
        if (count > (_limit - _position) / slotsPerItem)
        {
            Reject(EventRejection.TooLarge);
            return false;
        }
        int counter = _counter;
        if ((counter & 3) == 1 || (counter >> 1) <= 0)
        {
            Reject(EventRejection.BadShape);
            return false;
        }
        // The container is a value of this level; this level is only closed once the container's own values are written.
        _counter = counter - 2;
        WriteTag(tag);
        if (tag == ValueTag.Structure)
        {
            WriteStrRef(typeTag);
        }
        WriteVarint((ulong)count);
        if (count == 0)
        {
            CloseCompleted();
            return true;
        }
        _levels[_level] = _counter;
        _level++;
        _counter = Counter(count * slotsPerItem, named);
        return true;
    }

    /// <summary>Marks the event as one the writer will drop: nothing more is written or counted.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Reject(EventRejection why)
    {
        if (_rejection == EventRejection.None)
        {
            _rejection = why;
        }
        _measuring = true;
        _writable = 0;
        _limit = -1;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteVarint(ulong value)
    {
        // Counts and short lengths, the usual varints, are one byte: stored here, without a call.
        if (value < 0x80 && HasRoom(1))
        {
            Here = (byte)value;
            _position++;
            return;
        }
        WriteLongVarint(value);
    }

    private void WriteLongVarint(ulong value)
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
        if (!HasRoomForChars(value.Length))
        {
            return;
        }
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)byteCount + 1);
        WriteUtf8(value, byteCount);
    }

    /// <summary>
    /// <see cref="WriteStrRef"/> for the strings an event repeats (its template, logger and property
    /// names), inlined where it is called: the usual one, a string this thread wrote at the same place in
    /// its last event with one of the first 63 ids, is one byte, without the call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteRecentStrRef(string? value)
    {
        RecentStringRefs? recent = _recent;
        if (value is not null && recent is not null && HasRoom(1))
        {
            int id = recent.Find(_stringRefIndex, value);
            if ((uint)(id - 1) < 63u)
            {
                _stringRefIndex++;
                Here = (byte)((id << 1) | 1);
                _position++;
                return;
            }
        }
        WriteStrRef(value);
    }

    private void WriteStrRef(string? value, bool intern = true, int maxInternedChars = MaxInternedChars)
    {
        if (value is null)
        {
            WriteVarint(0);
            return;
        }
        if (_rejection != EventRejection.None)
        {
            // Nothing more is written: do not define strings for an event that is dropped.
            return;
        }
        int id = 0;
        int position = _stringRefIndex++;
        if (_recent is not null)
        {
            id = _recent.Find(position, value);
        }
        if (id == 0 && intern && _strings is not null && value.Length < maxInternedChars)
        {
            if (_defines)
            {
                id = _strings.Intern(value, _definitions!, out InternEffect effect);
                if (effect != InternEffect.None)
                {
                    _segmentSealed |= effect == InternEffect.SegmentSealed;
                    _definitionsWritten += effect == InternEffect.Defined ? 1 : 0;
                }
            }
            else
            {
                id = _strings.Find(value);
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
        if (!HasRoomForChars(value.Length))
        {
            return;
        }
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarint(((ulong)byteCount + 1) << 1);
        WriteUtf8(value, byteCount);
    }

    /// <summary>
    /// False, rejecting the event, when <paramref name="chars"/> UTF-16 units cannot fit in the room
    /// left: UTF-8 takes a byte a unit at least, so the string's bytes need not be counted (a huge
    /// string costs nothing, however often the event refers to it). False too once rejected.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool HasRoomForChars(int chars)
    {
        if (chars > _limit - _position)
        {
            Reject(EventRejection.TooLarge);
            return false;
        }
        return true;
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
    private readonly bool HasRoom(int count) => _writable - _position >= count;

    private readonly ref byte Here => ref Unsafe.Add(ref MemoryMarshal.GetReference(_buffer), (nint)(uint)_position);

    private Span<byte> Reserve(int count)
    {
        int start = _position;
        // Positions never pass the limit (at most 16 MiB), so no size here can overflow; once the event
        // is rejected the limit is below every position, so this stops every write.
        if (count > _limit - start)
        {
            Reject(EventRejection.TooLarge);
            return default;
        }
        _position = start + count;
        if (_measuring)
        {
            return default;
        }
        if (_defines && _position > _buffer.Length)
        {
            // A scratch pass out of room: finish as a measuring pass; the caller encodes again into the claim.
            _measuring = true;
            _writable = 0;
            _overflowed = true;
            return default;
        }
        // Slicing checks bounds: a payload that writes more than it measured fails here, not past the claim.
        return _buffer.Slice(start, count);
    }
}

/// <summary>Why an event cannot be published.</summary>
internal enum EventRejection : byte
{
    None,
    /// <summary>Its body is larger than a record may be.</summary>
    TooLarge,
    /// <summary>It wrote other values than it declared (counts, or names where values were due).</summary>
    BadShape,
}
