using System;
using System.Buffers.Binary;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Reading;

internal enum ScanItemKind
{
    /// <summary>A valid frame.</summary>
    Record,
    /// <summary>A zero length word followed later by a valid frame: a record claimed but never published.</summary>
    Hole,
    /// <summary>Invalid bytes followed by a valid frame.</summary>
    Corrupt,
    /// <summary>Non-zero bytes after the last valid frame: normal after a crash.</summary>
    TornTail,
}

internal readonly record struct ScanItem(ScanItemKind Kind, long Offset, long Length);

/// <summary>
/// Walks a segment frame by frame, resynchronising after damage by testing later 8-byte-aligned
/// offsets. Work is bounded: resynchronisation stops after checksumming a few times the segment's
/// size, so hostile length words cannot make it hang.
/// </summary>
internal sealed class FrameScanner
{
    private readonly SegmentSource _source;
    private long _end;
    private long _position;
    private long _expectedSequence;
    private long _crcBudget;

    public FrameScanner(SegmentSource source, long start, long end, long expectedSequence)
    {
        _source = source;
        _position = start;
        _end = Math.Min(end, source.Length);
        _expectedSequence = expectedSequence;
        _crcBudget = 4 * Math.Max(_end - start, 0) + (1 << 20);
    }

    public long Position => _position;

    /// <summary>Continues at <paramref name="position"/>, a frame boundary the caller has established, expecting <paramref name="expectedSequence"/>.</summary>
    public void Seek(long position, long expectedSequence)
    {
        _position = position;
        _expectedSequence = expectedSequence;
    }

    /// <summary>
    /// The next item. For a record, <paramref name="frame"/> holds its bytes (valid until the next call).
    /// False at the end: no more records, and nothing but zeros left.
    /// </summary>
    public bool Next(out ScanItem item, out ReadOnlySpan<byte> frame) => Next(resynchronise: true, out item, out frame);

    /// <summary>
    /// As <see cref="Next(out ScanItem, out ReadOnlySpan{byte})"/>; without <paramref name="resynchronise"/>
    /// it stops (returns false and stays put) at the first byte that is not a valid frame, which is
    /// what a follower wants at the live end of a segment.
    /// </summary>
    public bool Next(bool resynchronise, out ScanItem item, out ReadOnlySpan<byte> frame)
    {
        frame = default;
        if (!resynchronise)
        {
            if (_position + FormatConstants.FrameHeaderSize <= _end && TryFrameAt(_position, checkSequence: false, out frame, out int valid))
            {
                item = new ScanItem(ScanItemKind.Record, _position, valid);
                Advance(frame, valid);
                return true;
            }
            item = default;
            return false;
        }
        if (_position + FormatConstants.FrameHeaderSize > _end)
        {
            item = default;
            return TailAfter(_position, out item);
        }
        if (TryFrameAt(_position, checkSequence: false, out frame, out int length))
        {
            item = new ScanItem(ScanItemKind.Record, _position, length);
            Advance(frame, length);
            return true;
        }
        long start = _position;
        bool startsWithZero = _source.Read(start, 4) is { Length: 4 } word && BinaryPrimitives.ReadUInt32LittleEndian(word) == 0;
        long next = Resync(start + FormatConstants.Alignment);
        if (next < 0)
        {
            _position = _end;
            return TailAfter(start, out item);
        }
        item = new ScanItem(startsWithZero ? ScanItemKind.Hole : ScanItemKind.Corrupt, start, next - start);
        _position = next;
        return true;
    }

    /// <summary>
    /// At a position holding no valid frame, looks up to <paramref name="lookahead"/> bytes ahead for
    /// one and moves there; stays put and returns false when there is none.
    /// </summary>
    public bool TrySkipDamage(int lookahead)
    {
        long saveEnd = _end;
        long limit = Math.Min(_end, _position + lookahead);
        long next = ResyncWithin(_position + FormatConstants.Alignment, limit);
        if (next < 0) return false;
        _position = next;
        return saveEnd == _end;
    }

    /// <summary>Forgets cached bytes so a segment still being written is read afresh.</summary>
    public void Refresh(long newEnd)
    {
        _source.Refresh();
        _end = Math.Min(newEnd, _source.Length);
    }

    /// <summary>
    /// The range from the first to the last non-zero byte at or after the current position (what follows a
    /// segment's EndOfSegment record), or false when there is nothing but zeros.
    /// </summary>
    public bool NonZeroAfter(out ByteRange range)
    {
        range = default;
        long first = FirstNonZero(_position, _end);
        if (first < 0) return false;
        range = new ByteRange(first, LastNonZero(first, _end) + 1 - first);
        return true;
    }

    /// <summary>The item for what is left at and after <paramref name="from"/>: a torn tail, or nothing.</summary>
    private bool TailAfter(long from, out ScanItem item)
    {
        long lastNonZero = LastNonZero(from, _end);
        _position = _end;
        if (lastNonZero < 0)
        {
            item = default;
            return false;
        }
        item = new ScanItem(ScanItemKind.TornTail, from, lastNonZero + 1 - from);
        return true;
    }

    private void Advance(ReadOnlySpan<byte> frame, int length)
    {
        long sequence = RecordFrame.Sequence(frame);
        _expectedSequence = sequence + 1;
        if (PaddingRecord.IsCounted(RecordFrame.Kind(frame)) && length >= FormatConstants.FrameHeaderSize + 4)
        {
            _expectedSequence = sequence + BinaryPrimitives.ReadUInt32LittleEndian(frame.Slice(FormatConstants.FrameHeaderSize));
        }
        _position += FormatConstants.Align(length);
    }

    private bool TryFrameAt(long offset, bool checkSequence, out ReadOnlySpan<byte> frame, out int length)
    {
        frame = default;
        length = 0;
        ReadOnlySpan<byte> head = _source.Read(offset, FormatConstants.FrameHeaderSize);
        if (head.Length < FormatConstants.FrameHeaderSize)
        {
            return false;
        }
        int len = RecordFrame.ReadLength(head);
        if (len < FormatConstants.FrameHeaderSize || len > FormatConstants.MaxRecordLength || offset + FormatConstants.Align(len) > _end)
        {
            return false;
        }
        if (checkSequence)
        {
            // While resynchronising, demand a plausible header before paying for a checksum.
            if (head[24] == 0 || head[25] > 5 || BinaryPrimitives.ReadUInt16LittleEndian(head.Slice(26)) != 0)
            {
                return false;
            }
            long sequence = RecordFrame.Sequence(head);
            if (_expectedSequence > 0 && (sequence < _expectedSequence || sequence > _expectedSequence + (_end / 32) + 1))
            {
                return false;
            }
            if (_crcBudget <= 0)
            {
                return false;
            }
            _crcBudget -= len;
        }
        ReadOnlySpan<byte> full = _source.Read(offset, FormatConstants.Align(len));
        if (!RecordFrame.IsValid(full, out length))
        {
            return false;
        }
        frame = full.Slice(0, length);
        return true;
    }

    /// <summary>The next offset at or after <paramref name="from"/> that holds a valid frame, or -1.</summary>
    private long Resync(long from) => ResyncWithin(from, _end);

    private long ResyncWithin(long from, long limit)
    {
        long candidate = from;
        while (candidate + FormatConstants.FrameHeaderSize <= limit)
        {
            long nonZero = FirstNonZero(candidate, limit);
            if (nonZero < 0)
            {
                return -1;
            }
            candidate = nonZero & ~(long)(FormatConstants.Alignment - 1);
            if (candidate + FormatConstants.FrameHeaderSize > limit)
            {
                return -1;
            }
            if (TryFrameAt(candidate, checkSequence: true, out _, out _))
            {
                return candidate;
            }
            if (_crcBudget <= 0)
            {
                return -1;
            }
            candidate += FormatConstants.Alignment;
        }
        return -1;
    }

    private long FirstNonZero(long from, long end)
    {
        long position = from;
        while (position < end)
        {
            ReadOnlySpan<byte> chunk = _source.Read(position, (int)Math.Min(1 << 20, end - position));
            if (chunk.IsEmpty) return -1;
            int index = chunk.IndexOfAnyExcept((byte)0);
            if (index >= 0) return position + index;
            position += chunk.Length;
        }
        return -1;
    }

    private long LastNonZero(long from, long end)
    {
        long last = -1;
        long position = from;
        while (position < end)
        {
            ReadOnlySpan<byte> chunk = _source.Read(position, (int)Math.Min(1 << 20, end - position));
            if (chunk.IsEmpty) break;
            int index = chunk.LastIndexOfAnyExcept((byte)0);
            if (index >= 0) last = position + index;
            position += chunk.Length;
        }
        return last;
    }
}
