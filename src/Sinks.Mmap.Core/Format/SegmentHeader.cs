using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sinks.Mmap.Format;

/// <summary>The 128-byte segment header of FORMAT.md.</summary>
internal readonly record struct SegmentHeader(
    long SegmentNumber,
    long FirstSequence,
    long CreatedUtcTicks,
    int ProcessId,
    long Capacity,
    ushort Major = FormatConstants.MajorVersion,
    ushort Minor = FormatConstants.MinorVersion)
{
    /// <summary>Writes the header; the magic goes last so a half-written header never looks valid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteTo(Span<byte> destination)
    {
        Span<byte> h = destination.Slice(0, FormatConstants.HeaderSize);
        h.Slice(8).Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(h.Slice(8), Major);
        BinaryPrimitives.WriteUInt16LittleEndian(h.Slice(10), Minor);
        BinaryPrimitives.WriteUInt32LittleEndian(h.Slice(12), FormatConstants.HeaderSize);
        BinaryPrimitives.WriteInt64LittleEndian(h.Slice(16), SegmentNumber);
        BinaryPrimitives.WriteInt64LittleEndian(h.Slice(24), FirstSequence);
        BinaryPrimitives.WriteInt64LittleEndian(h.Slice(32), CreatedUtcTicks);
        BinaryPrimitives.WriteInt32LittleEndian(h.Slice(40), ProcessId);
        BinaryPrimitives.WriteInt64LittleEndian(h.Slice(48), Capacity);
        // The CRC covers the magic too, so compute it over the header as it will finally be.
        Span<byte> magic = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(magic, FormatConstants.Magic);
        uint crc = Crc32C.Append(0xFFFFFFFFu, magic);
        crc = ~Crc32C.Append(crc, h.Slice(8, FormatConstants.HeaderCrcOffset - 8));
        BinaryPrimitives.WriteUInt32LittleEndian(h.Slice(FormatConstants.HeaderCrcOffset), crc);
        System.Threading.Thread.MemoryBarrier();
        BinaryPrimitives.WriteUInt64LittleEndian(h, FormatConstants.Magic);
    }

    /// <summary>
    /// True for a segment a writer prepared but never started: its magic is zero (the writer stores
    /// the magic last) and the rest is either zero or the beginning of this format's header, which a
    /// writer killed between the two stores leaves. A file shorter than a header (even empty) whose
    /// bytes are all zero is one a writer was killed while creating, before its blocks were allocated.
    /// </summary>
    public static bool IsNeverStarted(ReadOnlySpan<byte> header)
    {
        header = header.Slice(0, Math.Min(header.Length, FormatConstants.HeaderSize));
        if (header.Slice(0, Math.Min(header.Length, 8)).IndexOfAnyExcept((byte)0) >= 0)
        {
            return false;
        }
        return header.IndexOfAnyExcept((byte)0) < 0
            || (header.Length >= 10 && BinaryPrimitives.ReadUInt16LittleEndian(header.Slice(8)) == FormatConstants.MajorVersion);
    }

    /// <summary>
    /// Parses a header. Returns null with a reason when the bytes are not a readable segment header;
    /// throws <see cref="MmapFormatException"/> only for a major version this reader does not know.
    /// </summary>
    public static SegmentHeader? TryParse(ReadOnlySpan<byte> bytes, string fileName, out string? problem)
    {
        if (bytes.Length < FormatConstants.HeaderSize)
        {
            problem = $"{fileName}: {bytes.Length} bytes is too short for a segment header ({FormatConstants.HeaderSize} bytes)";
            return null;
        }
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes) != FormatConstants.Magic)
        {
            problem = IsNeverStarted(bytes)
                ? $"{fileName}: segment prepared but never started (empty header)"
                : $"{fileName}: not a Sinks.Mmap segment (bad magic)";
            return null;
        }
        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(8));
        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(10));
        if (major != FormatConstants.MajorVersion)
        {
            throw new MmapFormatException(
                $"{fileName}: segment format {major}.{minor} is {(major > FormatConstants.MajorVersion ? "newer than" : "unknown to")} this reader, which reads {FormatConstants.MajorVersion}.x; upgrade Sinks.Mmap to read it");
        }
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(FormatConstants.HeaderCrcOffset));
        if (Crc32C.Compute(bytes.Slice(0, FormatConstants.HeaderCrcOffset)) != stored)
        {
            problem = $"{fileName}: segment header is damaged (CRC mismatch)";
            return null;
        }
        long capacity = BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(48));
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(12));
        if (headerSize != FormatConstants.HeaderSize || capacity < FormatConstants.MinCapacity || capacity > FormatConstants.MaxCapacity)
        {
            problem = $"{fileName}: segment header has impossible sizes (header {headerSize}, capacity {capacity})";
            return null;
        }
        problem = null;
        return new SegmentHeader(
            BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(16)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(24)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(32)),
            BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice(40)),
            capacity,
            major,
            minor);
    }
}
