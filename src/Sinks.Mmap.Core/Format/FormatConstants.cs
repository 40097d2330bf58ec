namespace Sinks.Mmap.Format;

/// <summary>The numbers docs/FORMAT.md fixes. Change one and the format version changes with it.</summary>
internal static class FormatConstants
{
    /// <summary>ASCII "SMMAPLOG" read as a little-endian u64.</summary>
    public const ulong Magic = 0x474F4C50414D4D53UL;
    public const ushort MajorVersion = 1;
    public const ushort MinorVersion = 4;

    public const int HeaderSize = 128;
    public const int HeaderCrcOffset = 124;

    public const int FrameHeaderSize = 28;
    public const int MaxRecordLength = 16 * 1024 * 1024;
    public const int Alignment = 8;

    /// <summary>Room always kept free at a segment's end so the EndOfSegment record fits.</summary>
    public const int SealReserve = 32;

    public const long MinCapacity = 4096;
    public const long MaxCapacity = 1L << 30;

    public const int MaxInternedStrings = 65535;
    public const int MaxNesting = 64;

    /// <summary>The largest event body a record can hold: the record limit less the frame header.</summary>
    public const int MaxBodyLength = MaxRecordLength - FrameHeaderSize;

    /// <summary>The truncation marker's type name and text (FORMAT.md, *Depth*).</summary>
    public const string TruncatedTypeName = "Sinks.Mmap.Truncated";
    public const string TruncatedText = "(nested deeper than 64 levels)";

    public static int Align(int length) => (length + (Alignment - 1)) & ~(Alignment - 1);
    public static long Align(long length) => (length + (Alignment - 1)) & ~(long)(Alignment - 1);
}

/// <summary>The record kinds of FORMAT.md; a reader skips kinds it does not know.</summary>
internal enum RecordKind : byte
{
    Event = 1,
    Definition = 2,
    EndOfSegment = 3,
    Padding = 4,
    // Format 1.4: space and sequence numbers a writer thread claimed as a block and did not use (FORMAT.md, "Claim blocks").
    Unused = 6,
}

/// <summary>Tags of the Value encoding in FORMAT.md.</summary>
internal enum ValueTag : byte
{
    Null = 0x00,
    False = 0x01,
    True = 0x02,
    SByte = 0x03,
    Byte = 0x04,
    Int16 = 0x05,
    UInt16 = 0x06,
    Int32 = 0x07,
    UInt32 = 0x08,
    Int64 = 0x09,
    UInt64 = 0x0A,
    Single = 0x0B,
    Double = 0x0C,
    Decimal = 0x0D,
    String = 0x0E,
    Char = 0x0F,
    DateTime = 0x10,
    DateTimeOffset = 0x11,
    TimeSpan = 0x12,
    Guid = 0x13,
    Bytes = 0x14,
    DateOnly = 0x15,
    TimeOnly = 0x16,
    // 1.2: CLR type name, underlying integer tag and value, and the value's name (FORMAT.md).
    Enum = 0x17,
    Other = 0x1F,
    Sequence = 0x20,
    Structure = 0x21,
    Dictionary = 0x22,
}

/// <summary>Presence bits of an event body.</summary>
[System.Flags]
internal enum EventPresence : byte
{
    None = 0,
    Logger = 1,
    Exception = 2,
    TraceId = 4,
    SpanId = 8,
    RenderedMessage = 16,
    // 1.1: the rendered message is the template's plain rendering; no bytes (FORMAT.md).
    PlainRendering = 32,
    // 1.3: the exception's full text is a StrRef (interned once a segment), not a String (FORMAT.md).
    ExceptionTextRef = 64,
}

/// <summary>The rules of FORMAT.md for the presence byte, shared by the decoder and the walker.</summary>
internal static class EventPresenceRules
{
    private const byte Reserved = 0x80;

    /// <summary>Whether the byte read as presence bits may be one (reserved bits zero).</summary>
    public static bool IsValid(byte presence) =>
        (presence & Reserved) == 0
        // An exception text by reference without an exception would be a field no reader looks for.
        && ((presence & (byte)EventPresence.ExceptionTextRef) == 0 || (presence & (byte)EventPresence.Exception) != 0);

    /// <summary>The damage, or null: a plain rendering needs a template and excludes a stored rendered message.</summary>
    public static string? CheckRendering(EventPresence presence, bool hasTemplate) =>
        (presence & EventPresence.PlainRendering) != 0 && (!hasTemplate || (presence & EventPresence.RenderedMessage) != 0)
            ? "a plain rendering needs a template and no stored rendered message"
            : null;
}
