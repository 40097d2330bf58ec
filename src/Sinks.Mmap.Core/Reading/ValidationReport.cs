using System.Collections.Generic;

namespace Sinks.Mmap;

/// <summary>A range of bytes in a segment file.</summary>
/// <param name="Offset">Where it starts.</param>
/// <param name="Length">How many bytes.</param>
public readonly record struct ByteRange(long Offset, long Length);

/// <summary>Sequence numbers missing between two records: <paramref name="Expected"/> up to <paramref name="Found"/> − 1.</summary>
/// <param name="Expected">The sequence that should have come next.</param>
/// <param name="Found">The sequence that came.</param>
public readonly record struct SequenceGap(long Expected, long Found);

/// <summary>What <see cref="MmapLogReader.Validate"/> found in one segment.</summary>
public sealed class SegmentReport
{
    // Filled while the segment is read, then handed to users read-only.
    private readonly List<ByteRange> _holes = new();
    private readonly List<ByteRange> _corruptRanges = new();
    private readonly List<SequenceGap> _gaps = new();

    /// <summary>The segment file.</summary>
    public string Path { get; internal set; } = "";
    /// <summary>The lane the segment belongs to: empty for the log's first lane, else its files' stem (<c>app~2</c>).</summary>
    public string Lane { get; internal set; } = "";
    /// <summary>The segment number from the header; null when the header is unreadable.</summary>
    public long? SegmentNumber { get; internal set; }
    /// <summary>Why the segment could not be read at all, or null.</summary>
    public string? Problem { get; internal set; }
    /// <summary>The segment's size in bytes (for a compressed segment, the size it holds).</summary>
    public long Bytes { get; internal set; }
    /// <summary>For a compressed segment (FORMAT.md, <i>Compressed segments</i>), its file's size on disk; null for a plain segment.</summary>
    public long? CompressedBytes { get; internal set; }
    /// <summary>True when the segment ends with an EndOfSegment record (closed cleanly or repaired).</summary>
    public bool Sealed { get; internal set; }
    /// <summary>Valid records of every kind.</summary>
    public long Records { get; internal set; }
    /// <summary>Valid, decodable event records.</summary>
    public long Events { get; internal set; }
    /// <summary>The first sequence number seen, or null.</summary>
    public long? FirstSequence { get; internal set; }
    /// <summary>The last sequence number seen, or null.</summary>
    public long? LastSequence { get; internal set; }
    /// <summary>Bytes after the last valid record that are not zero: normal after a crash, not an error.</summary>
    public ByteRange? TornTail { get; internal set; }
    /// <summary>Records claimed but never written before a crash, in a segment not yet recovered.</summary>
    public IReadOnlyList<ByteRange> Holes => _holes;
    /// <summary>Damaged ranges between valid records, skipped by resynchronising.</summary>
    public IReadOnlyList<ByteRange> CorruptRanges => _corruptRanges;
    /// <summary>Missing sequence numbers not explained by a crash.</summary>
    public IReadOnlyList<SequenceGap> Gaps => _gaps;
    /// <summary>Sequence numbers lost to a crash (claimed, never written), as recovery recorded them or holes show.</summary>
    public long LostInCrash { get; internal set; }
    /// <summary>Records whose frame and CRC are valid but whose body could not be decoded.</summary>
    public long UndecodableRecords { get; internal set; }

    internal void AddHole(ByteRange hole) => _holes.Add(hole);

    internal void AddCorruptRange(ByteRange range) => _corruptRanges.Add(range);

    internal void AddGap(SequenceGap gap) => _gaps.Add(gap);

    /// <summary>A gap found before this segment's first record (against the previous segment), reported first.</summary>
    internal void AddLeadingGap(SequenceGap gap) => _gaps.Insert(0, gap);

    /// <summary>True when nothing in this segment is damaged or missing (a torn tail and crash losses are not damage).</summary>
    public bool IsClean => Problem is null && CorruptRanges.Count == 0 && Gaps.Count == 0 && UndecodableRecords == 0;
}

/// <summary>The validation of every segment of a log.</summary>
public sealed class ValidationReport
{
    internal ValidationReport(IReadOnlyList<SegmentReport> segments) => Segments = segments;

    /// <summary>One report a segment, in reading order.</summary>
    public IReadOnlyList<SegmentReport> Segments { get; }

    /// <summary>True when every segment is clean and no sequence numbers are missing between them.</summary>
    public bool IsClean
    {
        get
        {
            foreach (SegmentReport s in Segments)
            {
                if (!s.IsClean) return false;
            }
            return true;
        }
    }
}
