using System;
using System.Buffers.Binary;
using System.Threading;

namespace Sinks.Mmap.Format;

/// <summary>Writes and checks the 28-byte record frame of FORMAT.md.</summary>
internal static unsafe class RecordFrame
{
    public static void WriteHeader(byte* record, long sequence, long utcTicks, RecordKind kind, byte level)
    {
        *(long*)(record + 8) = BitConverter.IsLittleEndian ? sequence : BinaryPrimitives.ReverseEndianness(sequence);
        *(long*)(record + 16) = BitConverter.IsLittleEndian ? utcTicks : BinaryPrimitives.ReverseEndianness(utcTicks);
        record[24] = (byte)kind;
        record[25] = level;
        *(ushort*)(record + 26) = 0;
    }

    /// <summary>Computes the CRC, then stores the length word last with release semantics.</summary>
    public static void Publish(byte* record, int length)
    {
        uint crc = Crc32C.Compute(new ReadOnlySpan<byte>(record + 8, length - 8));
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(record + 4, 4), crc);
        Volatile.Write(ref *(int*)record, BitConverter.IsLittleEndian ? length : BinaryPrimitives.ReverseEndianness(length));
    }

    public static int ReadLength(ReadOnlySpan<byte> frame) => (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(frame), int.MaxValue);

    /// <summary>True when the bytes at the start of <paramref name="available"/> form a valid frame.</summary>
    public static bool IsValid(ReadOnlySpan<byte> available, out int length)
    {
        length = 0;
        if (available.Length < FormatConstants.FrameHeaderSize)
        {
            return false;
        }
        int len = ReadLength(available);
        if (len < FormatConstants.FrameHeaderSize || len > FormatConstants.MaxRecordLength || FormatConstants.Align(len) > available.Length)
        {
            return false;
        }
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(available.Slice(4));
        if (Crc32C.Compute(available.Slice(8, len - 8)) != stored)
        {
            return false;
        }
        length = len;
        return true;
    }

    public static long Sequence(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt64LittleEndian(frame.Slice(8));
    public static long Ticks(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt64LittleEndian(frame.Slice(16));
    public static RecordKind Kind(ReadOnlySpan<byte> frame) => (RecordKind)frame[24];
    public static byte Level(ReadOnlySpan<byte> frame) => frame[25];
}

internal static class PaddingRecord
{
    /// <summary>How many sequence numbers a Padding frame stands for (FORMAT.md: next = sequence + n).</summary>
    public static uint Count(ReadOnlySpan<byte> frame) =>
        frame.Length >= FormatConstants.FrameHeaderSize + 4 ? BinaryPrimitives.ReadUInt32LittleEndian(frame.Slice(FormatConstants.FrameHeaderSize)) : 1u;

    /// <summary>Builds a Padding frame filling all of <paramref name="destination"/> (≥ 32, a multiple of 8).</summary>
    public static void Build(Span<byte> destination, long sequence, uint count, long utcTicks)
    {
        destination.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(destination.Slice(8), sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination.Slice(16), utcTicks);
        destination[24] = (byte)RecordKind.Padding;
        BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(FormatConstants.FrameHeaderSize), count);
        BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(4), Crc32C.Compute(destination.Slice(8)));
        BinaryPrimitives.WriteInt32LittleEndian(destination, destination.Length);
    }

    /// <summary>Builds an EndOfSegment frame (32 bytes with padding).</summary>
    public static void BuildSeal(Span<byte> destination, long sequence, long utcTicks)
    {
        destination.Slice(0, FormatConstants.SealReserve).Clear();
        BinaryPrimitives.WriteInt64LittleEndian(destination.Slice(8), sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination.Slice(16), utcTicks);
        destination[24] = (byte)RecordKind.EndOfSegment;
        BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(4), Crc32C.Compute(destination.Slice(8, FormatConstants.FrameHeaderSize - 8)));
        BinaryPrimitives.WriteInt32LittleEndian(destination, FormatConstants.FrameHeaderSize);
    }
}
