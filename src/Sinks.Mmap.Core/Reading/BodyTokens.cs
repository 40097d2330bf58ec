using System;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Reading;

/// <summary>A StrRef as the body holds it: null, an interned string, or inline UTF-8 bytes.</summary>
/// <remarks>
/// Fields, not properties, here and in the other tokens the walker hands out: until the runtime has
/// compiled a reading loop optimised (its first ~100 ms, most of a short <c>mmaplog</c> run), every
/// property read is a call.
/// </remarks>
internal readonly ref struct StrRef
{
    public StrRef(InternedString? interned, ReadOnlySpan<byte> inline, bool isNull)
    {
        Interned = interned;
        Inline = inline;
        IsNull = isNull;
    }

    public readonly bool IsNull;

    /// <summary>The interned string, or null for an inline (or null) one.</summary>
    public readonly InternedString? Interned;

    /// <summary>The inline bytes when not interned.</summary>
    public readonly ReadOnlySpan<byte> Inline;

    public ReadOnlySpan<byte> Utf8 => Interned is { } s ? s.Utf8 : Inline;
}

/// <summary>A String field: null, or UTF-8 bytes.</summary>
internal readonly ref struct Utf8Field
{
    public Utf8Field(ReadOnlySpan<byte> bytes, bool isNull)
    {
        Bytes = bytes;
        IsNull = isNull;
    }

    public readonly bool IsNull;
    public readonly ReadOnlySpan<byte> Bytes;
}

/// <summary>The fields of an event body before its properties, as slices of the frame.</summary>
internal ref struct EventHead
{
    public long Sequence;
    public long UtcTicks;
    public byte Level;
    public short OffsetMinutes;
    public StrRef Template;
    public StrRef Logger;
    public Utf8Field Rendered;
    public ReadOnlySpan<byte> TraceId;
    public ReadOnlySpan<byte> SpanId;
    /// <summary>Which optional fields the body holds.</summary>
    public EventPresence Presence;
    /// <summary>How many properties follow the head (set by <see cref="EventBodyWalker.Walk"/> only).</summary>
    public int PropertyCount;
    public bool HasException;
    public StrRef ExceptionType;
    public Utf8Field ExceptionMessage;
    /// <summary>
    /// The exception's full text as a StrRef whatever the record's version: a 1.3 record's reference (an
    /// interned text is decoded once a segment, not once an event), or a 1.0–1.2 record's String as inline bytes.
    /// </summary>
    public StrRef ExceptionText;
}
