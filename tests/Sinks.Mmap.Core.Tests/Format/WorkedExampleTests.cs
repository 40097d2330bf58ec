using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Sinks.Mmap.Format;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Format;

/// <summary>The worked example at the end of docs/FORMAT.md, encoded through the real writer.</summary>
public class WorkedExampleTests
{
    /// <summary>The example's process id: the writer stores its own, so the test sets the example's in its place.</summary>
    private const int ExampleProcessId = 4242;

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

    /// <summary>The bytes of the hex dump in FORMAT.md's worked example, read from the document itself.</summary>
    private static byte[] DocumentedExample()
    {
        string format = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "FORMAT.md"));
        int start = format.IndexOf("```text worked-example", StringComparison.Ordinal);
        Assert.True(start >= 0, "FORMAT.md has no worked-example hex dump");
        int end = format.IndexOf("```", format.IndexOf('\n', start), StringComparison.Ordinal);
        var bytes = new List<byte>();
        var line = new Regex(@"^([0-9A-F]{4})  ((?:[0-9A-F]{2} )*[0-9A-F]{2})(?:   .*)?$");
        foreach (string text in format.Substring(start, end - start).Split('\n').Skip(1))
        {
            if (text.Trim().Length == 0) continue;
            Match m = line.Match(text.TrimEnd());
            Assert.True(m.Success, $"not a dump line: '{text}'");
            Assert.Equal(bytes.Count, int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            bytes.AddRange(m.Groups[2].Value.Split(' ').Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        }
        return bytes.ToArray();
    }

    private static string RepositoryRoot()
    {
        string? folder = AppContext.BaseDirectory;
        while (folder is not null && !File.Exists(Path.Combine(folder, "Sinks.Mmap.sln"))) folder = Path.GetDirectoryName(folder);
        return folder ?? throw new InvalidOperationException("no Sinks.Mmap.sln above " + AppContext.BaseDirectory);
    }

    /// <summary>The example written by the real writer, its clock at the example's instant, 64 KiB segments.</summary>
    private static byte[] WrittenExample()
    {
        using var log = new TestLog();
        var at = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        MmapLogOptions options = log.Options(64 * 1024);
        options.TimeProvider = new FakeTimeProvider(at);
        using (var writer = new MmapLogWriter(options))
        {
            var e = new HelloWorld();
            Assert.True(writer.Append(at.UtcTicks, MmapLevel.Information, ref e));
        }
        return File.ReadAllBytes(log.SegmentFiles().Single());
    }

    private static string Dump(byte[] bytes)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < bytes.Length; i += 16)
        {
            text.Append(i.ToString("X4", CultureInfo.InvariantCulture)).Append("  ");
            text.AppendLine(string.Join(' ', bytes.Skip(i).Take(16).Select(b => b.ToString("X2", CultureInfo.InvariantCulture))));
        }
        return text.ToString();
    }

    [Fact]
    public void Every_byte_of_the_worked_example_in_FORMAT_md_after_the_header_is_what_the_writer_writes()
    {
        byte[] documented = DocumentedExample();
        byte[] written = WrittenExample();

        Assert.True(Dump(written.AsSpan(128).ToArray()) == Dump(documented.AsSpan(128).ToArray()),
            "the writer wrote these records (offsets from 128):\n" + Dump(written.AsSpan(128).ToArray()));
        Assert.Equal(written.Length, documented.Length);
    }

    [Fact]
    public void The_worked_example_header_is_the_writers_with_the_examples_process_id_and_its_CRC_is_FORMAT_md_s()
    {
        byte[] documented = DocumentedExample();
        byte[] written = WrittenExample();

        // The writer's header but for its process id (and the CRC over it).
        byte[] expected = written.AsSpan(0, 128).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(expected.AsSpan(40), ExampleProcessId);
        BinaryPrimitives.WriteUInt32LittleEndian(expected.AsSpan(124), Crc32C.Compute(expected.AsSpan(0, 124)));
        Assert.Equal(Dump(expected), Dump(documented.AsSpan(0, 128).ToArray()));
        // And it is what a header built from FORMAT.md alone gives, CRC included.
        byte[] independent = SegmentBuilder.Header(1, 1, new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).Ticks, ExampleProcessId, 64 * 1024);
        Assert.Equal(Dump(independent), Dump(documented.AsSpan(0, 128).ToArray()));
    }

    [Fact]
    public void The_worked_example_in_FORMAT_md_reads_back_as_its_one_event()
    {
        using var log = new TestLog();
        string path = Path.Combine(log.Directory, "app-000001.mlog");
        File.WriteAllBytes(path, DocumentedExample());

        var reader = new MmapLogReader(path);
        MmapEvent e = Assert.Single(reader.ReadEvents());
        SegmentReport report = Assert.Single(reader.Validate().Segments);

        Assert.Equal(3, e.Sequence);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), e.Timestamp);
        Assert.Equal("Hello {Name}", e.MessageTemplate);
        Assert.Equal("World", ((LogScalar)Assert.Single(e.Properties).Value).Value);
        Assert.True(report.IsClean && report.Sealed);
        Assert.Equal(4, report.Records);
    }
}
