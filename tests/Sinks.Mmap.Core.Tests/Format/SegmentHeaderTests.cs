using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using Sinks.Mmap.Format;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Format;

public class SegmentHeaderTests
{
    private static readonly SegmentHeader Sample = new(
        SegmentNumber: 42, FirstSequence: 123456789, CreatedUtcTicks: TestSupport.Ticks(2026, 11, 21, 10), ProcessId: 4321, Capacity: 1 << 20);

    [Fact]
    public void A_written_header_parses_back_to_the_same_fields()
    {
        byte[] bytes = new byte[FormatConstants.HeaderSize];
        Sample.WriteTo(bytes);
        SegmentHeader? parsed = SegmentHeader.TryParse(bytes, "x", out string? problem);
        Assert.Null(problem);
        Assert.Equal(Sample, parsed);
    }

    [Fact]
    public void A_written_header_has_the_layout_of_FORMAT_md()
    {
        byte[] h = new byte[FormatConstants.HeaderSize];
        Sample.WriteTo(h);
        Assert.Equal("SMMAPLOG", Encoding.ASCII.GetString(h, 0, 8));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(8)));
        Assert.Equal(4, BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(10)));
        Assert.Equal(128u, BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(12)));
        Assert.Equal(42L, BinaryPrimitives.ReadInt64LittleEndian(h.AsSpan(16)));
        Assert.Equal(123456789L, BinaryPrimitives.ReadInt64LittleEndian(h.AsSpan(24)));
        Assert.Equal(Sample.CreatedUtcTicks, BinaryPrimitives.ReadInt64LittleEndian(h.AsSpan(32)));
        Assert.Equal(4321, BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(40)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(44)));
        Assert.Equal(1L << 20, BinaryPrimitives.ReadInt64LittleEndian(h.AsSpan(48)));
        Assert.True(h.AsSpan(56, 68).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(Crc32C.Compute(h.AsSpan(0, 124)), BinaryPrimitives.ReadUInt32LittleEndian(h.AsSpan(124)));
    }

    [Fact]
    public void A_header_with_one_flipped_bit_is_reported_damaged_not_parsed()
    {
        byte[] bytes = new byte[FormatConstants.HeaderSize];
        Sample.WriteTo(bytes);
        bytes[20] ^= 0x10;
        Assert.Null(SegmentHeader.TryParse(bytes, "seg", out string? problem));
        Assert.Contains("CRC", problem);
    }

    [Fact]
    public void An_all_zero_header_is_reported_as_a_segment_never_started()
    {
        Assert.Null(SegmentHeader.TryParse(new byte[FormatConstants.HeaderSize], "seg", out string? problem));
        Assert.Contains("never started", problem);
    }

    [Fact]
    public void A_header_written_all_but_its_magic_is_a_segment_never_started()
    {
        // The writer stores the magic last: a kill between the two stores leaves this.
        var bytes = new byte[FormatConstants.HeaderSize];
        Sample.WriteTo(bytes);
        bytes.AsSpan(0, 8).Clear();
        Assert.Null(SegmentHeader.TryParse(bytes, "seg", out string? problem));
        Assert.Contains("never started", problem);
        Assert.True(SegmentHeader.IsNeverStarted(bytes));
    }

    [Fact]
    public void A_zero_magic_before_bytes_of_another_format_is_not_a_segment()
    {
        var bytes = new byte[FormatConstants.HeaderSize];
        Encoding.ASCII.GetBytes("not a log at all").CopyTo(bytes, 8);
        Assert.Null(SegmentHeader.TryParse(bytes, "seg", out string? problem));
        Assert.Contains("bad magic", problem);
        Assert.False(SegmentHeader.IsNeverStarted(bytes));
    }

    [Fact]
    public void An_unknown_major_version_throws_a_format_exception_naming_both_versions()
    {
        byte[] bytes = new byte[FormatConstants.HeaderSize];
        (Sample with { Major = 2, Minor = 3 }).WriteTo(bytes);
        var ex = Assert.Throws<MmapFormatException>(() => SegmentHeader.TryParse(bytes, "app-000001.mlog", out _));
        Assert.Contains("2.3", ex.Message);
        Assert.Contains("1.x", ex.Message);
    }

    [Fact]
    public void A_newer_minor_version_is_read_by_this_reader()
    {
        byte[] bytes = new byte[FormatConstants.HeaderSize];
        (Sample with { Minor = 7 }).WriteTo(bytes);
        SegmentHeader? parsed = SegmentHeader.TryParse(bytes, "x", out _);
        Assert.Equal((ushort)7, parsed!.Value.Minor);
    }

    [Fact]
    public void The_reader_refuses_a_segment_file_of_an_unknown_major_version_with_a_format_exception()
    {
        using var log = new TestLog();
        byte[] bytes = new byte[8192];
        (Sample with { Major = 2, Minor = 0, Capacity = 8192 }).WriteTo(bytes);
        string path = Path.Combine(log.Directory, "app-000001.mlog");
        File.WriteAllBytes(path, bytes);
        var reader = new MmapLogReader(path);
        var ex = Assert.Throws<MmapFormatException>(() => reader.ReadRecords().ToList());
        Assert.Contains("segment format 2.0 is newer than this reader, which reads 1.x", ex.Message);
        Assert.Throws<MmapFormatException>(() => reader.Validate());
    }
}
