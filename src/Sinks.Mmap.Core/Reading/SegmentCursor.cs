using System;
using System.Collections.Generic;
using System.IO;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Reads one segment record by record, resolving its string definitions, tracking sequence order,
/// and filling in a <see cref="SegmentReport"/> as it goes.
/// </summary>
internal sealed class SegmentCursor : IDisposable
{
    private readonly SegmentSource? _source;
    private readonly FrameScanner? _scanner;
    private readonly Dictionary<int, string> _strings = new();
    private long _expected;
    private bool _afterHole;
    private readonly List<ByteRange> _pendingHoles = new();
    private bool _holesAreDamage;

    private SegmentCursor(SegmentSource? source, SegmentReport report, SegmentHeader? header, long number)
    {
        _source = source;
        Report = report;
        Number = header?.SegmentNumber ?? number;
        if (header is { } h)
        {
            Capacity = h.Capacity;
            _expected = h.FirstSequence;
            _scanner = new FrameScanner(source!, FormatConstants.HeaderSize, Math.Min(source!.Length, h.Capacity), h.FirstSequence);
        }
    }

    public SegmentReport Report { get; }
    public long Number { get; }
    public long Capacity { get; }
    public bool Sealed => Report.Sealed;

    /// <summary>True when the segment has a readable header (it may still hold no records).</summary>
    public bool IsReadable => _scanner is not null;

    /// <summary>True when the header is all zero: prepared by a writer, not started yet.</summary>
    public bool NotStarted { get; private set; }

    public long Offset => _scanner?.Position ?? 0;

    /// <summary>Opens a segment. Throws <see cref="MmapFormatException"/> only for an unknown major version.</summary>
    public static SegmentCursor Open(string path, long number)
    {
        var report = new SegmentReport { Path = path };
        SegmentSource source;
        try
        {
            source = new SegmentSource(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            report.Problem = $"{Path.GetFileName(path)}: cannot open: {ex.Message}";
            return new SegmentCursor(null, report, null, number);
        }
        report.Bytes = source.Length;
        ReadOnlySpan<byte> head = source.Read(0, FormatConstants.HeaderSize);
        if (SegmentHeader.IsAllZero(head))
        {
            return new SegmentCursor(source, report, null, number) { NotStarted = true };
        }
        SegmentHeader? header;
        try
        {
            header = SegmentHeader.TryParse(head, Path.GetFileName(path), out string? problem);
            report.Problem = problem;
        }
        catch
        {
            source.Dispose();
            throw;
        }
        if (header is { } h) report.SegmentNumber = h.SegmentNumber;
        return new SegmentCursor(source, report, header, number);
    }

    /// <summary>
    /// The next valid record, or null. With <paramref name="resynchronise"/> damage is skipped and
    /// reported; without it the cursor stops at the first invalid byte (the live end while following).
    /// </summary>
    public MmapRecord? Next(bool resynchronise)
    {
        if (_scanner is null) return null;
        while (true)
        {
            if (!_scanner.Next(resynchronise, out ScanItem item, out ReadOnlySpan<byte> frame))
            {
                return null;
            }
            switch (item.Kind)
            {
                case ScanItemKind.TornTail:
                    Report.TornTail = new ByteRange(item.Offset, item.Length);
                    continue;
                case ScanItemKind.Hole:
                    _pendingHoles.Add(new ByteRange(item.Offset, item.Length));
                    _afterHole = true;
                    continue;
                case ScanItemKind.Corrupt:
                    Report.CorruptRanges.Add(new ByteRange(item.Offset, item.Length));
                    continue;
            }
            return Accept(item, frame);
        }
    }

    /// <summary>While following: skips a hole a crashed writer left, if a valid record follows within reach.</summary>
    public bool TrySkipHole()
    {
        if (_scanner is null) return false;
        long from = _scanner.Position;
        if (!_scanner.TrySkipDamage(4 << 20)) return false;
        _pendingHoles.Add(new ByteRange(from, _scanner.Position - from));
        _afterHole = true;
        return true;
    }

    public void Refresh()
    {
        _scanner?.Refresh(Capacity);
        Report.Bytes = _source?.Length ?? 0;
    }

    private MmapRecord Accept(ScanItem item, ReadOnlySpan<byte> frame)
    {
        long sequence = RecordFrame.Sequence(frame);
        RecordKind kind = RecordFrame.Kind(frame);
        if (sequence != _expected)
        {
            if (_afterHole && sequence > _expected)
            {
                Report.LostInCrash += sequence - _expected;
            }
            else
            {
                Report.Gaps.Add(new SequenceGap(_expected, sequence));
            }
        }
        _afterHole = false;
        _expected = sequence + 1;
        Report.Records++;
        Report.FirstSequence ??= sequence;
        Report.LastSequence = sequence;

        MmapEvent? evt = null;
        string? error = null;
        MmapRecordKind publicKind;
        switch (kind)
        {
            case RecordKind.Event:
                publicKind = MmapRecordKind.Event;
                evt = EventDecoder.Decode(frame, _strings, out error);
                if (evt is null) Report.UndecodableRecords++;
                else Report.Events++;
                break;
            case RecordKind.Definition:
                publicKind = MmapRecordKind.Definition;
                if (EventDecoder.TryDefinition(frame, out int id, out string value)) _strings[id] = value;
                else { Report.UndecodableRecords++; error = "bad definition"; }
                break;
            case RecordKind.EndOfSegment:
                publicKind = MmapRecordKind.EndOfSegment;
                Report.Sealed = true;
                // Holes in a sealed segment that was closed (trimmed just past its seal) or repaired cannot be
                // crash leftovers: the closer waits for them and recovery fills them, so they are damage. A
                // sealed segment still at full size was never closed: a thread's claim before the seal was
                // unfinished when the writer was killed (or is still being written), so its holes stay holes.
                _holesAreDamage = _source!.Length <= item.Offset + FormatConstants.SealReserve;
                if (_holesAreDamage)
                {
                    foreach (ByteRange hole in _pendingHoles) Report.CorruptRanges.Add(hole);
                    _pendingHoles.Clear();
                }
                break;
            case RecordKind.Padding:
                publicKind = MmapRecordKind.Padding;
                uint count = PaddingRecord.Count(frame);
                _expected = sequence + count;
                Report.LostInCrash += count;
                Report.LastSequence = sequence + count - 1;
                break;
            default:
                publicKind = MmapRecordKind.Unknown;
                break;
        }
        var next = new LogPosition(Number, item.Offset + FormatConstants.Align(item.Length), _expected);
        if (evt is not null) evt.Position = next;
        return new MmapRecord(publicKind, sequence, RecordFrame.Ticks(frame), frame.Length, Report.Path, next, evt, error);
    }

    /// <summary>Called at the end of reading: holes left over are crash leftovers of an unsealed segment.</summary>
    public void Finish()
    {
        foreach (ByteRange hole in _pendingHoles)
        {
            if (_holesAreDamage) Report.CorruptRanges.Add(hole);
            else Report.Holes.Add(hole);
        }
        _pendingHoles.Clear();
    }

    public void Dispose() => _source?.Dispose();
}
