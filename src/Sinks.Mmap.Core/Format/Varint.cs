using System;

namespace Sinks.Mmap.Format;

/// <summary>Unsigned LEB128 and zigzag, as FORMAT.md defines them.</summary>
internal static class Varint
{
    public const int MaxLength = 10;

    public static int Size(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    public static int Write(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Writes at <paramref name="destination"/>, which the caller has checked has room for <see cref="MaxLength"/> bytes.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int WriteUnchecked(ref byte destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            System.Runtime.CompilerServices.Unsafe.Add(ref destination, i++) = (byte)(value | 0x80);
            value >>= 7;
        }
        System.Runtime.CompilerServices.Unsafe.Add(ref destination, i++) = (byte)value;
        return i;
    }

    /// <summary>Reads a varint; false on truncation or an over-long encoding, never throws.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int consumed)
    {
        value = 0;
        int shift = 0;
        for (int i = 0; i < source.Length && i < MaxLength; i++)
        {
            byte b = source[i];
            if (i == MaxLength - 1 && b > 1)
            {
                break;
            }
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                consumed = i + 1;
                return true;
            }
            shift += 7;
        }
        value = 0;
        consumed = 0;
        return false;
    }
}
