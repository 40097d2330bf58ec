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
    /// <summary>What <see cref="MoveNext"/> does with an Event record.</summary>
    public enum EventHandling
    {
        /// <summary>Decode it into an <see cref="MmapEvent"/> (<see cref="CurrentEvent"/>).</summary>
        Decode,
        /// <summary>Only check that it decodes, allocating nothing.</summary>
        Validate,
        /// <summary>Leave it to the caller, who reads <see cref="CurrentFrame"/> and calls <see cref="CountEvent"/>.</summary>
        None,
    }

    private readonly SegmentSource? _source;
    private readonly FrameScanner? _scanner;
    private readonly SegmentStrings _strings;
    private bool _ended;
    private long _expected;
    private bool _afterHole;
    private readonly List<ByteRange> _pendingHoles = new();
    private bool _holesAreDamage;
    private long _currentOffset;
    private int _currentLength;

    private SegmentCursor(SegmentSource? source, SegmentReport report, SegmentHeader? header, long number)
    {
        _source = source;
        _strings = new SegmentStrings(source);
        Report = report;
        Number = header?.SegmentNumber ?? number;
        if (header is { } h)
        {
            Capacity = h.Capacity;
            FirstSequence = h.FirstSequence;
            CreatedUtcTicks = h.CreatedUtcTicks;
            _expected = h.FirstSequence;
            _scanner = new FrameScanner(source!, FormatConstants.HeaderSize, Math.Min(source!.Length, h.Capacity), h.FirstSequence);
        }
    }

    public SegmentReport Report { get; }
    public long Number { get; }
    public long Capacity { get; }
    public bool Sealed => Report.Sealed;

    /// <summary>The header's creation time (UTC ticks): no record in the segment was written before it. 0 when unreadable.</summary>
    public long CreatedUtcTicks { get; }

    /// <summary>The header's first sequence number (0 when unreadable).</summary>
    public long FirstSequence { get; }

    /// <summary>True when the segment has a readable header (it may still hold no records).</summary>
    public bool IsReadable => _scanner is not null;

    /// <summary>True when the header was never completed (zero magic): prepared by a writer, not started yet.</summary>
    public bool NotStarted { get; private set; }

    public long Offset => _scanner?.Position ?? 0;

    /// <summary>Opens a segment. Throws <see cref="MmapFormatException"/> only for an unknown major version.</summary>
    /// <param name="path">The segment file.</param>
    /// <param name="number">Its number from its name (0 when its name has none).</param>
    /// <param name="lane">The lane it belongs to, as positions name it (empty: the first lane).</param>
    public static SegmentCursor Open(string path, long number, string lane = "")
    {
        var report = new SegmentReport { Path = path, Lane = lane };
        SegmentSource? source;
        string? notRegular;
        try
        {
            source = SegmentSource.Open(path, out notRegular);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            report.Problem = $"{Path.GetFileName(path)}: cannot open: {ex.Message}";
            return new SegmentCursor(null, report, null, number);
        }
        if (source is null)
        {
            // A FIFO, a device or a socket named like a segment: never opened for reading, so never waited on.
            report.Problem = $"{Path.GetFileName(path)}: not a regular file ({notRegular}); skipped";
            return new SegmentCursor(null, report, null, number);
        }
        if (source.Unreadable is string unreadable)
        {
            // A container whose header, index or trailer fails its checks: never read as an empty (prepared) segment.
            source.Dispose();
            report.Problem = $"{Path.GetFileName(path)}: compressed segment unreadable: {unreadable}";
            return new SegmentCursor(null, report, null, number);
        }
        report.Bytes = source.Length;
        ReadOnlySpan<byte> head = source.Read(0, FormatConstants.HeaderSize);
        if (SegmentHeader.IsNeverStarted(head))
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
    /// The header of the segment at <paramref name="path"/>, read without its records (a 128-byte read);
    /// null when it has no readable header (unreadable, damaged, prepared but never started).
    /// </summary>
    public static SegmentHeader? ReadHeader(string path)
    {
        try
        {
            using SegmentSource? source = SegmentSource.Open(path, FormatConstants.HeaderSize, out _);
            if (source is null) return null;
            ReadOnlySpan<byte> head = source.Read(0, FormatConstants.HeaderSize);
            if (SegmentHeader.IsNeverStarted(head)) return null;
            return SegmentHeader.TryParse(head, Path.GetFileName(path), out _);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or MmapFormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Moves a cursor that has read nothing yet to <paramref name="offset"/>, where the record of sequence
    /// <paramref name="sequence"/> starts (a place a reader resumes from), by hopping the frames before it
    /// on their length words: their checksums are not computed and their bodies not read, except the
    /// Definitions', which are checked and applied as reading would (the strings after the place need
    /// them). Every hop must land on a frame whose sequence is the one expected next, and the last exactly
    /// on the place; otherwise (damage, a place that is not a record's start) nothing is skipped, the
    /// cursor stays at the start, and false says the caller must read the frames (checking them) instead.
    /// Damage before the place is then neither read nor reported, as for any resumed read.
    /// </summary>
    public bool SkimTo(long offset, long sequence)
    {
        if (_scanner is null || _ended || Report.Records > 0 || _scanner.Position != FormatConstants.HeaderSize) return false;
        long events = 0;
        if (!Hop(offset, long.MaxValue, define: true, null, null, ref events, out long position, out long expected) || position != offset || expected != sequence) return false;
        _scanner.Seek(offset, sequence);
        _expected = sequence;
        return true;
    }

    /// <summary>The stamp of the segment's first event (records checked, nothing decoded); null when it has none before damage or its end.</summary>
    public long? FirstEventTicks()
    {
        while (MoveNext(resynchronise: false, EventHandling.None))
        {
            if (CurrentKind == MmapRecordKind.Event) return CurrentUtcTicks;
        }
        return null;
    }

    /// <summary>
    /// The place before the first Event record stamped at or after <paramref name="utcTicks"/>, found by
    /// hopping frames on their length words (nothing checked or decoded; <see cref="SkimTo"/> checks the
    /// landing), or the place after the last record when none is; null when the hops break (damage).
    /// </summary>
    public LogPosition? FindTime(long utcTicks)
    {
        if (_scanner is null || Report.Records > 0) return null;
        long events = 0;
        if (!Hop(long.MaxValue, utcTicks, define: false, null, null, ref events, out long position, out long expected)) return null;
        return new LogPosition(Number, position, expected) { Lane = Report.Lane };
    }

    /// <summary>
    /// Counts the segment's Event records by hopping frames (nothing checked or decoded), keeping the
    /// offsets and sequences of the last <c>offsets.Length</c> in a ring (event <c>k</c> at <c>k % Length</c>);
    /// false when the hops break on damage. Events after a hole (a zero length word) are not counted.
    /// </summary>
    public bool CountEvents(long[] offsets, long[] sequences, out long events)
    {
        events = 0;
        return _scanner is not null && Report.Records == 0 && Hop(long.MaxValue, long.MaxValue, define: false, offsets, sequences, ref events, out _, out _);
    }

    /// <summary>
    /// Hops frames from the first record until <paramref name="stopOffset"/>, the first Event stamped at or
    /// after <paramref name="stopTicks"/>, a seal, or the end of the records (a zero length word); false when
    /// a frame is implausible: a length out of range, a sequence other than the one expected, kind 0, or
    /// (with <paramref name="define"/>) a Definition whose checksum fails.
    /// </summary>
    private bool Hop(long stopOffset, long stopTicks, bool define, long[]? offsets, long[]? sequences, ref long events, out long position, out long expected)
    {
        position = FormatConstants.HeaderSize;
        expected = FirstSequence;
        long end = Math.Min(_source!.Length, Capacity);
        while (position < stopOffset)
        {
            ReadOnlySpan<byte> head = _source.Read(position, FormatConstants.FrameHeaderSize);
            if (head.Length < FormatConstants.FrameHeaderSize) return stopOffset == long.MaxValue;
            int length = RecordFrame.ReadLength(head);
            if (length == 0 && stopOffset == long.MaxValue) return true;
            if (length < FormatConstants.FrameHeaderSize || length > FormatConstants.MaxRecordLength || position + FormatConstants.Align(length) > end) return false;
            long sequence = RecordFrame.Sequence(head);
            if (sequence != expected) return false;
            RecordKind kind = RecordFrame.Kind(head);
            long next = sequence + 1;
            switch (kind)
            {
                case RecordKind.Event:
                    if (RecordFrame.Ticks(head) >= stopTicks) return true;
                    if (offsets is not null)
                    {
                        int slot = (int)(events % offsets.Length);
                        offsets[slot] = position;
                        sequences![slot] = sequence;
                    }
                    events++;
                    break;
                case RecordKind.Definition when define:
                {
                    ReadOnlySpan<byte> frame = _source.Read(position, FormatConstants.Align(length));
                    if (!RecordFrame.IsValid(frame, out int valid)) return false;
                    frame = frame.Slice(0, valid);
                    if (RecordFrame.TryReadDefinition(frame, out int id, out ReadOnlySpan<byte> value, out int valueOffset)) _strings.Define(id, value, position + valueOffset);
                    break;
                }
                case RecordKind.EndOfSegment:
                    return stopOffset == long.MaxValue;
                case RecordKind.Padding:
                case RecordKind.Unused:
                    next = sequence + PaddingRecord.Count(_source.Read(position, Math.Min(length, FormatConstants.FrameHeaderSize + 4)));
                    break;
                case 0:
                    return false;
            }
            expected = next;
            position += FormatConstants.Align(length);
        }
        return true;
    }

    /// <summary>
    /// The next valid record, or null. With <paramref name="resynchronise"/> damage is skipped and
    /// reported; without it the cursor stops at the first invalid byte (the live end while following).
    /// </summary>
    public MmapRecord? Next(bool resynchronise)
    {
        if (!MoveNext(resynchronise, EventHandling.Decode)) return null;
        var record = new MmapRecord(CurrentKind, CurrentSequence, CurrentUtcTicks, _currentLength, Report.Path, CurrentNext, CurrentEvent, CurrentError);
        if (CurrentEvent is { } evt) evt.Position = CurrentNext;
        return record;
    }

    /// <summary>
    /// Moves to the next valid record, allocating nothing unless <paramref name="events"/> asks to
    /// decode; false at the end. Definitions are applied, the report kept up to date.
    /// </summary>
    public bool MoveNext(bool resynchronise, EventHandling events)
    {
        CurrentEvent = null;
        CurrentError = null;
        if (_scanner is null || _ended) return false;
        if (Report.Sealed)
        {
            // Nothing follows EndOfSegment (FORMAT.md): what is there is not read, and reported when not zero.
            _ended = true;
            if (resynchronise && _scanner.NonZeroAfter(out ByteRange after)) Report.AddCorruptRange(after);
            return false;
        }
        while (true)
        {
            if (!_scanner.Next(resynchronise, out ScanItem item, out ReadOnlySpan<byte> frame))
            {
                return false;
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
                    Report.AddCorruptRange(new ByteRange(item.Offset, item.Length));
                    continue;
            }
            Accept(item, frame, events);
            return true;
        }
    }

    // Fields: read for every record (see StrRef).
    /// <summary>The current record's kind.</summary>
    public MmapRecordKind CurrentKind;
    public long CurrentSequence;
    public long CurrentUtcTicks;
    /// <summary>The current record's offset in the segment.</summary>
    public long CurrentOffset => _currentOffset;
    /// <summary>The current record's length, without padding.</summary>
    public int CurrentLength => _currentLength;
    /// <summary>Where reading resumes after the current record.</summary>
    public LogPosition CurrentNext;
    /// <summary>The decoded event (<see cref="EventHandling.Decode"/> only).</summary>
    public MmapEvent? CurrentEvent;
    /// <summary>Why the current record did not decode, or null.</summary>
    public string? CurrentError;

    /// <summary>The current record's bytes, valid until the cursor moves.</summary>
    public ReadOnlySpan<byte> CurrentFrame => _source!.Read(_currentOffset, _currentLength);

    /// <summary>The strings the segment has defined so far.</summary>
    public SegmentStrings Strings => _strings;

    /// <summary>With <see cref="EventHandling.None"/>: records whether the current event decoded.</summary>
    public void CountEvent(bool decodable)
    {
        if (decodable) Report.Events++;
        else Report.UndecodableRecords++;
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

    private void Accept(ScanItem item, ReadOnlySpan<byte> frame, EventHandling events)
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
                Report.AddGap(new SequenceGap(_expected, sequence));
            }
        }
        _afterHole = false;
        _expected = sequence + 1;
        Report.Records++;
        Report.FirstSequence ??= sequence;
        Report.LastSequence = sequence;

        _currentOffset = item.Offset;
        _currentLength = frame.Length;
        MmapEvent? evt = null;
        string? error = null;
        MmapRecordKind publicKind;
        switch (kind)
        {
            case RecordKind.Event:
                publicKind = MmapRecordKind.Event;
                if (events == EventHandling.Decode)
                {
                    evt = EventDecoder.Decode(frame, _strings, out error);
                    CountEvent(evt is not null);
                }
                else if (events == EventHandling.Validate)
                {
                    var validator = new ValidatingVisitor();
                    CountEvent(EventBodyWalker.Walk(frame, _strings, ref validator, out error));
                }
                break;
            case RecordKind.Definition:
                publicKind = MmapRecordKind.Definition;
                // The first definition of an id wins (FORMAT.md); a later one is ignored.
                if (RecordFrame.TryReadDefinition(frame, out int id, out ReadOnlySpan<byte> value, out int valueOffset)) _strings.Define(id, value, item.Offset + valueOffset);
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
                    foreach (ByteRange hole in _pendingHoles) Report.AddCorruptRange(hole);
                    _pendingHoles.Clear();
                }
                break;
            case RecordKind.Padding:
                publicKind = MmapRecordKind.Padding;
                uint count = PaddingRecord.Count(frame);
                // It stands for n numbers from its own; with n = 0 it takes none and the next record carries its sequence.
                _expected = sequence + count;
                Report.LostInCrash += count;
                Report.LastSequence = sequence + count - 1;
                break;
            case RecordKind.Unused:
                // Numbers a writer's claim block reserved and gave to no event: accounted for, never lost.
                publicKind = MmapRecordKind.Unused;
                uint unused = PaddingRecord.Count(frame);
                _expected = sequence + unused;
                Report.LastSequence = sequence + unused - 1;
                break;
            default:
                publicKind = MmapRecordKind.Unknown;
                break;
        }
        CurrentKind = publicKind;
        CurrentSequence = sequence;
        CurrentUtcTicks = RecordFrame.Ticks(frame);
        CurrentNext = new LogPosition(Number, item.Offset + FormatConstants.Align(item.Length), _expected) { Lane = Report.Lane };
        CurrentEvent = evt;
        CurrentError = error;
    }

    /// <summary>Called at the end of reading: holes left over are crash leftovers of an unsealed segment.</summary>
    public void Finish()
    {
        foreach (ByteRange hole in _pendingHoles)
        {
            if (_holesAreDamage) Report.AddCorruptRange(hole);
            else Report.AddHole(hole);
        }
        _pendingHoles.Clear();
    }

    /// <summary>
    /// For a compressed segment, the checks only <c>verify</c> pays for: the container's whole-file CRC
    /// and the CRC of every byte it holds; a damaged block met while reading is named. Nothing for a plain segment.
    /// </summary>
    public void CheckContainer()
    {
        if (_source?.Container is not { } container) return;
        Report.CompressedBytes = container.TrailerOffset + Compression.CompressedSegment.TrailerSize;
        var problems = new List<string>(_source.Damage);
        if (container.ComputeFileCrc() != container.FileCrc) problems.Add("the compressed segment's whole-file CRC does not match");
        uint crc = 0xFFFFFFFFu;
        for (long offset = 0; offset < _source.Length;)
        {
            int count = (int)Math.Min(container.BlockSize, _source.Length - offset);
            crc = Format.Crc32C.Append(crc, _source.Read(offset, count));
            offset += count;
        }
        if (~crc != container.RawCrc) problems.Add("the bytes the compressed segment holds do not match its CRC");
        if (problems.Count > 0)
        {
            string text = Path.GetFileName(Report.Path) + ": " + string.Join("; ", problems);
            Report.Problem = Report.Problem is null ? text : Report.Problem + "; " + text;
        }
    }

    public void Dispose() => _source?.Dispose();
}
