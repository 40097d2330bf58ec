using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sinks.Mmap.Core.Tests.Crash;
using Sinks.Mmap.Format;
using Sinks.Mmap.Reading;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Reading;

/// <summary>
/// The core reader stays bounded on records whose CRCs are valid but whose contents aim at its memory
/// or time (issue 16): each hostile shape is read by a child process through the public reader and
/// renderers under a 256 MiB heap and a CPU-time limit, and must finish with the right counts.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public sealed class BoundedReadingTests
{
    private const int HugeDefinitionCount = 12;

    private static LimitedResult Read(Action<string> shape)
    {
        using var log = new TestLog();
        shape(log.Directory);
        return LimitedProcess.Run(ChildProcess.ChildDll, new[] { "read", log.Directory });
    }

    private static void AssertRead(LimitedResult result, string expected)
    {
        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(expected, result.Stdout.Trim());
    }

    [Fact]
    public void A_record_of_sixteen_million_booleans_reads_and_renders_within_a_256_MiB_heap()
    {
        LimitedResult result = Read(HostileShapes.Booleans);
        // "2026-11-21 10:00:00.000 +00:00 [INF] " and the newline around the message [true,…,true] (Message:lj writes JSON).
        long rendered = 37 + (5L * HostileShapes.BooleanCount + 1) + 1;
        AssertRead(result, $"records=2 events=1 undecodable=0 rendered={rendered} rendered-messages=0 clean=True");
    }

    [Fact]
    public void Sixty_three_nested_sequences_claiming_sixteen_million_elements_each_are_refused_without_allocating_for_the_claims()
    {
        LimitedResult result = Read(HostileShapes.NestedSequences);
        // The small event after it still reads: "… [INF] Hello World" and a newline.
        AssertRead(result, "records=3 events=1 undecodable=1 rendered=49 rendered-messages=0 clean=False");
    }

    [Fact]
    public void A_template_of_200000_holes_over_200000_properties_renders_in_time_proportional_to_its_size()
    {
        LimitedResult result = Read(HostileShapes.ManyHoles);
        // The plain rendering (rebuilt by the decoder) writes "true" per hole; the output template, Serilog's "True".
        long rendered = 37 + 4L * HostileShapes.HoleCount + 1;
        AssertRead(result, $"records=2 events=1 undecodable=0 rendered={rendered} rendered-messages={4L * HostileShapes.HoleCount} clean=True");
    }

    [Fact]
    public void Definitions_of_16_MiB_each_are_not_kept_in_memory_so_a_dozen_read_within_a_256_MiB_heap()
    {
        LimitedResult result = Read(folder => HostileShapes.HugeDefinitions(folder, HugeDefinitionCount));
        AssertRead(result, $"records={HugeDefinitionCount + 2} events=1 undecodable=0 rendered=49 rendered-messages=0 clean=True");
    }

    [Fact]
    public void Decoding_a_record_whose_nested_counts_claim_more_than_it_holds_allocates_nothing()
    {
        // 63 sequences each claiming 100 000 elements in a record of 100 KB: sizing lists from the claims
        // would allocate 63 × 800 KB before finding that the elements are not there.
        var body = new BodyBuilder().EventStart().NullRef().Varint(1).InlineRef("N");
        for (int i = 0; i < 63; i++) body.Byte(0x20).Varint(100_000);
        body.Repeat(0x00, 100_000);
        byte[] frame = Frame(body.ToArray());
        var strings = new SegmentStrings();

        EventDecoder.Decode(frame, strings, out _); // warm up: the first call loads code and tables
        long before = GC.GetAllocatedBytesForCurrentThread();
        MmapEvent? evt = EventDecoder.Decode(frame, strings, out string? error);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Null(evt);
        Assert.Equal("truncated body", error);
        Assert.True(allocated < 1024, $"{allocated} bytes allocated to refuse the record");
    }

    [Fact]
    public void A_sequence_of_a_million_booleans_decodes_to_one_array_of_shared_values()
    {
        var body = new BodyBuilder().EventStart().NullRef().Varint(1).InlineRef("B").Byte(0x20).Varint(1_000_000);
        for (int i = 0; i < 1_000_000; i++) body.Byte((byte)(i % 3 == 0 ? 0x01 : 0x02));
        byte[] frame = Frame(body.ToArray());
        var strings = new SegmentStrings();

        EventDecoder.Decode(frame, strings, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        MmapEvent? evt = EventDecoder.Decode(frame, strings, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var elements = ((LogSequence)Assert.IsType<MmapEvent>(evt).Properties[0].Value).Elements;
        Assert.Equal(1_000_000, elements.Count);
        Assert.Equal(false, ((LogScalar)elements[0]).Value);
        Assert.Equal(true, ((LogScalar)elements[1]).Value);
        // One reference per element and little else: an object per element would be 24 bytes more each.
        Assert.True(allocated < 8_000_000 + 64 * 1024, $"{allocated} bytes allocated for a million booleans");
    }

    [Fact]
    public void An_event_referring_to_more_than_16_MiB_of_strings_the_reader_does_not_keep_is_undecodable_for_the_decoder_and_the_walker_alike()
    {
        using var log = new TestLog();
        string path = HostileShapes.SegmentPath(log.Directory);
        byte[] big = new byte[1 << 20];
        big.AsSpan().Fill((byte)'n');
        using (FileStream file = File.Create(path))
        {
            var segment = new SegmentBuilder(file);
            segment.Definition(1, big); // over the 64 KiB kept in memory: read from the file at each use
            // Used once as a property name: 1 MiB, read back exactly.
            segment.Event(new BodyBuilder().EventStart().NullRef().Varint(1).IdRef(1).Byte(0x02).ToArray());
            // Used as the name of 20 properties: 20 MiB of strings from one small record.
            var body = new BodyBuilder().EventStart().NullRef().Varint(20);
            for (int i = 0; i < 20; i++) body.IdRef(1).Byte(0x02);
            segment.Event(body.ToArray());
        }

        List<MmapRecord> records = new MmapLogReader(path).ReadRecords().ToList();
        SegmentReport report = new MmapLogReader(path).Validate().Segments.Single();

        Assert.Equal(new string('n', 1 << 20), Assert.Single(records[1].Event!.Properties).Name);
        Assert.Null(records[2].Event);
        Assert.Equal("the event refers to more than 16 MiB of interned strings", records[2].DecodeError);
        Assert.Equal(1, report.Events);
        Assert.Equal(1, report.UndecodableRecords);
    }

    [Fact]
    public void Small_definitions_are_kept_in_memory_once_and_huge_ones_not_at_all()
    {
        using var log = new TestLog();
        HostileShapes.HugeDefinitions(log.Directory, 3);
        using SegmentCursor cursor = SegmentCursor.Open(HostileShapes.SegmentPath(log.Directory), 1);
        while (cursor.MoveNext(resynchronise: true, SegmentCursor.EventHandling.Validate))
        {
        }

        Assert.Equal(0, cursor.Strings.RetainedBytes);
        Assert.False(cursor.Strings.Get(1)!.IsKept);
        Assert.Equal(3, cursor.Report.Records - 2);
        Assert.Equal(1, cursor.Report.Events);
    }

    private static byte[] Frame(byte[] body)
    {
        var segment = new SegmentBuilder();
        long at = segment.Event(body);
        return segment.ToArray().AsSpan((int)at, FormatConstants.FrameHeaderSize + body.Length).ToArray();
    }
}
