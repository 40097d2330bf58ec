using System;

namespace Sinks.Mmap;

/// <summary>
/// Immutable values the decoder hands out again and again instead of building one per occurrence:
/// null, true, false, the empty string and containers, and the integers whose encoding takes one byte.
/// Every value that takes one or two bytes in a record is shared, so a record of a million such values
/// costs a million references, not a million objects.
/// </summary>
internal static class SharedValues
{
    public static readonly LogScalar True = new(true);
    public static readonly LogScalar False = new(false);
    public static readonly LogScalar EmptyString = new(string.Empty);
    public static readonly LogSequence EmptySequence = new(Array.Empty<LogValue>());
    public static readonly LogDictionary EmptyDictionary = new(Array.Empty<System.Collections.Generic.KeyValuePair<LogValue, LogValue>>());
    public static readonly LogStructure EmptyUntypedStructure = new(null, Array.Empty<LogProperty>());

    public static LogScalar Bool(bool value) => value ? True : False;

    public static LogScalar SByte(sbyte value) => SBytes.All[value + 128];

    public static LogScalar Byte(byte value) => Bytes.All[value];

    /// <summary>Ints from −64 to 63: one zigzag varint byte.</summary>
    public static LogScalar Int32(int value) => (uint)(value + 64) < 128 ? SmallInt32s.All[value + 64] : new LogScalar(value);

    public static LogScalar Int64(long value) => (ulong)(value + 64) < 128 ? SmallInt64s.All[value + 64] : new LogScalar(value);

    /// <summary>Unsigned values below 128: one varint byte.</summary>
    public static LogScalar UInt32(uint value) => value < 128 ? SmallUInt32s.All[value] : new LogScalar(value);

    public static LogScalar UInt64(ulong value) => value < 128 ? SmallUInt64s.All[value] : new LogScalar(value);

    // Each table is built the first time its type is decoded.
    private static class SBytes
    {
        public static readonly LogScalar[] All = Build(256, i => (sbyte)(i - 128));
    }

    private static class Bytes
    {
        public static readonly LogScalar[] All = Build(256, i => (byte)i);
    }

    private static class SmallInt32s
    {
        public static readonly LogScalar[] All = Build(128, i => i - 64);
    }

    private static class SmallInt64s
    {
        public static readonly LogScalar[] All = Build(128, i => (long)(i - 64));
    }

    private static class SmallUInt32s
    {
        public static readonly LogScalar[] All = Build(128, i => (uint)i);
    }

    private static class SmallUInt64s
    {
        public static readonly LogScalar[] All = Build(128, i => (ulong)i);
    }

    private static LogScalar[] Build<T>(int count, Func<int, T> value)
    {
        var all = new LogScalar[count];
        for (int i = 0; i < count; i++) all[i] = new LogScalar(value(i));
        return all;
    }
}
