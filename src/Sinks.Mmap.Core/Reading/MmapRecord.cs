using System;

namespace Sinks.Mmap;

/// <summary>The kinds of record a segment holds.</summary>
public enum MmapRecordKind
{
    /// <summary>An event.</summary>
    Event = 1,
    /// <summary>A string definition (interning).</summary>
    Definition = 2,
    /// <summary>The end-of-segment marker.</summary>
    EndOfSegment = 3,
    /// <summary>Padding over space that holds no record.</summary>
    Padding = 4,
    /// <summary>The unused rest of a writer thread's claim block (format 1.4): no event, nothing lost.</summary>
    Unused = 6,
    /// <summary>A record kind this reader does not know (from a newer minor version); skipped.</summary>
    Unknown = 255,
}

/// <summary>One valid record as <see cref="MmapLogReader.ReadRecords"/> yields it.</summary>
public sealed class MmapRecord
{
    internal MmapRecord(MmapRecordKind kind, long sequence, long utcTicks, int length, string segmentPath, LogPosition next, MmapEvent? @event, string? decodeError)
    {
        Kind = kind;
        Sequence = sequence;
        TimestampUtc = new DateTime(Math.Clamp(utcTicks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
        Length = length;
        SegmentPath = segmentPath;
        Next = next;
        Event = @event;
        DecodeError = decodeError;
    }

    /// <summary>The record's kind.</summary>
    public MmapRecordKind Kind { get; }
    /// <summary>Its sequence number.</summary>
    public long Sequence { get; }
    /// <summary>Its UTC timestamp.</summary>
    public DateTime TimestampUtc { get; }
    /// <summary>Its length in bytes, without padding.</summary>
    public int Length { get; }
    /// <summary>The segment file it is in.</summary>
    public string SegmentPath { get; }
    /// <summary>The position just after it: resume from here to read what follows.</summary>
    public LogPosition Next { get; }
    /// <summary>The lane it was read from: empty for the log's first lane, else its files' stem (<c>app~2</c>). Sequence numbers belong to a lane.</summary>
    public string Lane => Next.Lane;
    /// <summary>The decoded event, for an Event record that decoded.</summary>
    public MmapEvent? Event { get; }
    /// <summary>Why an Event record's valid frame could not be decoded, or null.</summary>
    public string? DecodeError { get; }

    /// <summary>The same record with <paramref name="next"/> as its position (a merged read adds the other lanes' places).</summary>
    internal MmapRecord WithNext(LogPosition next)
    {
        if (Event is { } evt) evt.Position = next;
        return new MmapRecord(Kind, Sequence, TimestampUtc.Ticks, Length, SegmentPath, next, Event, DecodeError);
    }
}
