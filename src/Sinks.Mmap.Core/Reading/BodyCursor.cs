using System;
using System.Buffers.Binary;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Reads the primitives of an event body (bytes, varints, counts, the framing of strings and string
/// references), checking each against the bytes left, for <see cref="EventBodyWalker"/>. The first
/// failure is kept in <see cref="Error"/>.
/// </summary>
internal ref struct BodyCursor
{
    /// <summary>
    /// How many bytes of strings a reader did not keep in memory (<see cref="InternedString.IsKept"/>)
    /// one event may refer to, counting every reference: a record of 16 MiB could otherwise refer
    /// millions of times to a huge definition and make a decoder build gigabytes of strings.
    /// </summary>
    public const long MaxUnkeptStringBytes = 16L << 20;

    private ReadOnlySpan<byte> _rest;
    private long _unkeptLeft;

    public BodyCursor(ReadOnlySpan<byte> body)
    {
        _rest = body;
        _unkeptLeft = MaxUnkeptStringBytes;
        Error = null;
    }

    public string? Error { get; private set; }

    public bool Fail(string message)
    {
        Error ??= message;
        return false;
    }

    public bool TryByte(out byte value)
    {
        value = 0;
        if (_rest.IsEmpty) return Fail("truncated body");
        value = _rest[0];
        _rest = _rest.Slice(1);
        return true;
    }

    public bool TryInt16(out short value)
    {
        value = 0;
        if (!TryBytes(2, out ReadOnlySpan<byte> b)) return false;
        value = BinaryPrimitives.ReadInt16LittleEndian(b);
        return true;
    }

    public bool TryBytes(int count, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (count < 0 || count > _rest.Length) return Fail("truncated body");
        bytes = _rest.Slice(0, count);
        _rest = _rest.Slice(count);
        return true;
    }

    public bool TryVarint(out ulong value)
    {
        if (!Varint.TryRead(_rest, out value, out int n)) return Fail("bad varint");
        _rest = _rest.Slice(n);
        return true;
    }

    public bool TryCount(out int count)
    {
        count = 0;
        if (!TryVarint(out ulong raw)) return false;
        // Every element takes at least one byte, so a count above the bytes left is damage.
        if (raw > (ulong)_rest.Length) return Fail("count larger than the record");
        count = (int)raw;
        return true;
    }

    /// <summary>
    /// Resolves an interned id to its string: fails when it is not defined, or when the event's
    /// references to strings not kept in memory pass <see cref="MaxUnkeptStringBytes"/>.
    /// </summary>
    public bool TryInterned(SegmentStrings strings, ulong id, out InternedString? value)
    {
        value = id > int.MaxValue ? null : strings.Get(id);
        if (value is null) return Fail($"string id {id} is not defined in this segment");
        if (!value.IsKept && (_unkeptLeft -= value.Length) < 0) return Fail($"the event refers to more than {MaxUnkeptStringBytes >> 20} MiB of interned strings");
        return true;
    }

    /// <summary>
    /// An enum's number (FORMAT.md 1.2, tag 0x17): the underlying type's tag (0x03–0x0A), then the
    /// number as that tag's data. <paramref name="bits"/> is sign-extended for the signed types.
    /// </summary>
    public bool TryEnumNumber(out ValueTag underlying, out ulong bits)
    {
        bits = 0;
        underlying = 0;
        if (!TryByte(out byte tag)) return false;
        underlying = (ValueTag)tag;
        ReadOnlySpan<byte> b;
        switch (underlying)
        {
            case ValueTag.SByte: if (!TryBytes(1, out b)) return false; bits = (ulong)(long)(sbyte)b[0]; return true;
            case ValueTag.Byte: if (!TryBytes(1, out b)) return false; bits = b[0]; return true;
            case ValueTag.Int16: if (!TryBytes(2, out b)) return false; bits = (ulong)(long)BinaryPrimitives.ReadInt16LittleEndian(b); return true;
            case ValueTag.UInt16: if (!TryBytes(2, out b)) return false; bits = BinaryPrimitives.ReadUInt16LittleEndian(b); return true;
            case ValueTag.Int32:
            {
                if (!TryVarint(out ulong v)) return false;
                long n = Varint.UnZigZag(v);
                if (n < int.MinValue || n > int.MaxValue) return Fail("enum value out of range");
                bits = (ulong)n;
                return true;
            }
            case ValueTag.UInt32:
                if (!TryVarint(out bits)) return false;
                return bits <= uint.MaxValue || Fail("enum value out of range");
            case ValueTag.Int64:
            {
                if (!TryVarint(out ulong v)) return false;
                bits = (ulong)Varint.UnZigZag(v);
                return true;
            }
            case ValueTag.UInt64:
                return TryVarint(out bits);
            default:
                return Fail($"enum with underlying tag 0x{tag:X2}");
        }
    }

    /// <summary>A String: varint (UTF-8 length + 1, 0 for null), then the bytes.</summary>
    public bool TryStringBytes(out ReadOnlySpan<byte> utf8, out bool isNull)
    {
        utf8 = default;
        isNull = true;
        if (!TryVarint(out ulong v)) return false;
        if (v == 0) return true;
        if (v - 1 > (ulong)_rest.Length) return Fail("string longer than the record");
        isNull = false;
        return TryBytes((int)(v - 1), out utf8);
    }

    /// <summary>
    /// A StrRef: varint 0 for null, odd for an interned id (<paramref name="interned"/>, the id in
    /// <paramref name="id"/>), even for inline UTF-8 of ((varint &gt;&gt; 1) - 1) bytes. Whether the id
    /// is defined is the caller's to check.
    /// </summary>
    public bool TryStrRefParts(out bool interned, out ulong id, out ReadOnlySpan<byte> inline, out bool isNull)
    {
        interned = false;
        id = 0;
        inline = default;
        isNull = true;
        if (!TryVarint(out ulong v)) return false;
        if (v == 0) return true;
        isNull = false;
        if ((v & 1) == 1)
        {
            interned = true;
            id = v >> 1;
            return true;
        }
        ulong length = (v >> 1) - 1;
        if (length > (ulong)_rest.Length) return Fail("string longer than the record");
        return TryBytes((int)length, out inline);
    }
}
