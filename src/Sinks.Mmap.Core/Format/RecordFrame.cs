using System;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Sinks.Mmap.Format;

/// <summary>
/// The one place record frames (FORMAT.md) are written and checked. Every writer takes the record's
/// slot as a span starting at the length word: events (one pass from a scratch copy, or two passes:
/// <see cref="WriteHeader"/>, the body encoded in place, <see cref="Publish"/>), definitions,
/// padding and the seal.
/// </summary>
internal static class RecordFrame
{
    /// <summary>Writes bytes 8..27 of the frame (sequence, timestamp, kind, level, reserved); the length and CRC come with <see cref="Publish"/>.</summary>
    public static void WriteHeader(Span<byte> slot, long sequence, long utcTicks, RecordKind kind, byte level)
    {
        // One length check, then plain stores: this runs for every event.
        if (slot.Length < FormatConstants.FrameHeaderSize)
        {
            ThrowSlotTooShort();
        }
        ref byte at = ref MemoryMarshal.GetReference(slot);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 8), BitConverter.IsLittleEndian ? sequence : BinaryPrimitives.ReverseEndianness(sequence));
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 16), BitConverter.IsLittleEndian ? utcTicks : BinaryPrimitives.ReverseEndianness(utcTicks));
        // Kind, level and the two reserved zero bytes in one store: bytes 24..27, little-endian.
        uint tail = (uint)kind | ((uint)level << 8);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 24), BitConverter.IsLittleEndian ? tail : BinaryPrimitives.ReverseEndianness(tail));
    }

    private static void ThrowSlotTooShort() =>
        throw new ArgumentException("A record's slot holds its 28-byte frame header at least.", "slot");

    /// <summary>Computes the CRC over bytes 8..<paramref name="length"/>, then stores the length word last with release semantics.</summary>
    public static void Publish(Span<byte> slot, int length) => StoreCrcThenLength(slot, length, Crc32C.Compute(slot.Slice(8, length - 8)));

    /// <summary>Stores the CRC, then the length word last with release semantics.</summary>
    private static void StoreCrcThenLength(Span<byte> slot, int length, uint crc)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(slot.Slice(4), crc);
        // Readers take a non-zero length word as "the rest is in place": it goes last, and no earlier store may pass it.
        Volatile.Write(ref Unsafe.As<byte, int>(ref MemoryMarshal.GetReference(slot)), BitConverter.IsLittleEndian ? length : BinaryPrimitives.ReverseEndianness(length));
    }

    /// <summary>Writes and publishes an Event record whose body was encoded elsewhere (the scratch route).</summary>
    /// <remarks>
    /// The CRC is taken from the header's values and the scratch copy, not read back from the slot:
    /// the slot's cache line may be shared with a neighbouring record another logging thread is
    /// writing, and reading it back waited for that line to come back (measured: a fifth of the
    /// append's samples with two threads). Stores alone retire without waiting for the line.
    /// </remarks>
    public static void WriteEvent(Span<byte> slot, long sequence, long utcTicks, byte level, ReadOnlySpan<byte> body)
    {
        WriteHeader(slot, sequence, utcTicks, RecordKind.Event, level);
        // Bytes 8..27 as WriteHeader laid them out (little-endian): sequence, timestamp, kind, level, two zero bytes.
        uint crc = BitOperations.Crc32C(0xFFFFFFFFu, (ulong)sequence);
        crc = BitOperations.Crc32C(crc, (ulong)utcTicks);
        crc = BitOperations.Crc32C(crc, (uint)RecordKind.Event | ((uint)level << 8));
        // The body is copied in the CRC's own pass: no second walk over it, and no call for a small one.
        crc = Crc32C.AppendAndCopy(crc, body, slot.Slice(FormatConstants.FrameHeaderSize));
        StoreCrcThenLength(slot, FormatConstants.FrameHeaderSize + body.Length, ~crc);
    }

    /// <summary>The unaligned length of the Definition record of <paramref name="id"/> = <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int DefinitionLength(int id, string value) =>
        FormatConstants.FrameHeaderSize + Varint.Size((ulong)id) + System.Text.Encoding.UTF8.GetByteCount(value);

    /// <summary>Writes and publishes a Definition record filling <paramref name="slot"/> (its aligned length); the slack is zeroed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteDefinition(Span<byte> slot, long sequence, long utcTicks, int id, string value, int length)
    {
        WriteHeader(slot, sequence, utcTicks, RecordKind.Definition, 0);
        Span<byte> body = slot.Slice(FormatConstants.FrameHeaderSize);
        body.Clear();
        int n = Varint.Write(body, (ulong)id);
        System.Text.Encoding.UTF8.GetBytes(value, body.Slice(n));
        Publish(slot, length);
    }

    /// <summary>Parses a Definition body: the id, the string's UTF-8 bytes, and where they start in the frame.</summary>
    public static bool TryReadDefinition(ReadOnlySpan<byte> frame, out int id, out ReadOnlySpan<byte> value, out int valueOffset)
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

    /// <summary>
    /// Writes and publishes a Padding record filling all of <paramref name="slot"/> (≥ 32 bytes, a multiple
    /// of 8), standing for <paramref name="count"/> sequence numbers from <paramref name="sequence"/>.
    /// </summary>
    public static void WritePadding(Span<byte> slot, long sequence, uint count, long utcTicks)
        => WriteCounted(slot, RecordKind.Padding, sequence, count, utcTicks);

    /// <summary>
    /// Writes and publishes an Unused record filling all of <paramref name="slot"/> (≥ 32 bytes, a multiple
    /// of 8): the rest of a claim block, and the <paramref name="count"/> sequence numbers it had reserved
    /// and gave to no record, from <paramref name="sequence"/> on.
    /// </summary>
    public static void WriteUnused(Span<byte> slot, long sequence, uint count, long utcTicks)
        => WriteCounted(slot, RecordKind.Unused, sequence, count, utcTicks);

    // Padding and Unused share a body: a u32 count of sequence numbers, then zeros.
    private static void WriteCounted(Span<byte> slot, RecordKind kind, long sequence, uint count, long utcTicks)
    {
        slot.Slice(8).Clear();
        WriteHeader(slot, sequence, utcTicks, kind, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(slot.Slice(FormatConstants.FrameHeaderSize), count);
        Publish(slot, slot.Length);
    }

    /// <summary>
    /// Writes and publishes the EndOfSegment record (a 28-byte frame in the 32-byte seal reserve; the
    /// last 4 bytes are left as they are: zero in a preallocated file).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteSeal(Span<byte> slot, long sequence, long utcTicks)
    {
        WriteHeader(slot, sequence, utcTicks, RecordKind.EndOfSegment, 0);
        Publish(slot, FormatConstants.FrameHeaderSize);
    }

    /// <summary>
    /// True when <paramref name="tail"/> (the last <see cref="FormatConstants.SealReserve"/> bytes of a
    /// segment) is a valid EndOfSegment record: the segment was sealed, at <paramref name="sequence"/>.
    /// </summary>
    public static bool TryReadSeal(ReadOnlySpan<byte> tail, out long sequence)
    {
        sequence = 0;
        if (tail.Length != FormatConstants.SealReserve || !IsValid(tail, out _) || Kind(tail) != RecordKind.EndOfSegment)
        {
            return false;
        }
        sequence = Sequence(tail);
        return true;
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

/// <summary>Reads a Padding or Unused record (written by <see cref="RecordFrame.WritePadding"/>, <see cref="RecordFrame.WriteUnused"/>).</summary>
internal static class PaddingRecord
{
    /// <summary>True for the kinds whose body counts the sequence numbers they stand for.</summary>
    public static bool IsCounted(RecordKind kind) => kind is RecordKind.Padding or RecordKind.Unused;

    /// <summary>How many sequence numbers a Padding or Unused frame stands for (FORMAT.md: next = sequence + n).</summary>
    public static uint Count(ReadOnlySpan<byte> frame) =>
        frame.Length >= FormatConstants.FrameHeaderSize + 4 ? BinaryPrimitives.ReadUInt32LittleEndian(frame.Slice(FormatConstants.FrameHeaderSize)) : 1u;
}
