using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Text;
using System.Threading;
using Sinks.Mmap.Format;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;

namespace Sinks.Mmap.Core.Tests;

/// <summary>Writes an event's properties; a delegate so each test can say what its payload holds.</summary>
internal delegate void WriteProperties(ref EventWriter writer);

/// <summary>A payload made of a header and a delegate that writes exactly <see cref="EventHeader.PropertyCount"/> properties.</summary>
internal struct CustomEvent : IEventPayload
{
    public EventHeader Header;
    public WriteProperties? Properties;

    public CustomEvent(EventHeader header, WriteProperties? properties)
    {
        Header = header;
        Properties = properties;
    }

    public void Write(ref EventWriter writer)
    {
        writer.WriteHeader(Header);
        Properties?.Invoke(ref writer);
    }
}

/// <summary>A payload of fixed size: template "T {A}" and one short property, so segment arithmetic is exact.</summary>
internal struct FixedSizeEvent : IEventPayload
{
    public short Value;

    public FixedSizeEvent(short value) => Value = value;

    public void Write(ref EventWriter writer)
    {
        writer.WriteHeader(new EventHeader { MessageTemplate = "T {A}", PropertyCount = 1 });
        writer.WritePropertyName("A");
        writer.WriteInt16(Value);
    }
}

internal static class TestSupport
{
    public static long Ticks(int year, int month, int day, int hour = 0, int minute = 0, int second = 0, int millisecond = 0) =>
        new DateTime(year, month, day, hour, minute, second, millisecond, DateTimeKind.Utc).Ticks;

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static bool WaitUntil(Func<bool> condition, TimeSpan? timeout = null) => Poll.WaitUntil(condition, timeout);

    /// <summary>Reads a file another process (or this one) may have open for writing.</summary>
    public static byte[] ReadShared(string path) => SharedFile.ReadAll(path);

    /// <summary>The offsets of the valid frames of a segment image, walking the chain from the header.</summary>
    public static List<int> FrameOffsets(byte[] segment)
    {
        var offsets = new List<int>();
        int position = FormatConstants.HeaderSize;
        while (position + FormatConstants.FrameHeaderSize <= segment.Length)
        {
            if (!RecordFrame.IsValid(segment.AsSpan(position), out int length)) break;
            offsets.Add(position);
            position += FormatConstants.Align(length);
        }
        return offsets;
    }

    public static int FrameLength(byte[] segment, int offset) => BinaryPrimitives.ReadInt32LittleEndian(segment.AsSpan(offset));
    public static long FrameSequence(byte[] segment, int offset) => BinaryPrimitives.ReadInt64LittleEndian(segment.AsSpan(offset + 8));
    public static RecordKind FrameKind(byte[] segment, int offset) => (RecordKind)segment[offset + 24];

    /// <summary>Recomputes a frame's CRC after a test edited its bytes on purpose.</summary>
    public static void Reseal(byte[] segment, int offset)
    {
        int length = FrameLength(segment, offset);
        uint crc = Crc32C.Compute(segment.AsSpan(offset + 8, length - 8));
        BinaryPrimitives.WriteUInt32LittleEndian(segment.AsSpan(offset + 4), crc);
    }

    /// <summary>A canonical text of a value, exact for every type (doubles by their bits, dates by ticks and kind).</summary>
    public static string Describe(LogValue value)
    {
        var sb = new StringBuilder();
        Describe(value, sb);
        return sb.ToString();
    }

    private static void Describe(LogValue value, StringBuilder sb)
    {
        switch (value)
        {
            case LogScalar s:
                sb.Append(DescribeScalar(s.Value));
                break;
            case LogOpaqueScalar o:
                sb.Append("opaque(").Append(o.TypeName).Append(':').Append(o.Text ?? "<null>").Append(')');
                break;
            case LogSequence q:
                sb.Append('[');
                foreach (LogValue e in q.Elements)
                {
                    Describe(e, sb);
                    sb.Append(',');
                }
                sb.Append(']');
                break;
            case LogStructure st:
                sb.Append(st.TypeTag ?? "<untagged>").Append('{');
                foreach (LogProperty p in st.Properties)
                {
                    sb.Append(p.Name).Append('=');
                    Describe(p.Value, sb);
                    sb.Append(',');
                }
                sb.Append('}');
                break;
            case LogDictionary d:
                sb.Append("dict{");
                foreach (KeyValuePair<LogValue, LogValue> kv in d.Entries)
                {
                    Describe(kv.Key, sb);
                    sb.Append(':');
                    Describe(kv.Value, sb);
                    sb.Append(',');
                }
                sb.Append('}');
                break;
            default:
                throw new InvalidOperationException("unknown LogValue " + value.GetType());
        }
    }

    public static string DescribeScalar(object? value) => value switch
    {
        null => "null",
        double d => "double:" + BitConverter.DoubleToInt64Bits(d).ToString(CultureInfo.InvariantCulture),
        float f => "float:" + BitConverter.SingleToInt32Bits(f).ToString(CultureInfo.InvariantCulture),
        decimal m => "decimal:" + string.Join('/', decimal.GetBits(m)),
        DateTime dt => "DateTime:" + dt.Ticks.ToString(CultureInfo.InvariantCulture) + "/" + dt.Kind,
        DateTimeOffset dto => "DateTimeOffset:" + dto.Ticks.ToString(CultureInfo.InvariantCulture) + "/" + dto.Offset,
        byte[] bytes => "bytes:" + Convert.ToHexString(bytes),
        string s => "string:" + s,
        IFormattable f => value.GetType().Name + ":" + f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.GetType().Name + ":" + value,
    };

    /// <summary>Everything an event carries, as one string: two events are the same event when these match.</summary>
    public static string Fingerprint(MmapEvent e)
    {
        var sb = new StringBuilder();
        sb.Append(e.Sequence).Append('|').Append(e.Timestamp.UtcTicks).Append('|').Append(e.Timestamp.Offset).Append('|')
          .Append(e.Level).Append('|').Append(e.MessageTemplate ?? "<null>").Append('|').Append(e.LoggerName ?? "<null>").Append('|')
          .Append(e.RenderedMessage ?? "<null>").Append('|').Append(e.Exception?.ToString() ?? "<null>").Append('|')
          .Append(e.TraceId?.ToHexString() ?? "<null>").Append('|').Append(e.SpanId?.ToHexString() ?? "<null>").Append('|');
        foreach (LogProperty p in e.Properties)
        {
            sb.Append(p.Name).Append('=').Append(Describe(p.Value)).Append(';');
        }
        return sb.ToString();
    }
}

/// <summary>
/// The writer's prepared next segment, reached through reflection: tests that must hold a moment of
/// the rotation open (a standby taken and not yet activated) do what the writer does, by hand.
/// </summary>
internal static class StandbySeam
{
    private static readonly FieldInfo Field =
        typeof(SegmentRotation).GetField("_standby", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new InvalidOperationException("SegmentRotation has no _standby field");

    public static SegmentStorage? Get(SegmentRotation rotation) => (SegmentStorage?)Field.GetValue(rotation);

    public static void Set(SegmentRotation rotation, SegmentStorage? standby) => Field.SetValue(rotation, standby);

    /// <summary>What a rotation's exchange does: the standby is the caller's now (the maintainer never touches one that is there).</summary>
    public static SegmentStorage? Take(SegmentRotation rotation)
    {
        SegmentStorage? standby = Get(rotation);
        Set(rotation, null);
        return standby;
    }
}
