using System;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sinks.Mmap.Format;

/// <summary>CRC-32C (Castagnoli) with the standard init and final XOR; hardware-accelerated by the JIT.</summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFFu, data);

    /// <summary>Continues a running (not yet inverted) CRC over more bytes.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data.Slice(8);
        }
        if (data.Length >= 4)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data.Slice(4);
        }
        for (int i = 0; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }
        return crc;
    }

    /// <summary>
    /// <see cref="Append"/> over <paramref name="source"/> while copying it into <paramref name="destination"/>
    /// (at least as long): one pass. The CRC instruction's latency bounds the loop, so the stores in it
    /// cost nothing, and a small record is copied without a call to the general copy.
    /// </summary>
    public static uint AppendAndCopy(uint crc, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < source.Length)
        {
            ThrowDestinationTooShort();
        }
        ref byte from = ref MemoryMarshal.GetReference(source);
        ref byte to = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)source.Length;
        nuint i = 0;
        for (; i + 8 <= length; i += 8)
        {
            ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, i));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, i), word);
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
        }
        if (i + 4 <= length)
        {
            uint word = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref from, i));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref to, i), word);
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
            i += 4;
        }
        for (; i < length; i++)
        {
            byte b = Unsafe.Add(ref from, i);
            Unsafe.Add(ref to, i) = b;
            crc = BitOperations.Crc32C(crc, b);
        }
        return crc;
    }

    private static void ThrowDestinationTooShort() =>
        throw new ArgumentException("The destination is shorter than the source.", "destination");
}
