using System;
using System.Buffers.Binary;
using System.Linq;
using Sinks.Mmap.Format;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Format;

/// <summary>The worked example at the end of docs/FORMAT.md, encoded through the real writer.</summary>
public class WorkedExampleTests
{
    private struct HelloWorld : IEventPayload
    {
        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = "Hello {Name}", PropertyCount = 1 });
            writer.WritePropertyName("Name");
            writer.WriteString("World");
        }
    }

    private static byte[] WriteExample(out long eventTicks)
    {
        using var log = new TestLog();
        eventTicks = TestSupport.Ticks(2026, 11, 21, 10);
        using (var writer = new MmapLogWriter(log.Options()))
        {
            var e = new HelloWorld();
            Assert.True(writer.Append(eventTicks, MmapLevel.Information, ref e));
        }
        return System.IO.File.ReadAllBytes(log.SegmentFiles().Single());
    }

    private static void AssertFrame(byte[] file, int offset, int length, long sequence, RecordKind kind, MmapLevel level, byte[] body)
    {
        Assert.Equal(length, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(offset)));
        Assert.Equal(Crc32C.Compute(file.AsSpan(offset + 8, length - 8)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 4)));
        Assert.Equal(sequence, BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(offset + 8)));
        Assert.Equal(new byte[] { (byte)kind, (byte)level, 0, 0 }, file.AsSpan(offset + 24, 4).ToArray());
        Assert.Equal(Convert.ToHexString(body), Convert.ToHexString(file.AsSpan(offset + 28, length - 28)));
        int aligned = FormatConstants.Align(length);
        Assert.True(file.AsSpan(offset + length, aligned - length).IndexOfAnyExcept((byte)0) < 0, "padding must be zero");
    }

    [Fact]
    public void The_template_definition_is_the_first_record_with_the_bytes_FORMAT_md_shows()
    {
        byte[] file = WriteExample(out _);
        // 28-byte frame + id varint 01 + 12 bytes of "Hello {Name}" = 41 (0x29), padded with 7 zeros to 48.
        byte[] body = new byte[] { 0x01, 0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x20, 0x7B, 0x4E, 0x61, 0x6D, 0x65, 0x7D };
        AssertFrame(file, 128, 41, 1, RecordKind.Definition, MmapLevel.Verbose, body);
        Assert.Equal(new byte[] { 0x29, 0, 0, 0 }, file.AsSpan(128, 4).ToArray());
    }

    [Fact]
    public void The_property_name_definition_follows_as_id_2()
    {
        byte[] file = WriteExample(out _);
        AssertFrame(file, 176, 33, 2, RecordKind.Definition, MmapLevel.Verbose, new byte[] { 0x02, 0x4E, 0x61, 0x6D, 0x65 });
    }

    [Fact]
    public void The_event_record_is_sequence_3_with_the_body_bytes_FORMAT_md_shows()
    {
        byte[] file = WriteExample(out long ticks);
        byte[] body = { 0x00, 0x00, 0x00, 0x03, 0x01, 0x05, 0x0E, 0x06, 0x57, 0x6F, 0x72, 0x6C, 0x64 };
        AssertFrame(file, 216, 28 + body.Length, 3, RecordKind.Event, MmapLevel.Information, body);
        Assert.Equal(ticks, BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(216 + 16)));
        // Then the seal: sequence 4, and the file ends just past it.
        Assert.Equal(264 + 32, file.Length);
        AssertFrame(file, 264, 28, 4, RecordKind.EndOfSegment, MmapLevel.Verbose, Array.Empty<byte>());
    }
}
