using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace Sinks.Mmap.TestSupport;

/// <summary>
/// Builds segment files byte by byte from docs/FORMAT.md alone, with its own CRC32C and varints (no
/// code from the library), so tests can craft exactly the records they need, valid CRCs included:
/// hostile shapes, records the writer never writes, and the worked example. Records are written to
/// a stream as they are added, so a segment of a gigabyte never needs a gigabyte of memory.
/// </summary>
internal sealed class SegmentBuilder : IDisposable
{
    public const int HeaderSize = 128;
    public const int FrameHeaderSize = 28;
    public const int MaxRecordLength = 16 * 1024 * 1024;

    private readonly Stream _output;
    private long _position;

    /// <summary>Starts a segment on <paramref name="output"/> (a <see cref="MemoryStream"/> when null) and writes its header.</summary>
    public SegmentBuilder(Stream? output = null, long segmentNumber = 1, long firstSequence = 1, long createdTicks = 0,
        int processId = 4242, long capacity = 1L << 30, ushort major = 1, ushort minor = 3, uint headerSize = HeaderSize)
    {
        _output = output ?? new MemoryStream();
        NextSequence = firstSequence;
        byte[] header = Header(segmentNumber, firstSequence, createdTicks, processId, capacity, major, minor, headerSize);
        _output.Write(header);
        _position = HeaderSize;
    }

    /// <summary>The sequence number the next record gets unless told otherwise.</summary>
    public long NextSequence { get; set; }

    /// <summary>The offset the next record starts at.</summary>
    public long Position => _position;

    /// <summary>The 128-byte header of FORMAT.md, its CRC included.</summary>
    public static byte[] Header(long segmentNumber, long firstSequence, long createdTicks, int processId, long capacity,
        ushort major = 1, ushort minor = 4, uint headerSize = HeaderSize)
    {
        var h = new byte[HeaderSize];
        "SMMAPLOG"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(8), major);
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(10), minor);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(12), headerSize);
        BinaryPrimitives.WriteInt64LittleEndian(h.AsSpan(16), segmentNumber);
        BinaryPrimitives.WriteInt64LittleEndian(h.AsSpan(24), firstSequence);
        BinaryPrimitives.WriteInt64LittleEndian(h.AsSpan(32), createdTicks);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(40), processId);
        BinaryPrimitives.WriteInt64LittleEndian(h.AsSpan(48), capacity);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(124), Crc32C(h.AsSpan(0, 124)));
        return h;
    }

    /// <summary>Appends one record (frame, body, zero padding to a multiple of 8) with a valid CRC; returns its offset.</summary>
    public long Record(byte kind, ReadOnlySpan<byte> body, long ticks = 0, byte level = 0, long? sequence = null, ushort flags = 0)
    {
        long at = _position;
        int length = FrameHeaderSize + body.Length;
        if (length > MaxRecordLength) throw new ArgumentException($"a record of {length} bytes is over the 16 MiB limit");
        byte[] frame = new byte[FrameHeaderSize];
        long seq = sequence ?? NextSequence;
        BinaryPrimitives.WriteInt32LittleEndian(frame, length);
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(8), seq);
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(16), ticks);
        frame[24] = kind;
        frame[25] = level;
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(26), flags);
        uint crc = Crc32CAppend(0xFFFFFFFFu, frame.AsSpan(8, FrameHeaderSize - 8));
        crc = ~Crc32CAppend(crc, body);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), crc);
        _output.Write(frame);
        _output.Write(body);
        int padding = Align8(length) - length;
        if (padding > 0) _output.Write(new byte[padding]);
        _position += Align8(length);
        NextSequence = seq + 1;
        return at;
    }

    /// <summary>A Definition record (kind 2): id, then the string's bytes.</summary>
    public long Definition(ulong id, ReadOnlySpan<byte> utf8, long ticks = 0)
    {
        var body = new BodyBuilder().Varint(id).Raw(utf8);
        return Record(2, body.ToArray(), ticks);
    }

    public long Definition(ulong id, string text, long ticks = 0) => Definition(id, Encoding.UTF8.GetBytes(text), ticks);

    /// <summary>An Event record (kind 1) with the given body.</summary>
    public long Event(ReadOnlySpan<byte> body, long ticks = 0, byte level = 2, long? sequence = null) => Record(1, body, ticks, level, sequence);

    /// <summary>An EndOfSegment record (kind 3).</summary>
    public long Seal(long ticks = 0) => Record(3, ReadOnlySpan<byte>.Empty, ticks);

    /// <summary>A Padding record (kind 4) of at least 32 bytes standing for <paramref name="count"/> sequence numbers.</summary>
    public long Padding(uint count, int totalLength = 32, long ticks = 0)
    {
        byte[] body = new byte[totalLength - FrameHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(body, count);
        long seq = NextSequence;
        long at = Record(4, body, ticks, sequence: seq);
        NextSequence = seq + count;
        return at;
    }

    /// <summary>Raw bytes at the current position (damage, garbage, zeros), not a record.</summary>
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _position += bytes.Length;
    }

    /// <summary>The segment so far (only for a builder over its own memory stream).</summary>
    public byte[] ToArray() => ((MemoryStream)_output).ToArray();

    /// <summary>Writes the segment so far to <paramref name="path"/> (only for a builder over its own memory stream).</summary>
    public void WriteTo(string path) => File.WriteAllBytes(path, ToArray());

    public void Dispose() => _output.Flush();

    public static int Align8(int length) => (length + 7) & ~7;

    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    /// <summary>CRC32C (Castagnoli, reflected 0x82F63B78, init and final XOR 0xFFFFFFFF), as FORMAT.md defines it.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> bytes) => ~Crc32CAppend(0xFFFFFFFFu, bytes);

    private static uint Crc32CAppend(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }
}

/// <summary>Event and definition bodies, field by field, in FORMAT.md's encodings.</summary>
internal sealed class BodyBuilder
{
    private readonly MemoryStream _bytes = new();

    public int Length => (int)_bytes.Length;

    public byte[] ToArray() => _bytes.ToArray();

    public BodyBuilder Byte(byte value)
    {
        _bytes.WriteByte(value);
        return this;
    }

    public BodyBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public BodyBuilder Repeat(byte value, int count)
    {
        var chunk = new byte[Math.Min(count, 1 << 16)];
        chunk.AsSpan().Fill(value);
        while (count > 0)
        {
            int n = Math.Min(count, chunk.Length);
            _bytes.Write(chunk, 0, n);
            count -= n;
        }
        return this;
    }

    public BodyBuilder Int16(short value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteInt16LittleEndian(b, value);
        return Raw(b);
    }

    public BodyBuilder Int32(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return Raw(b);
    }

    public BodyBuilder Int64(long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        return Raw(b);
    }

    /// <summary>Unsigned LEB128.</summary>
    public BodyBuilder Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.WriteByte((byte)value);
        return this;
    }

    public BodyBuilder ZigZag(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>The event body's fixed start: UTC offset in minutes, then the presence byte.</summary>
    public BodyBuilder EventStart(short offsetMinutes = 0, byte presence = 0) => Int16(offsetMinutes).Byte(presence);

    /// <summary>String: varint 0 for null, else length + 1 and the UTF-8 bytes.</summary>
    public BodyBuilder String(string? text) => text is null ? Varint(0) : StringBytes(Encoding.UTF8.GetBytes(text));

    public BodyBuilder StringBytes(ReadOnlySpan<byte> utf8) => Varint((ulong)utf8.Length + 1).Raw(utf8);

    /// <summary>StrRef null (varint 0).</summary>
    public BodyBuilder NullRef() => Varint(0);

    /// <summary>StrRef to an interned id: odd varint (id &lt;&lt; 1) | 1.</summary>
    public BodyBuilder IdRef(ulong id) => Varint((id << 1) | 1);

    /// <summary>StrRef inline: even varint (length + 1) &lt;&lt; 1, then the bytes.</summary>
    public BodyBuilder InlineRef(string text) => InlineRefBytes(Encoding.UTF8.GetBytes(text));

    public BodyBuilder InlineRefBytes(ReadOnlySpan<byte> utf8) => Varint(((ulong)utf8.Length + 1) << 1).Raw(utf8);

    /// <summary>A string value: tag 0x0E then a String.</summary>
    public BodyBuilder StringValue(string? text) => Byte(0x0E).String(text);
}
