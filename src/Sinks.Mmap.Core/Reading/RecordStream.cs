using System;
using System.Collections.Generic;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Reading;

/// <summary>
/// The records of a log, in sequence order, as <see cref="MmapLogReader.ReadRecords"/> yields them,
/// but as frames: nothing is decoded unless asked, so a record costs no allocation. Damage is skipped
/// exactly as <see cref="MmapLogReader.ReadRecords"/> skips it.
/// </summary>
internal sealed class RecordStream : IDisposable
{
    private readonly IReadOnlyList<(long Number, string Path)> _segments;
    private readonly LogPosition? _from;
    private readonly List<SegmentReport> _reports = new();
    private int _next;
    private SegmentCursor? _cursor;

    public RecordStream(IReadOnlyList<(long Number, string Path)> segments, LogPosition? from)
    {
        _segments = segments;
        _from = from;
    }

    private SegmentCursor Cursor => _cursor ?? throw new InvalidOperationException("no current record");

    /// <summary>Moves to the next valid record of any kind; false at the end.</summary>
    public bool MoveNext()
    {
        while (true)
        {
            if (_cursor is not null)
            {
                while (_cursor.MoveNext(resynchronise: true, SegmentCursor.EventHandling.None))
                {
                    if (_from is { } f && _cursor.CurrentSequence < f.NextSequence) continue;
                    return true;
                }
                _cursor.Finish();
                _cursor.Dispose();
                _cursor = null;
            }
            if (_next >= _segments.Count) return false;
            (long number, string path) = _segments[_next++];
            if (_from is { } start && number != 0 && number < start.SegmentNumber) continue;
            _cursor = SegmentCursor.Open(path, number);
            if (!_cursor.NotStarted) _reports.Add(_cursor.Report);
            SegmentIndex++;
        }
    }

    /// <summary>
    /// What reading found in each segment opened so far (prepared segments never started are left out):
    /// unreadable headers, damaged ranges, gaps, undecodable records (events as the caller reported
    /// them with <see cref="CountEvent"/>). Complete once <see cref="MoveNext"/> has returned false.
    /// </summary>
    public IReadOnlyList<SegmentReport> Reports => _reports;

    /// <summary>Changes whenever reading moves to another segment (interned strings belong to one segment).</summary>
    public int SegmentIndex { get; private set; }

    /// <summary>Records in the current segment's report whether the current Event record decoded.</summary>
    public void CountEvent(bool decodable) => Cursor.CountEvent(decodable);

    /// <summary>The current Event record's fields before its properties (see <see cref="EventBodyWalker.TryReadHead"/>).</summary>
    public bool TryReadHead(out EventHead head) => EventBodyWalker.TryReadHead(Cursor.CurrentFrame, Cursor.Strings, out head, out _);

    public MmapRecordKind Kind => Cursor.CurrentKind;
    public long Sequence => Cursor.CurrentSequence;
    public long UtcTicks => Cursor.CurrentUtcTicks;

    /// <summary>The level byte of the frame (meaningful for events that decode).</summary>
    public MmapLevel Level => (MmapLevel)Cursor.CurrentFrame[25];

    /// <summary>Length in bytes without padding.</summary>
    public int Length => Cursor.CurrentLength;

    /// <summary>Where reading resumes after this record.</summary>
    public LogPosition Next => Cursor.CurrentNext;

    /// <summary>True when the current Event record decodes; checks without allocating.</summary>
    public bool EventDecodes()
    {
        var validator = new ValidatingVisitor();
        return EventBodyWalker.Walk(Cursor.CurrentFrame, Cursor.Strings, ref validator, out _);
    }

    /// <summary>The current Event record decoded, or null when it does not decode.</summary>
    public MmapEvent? DecodeEvent()
    {
        MmapEvent? evt = EventDecoder.Decode(Cursor.CurrentFrame, Cursor.Strings, out _);
        if (evt is not null) evt.Position = Next;
        return evt;
    }

    /// <summary>Appends the current Event record's CLEF line to <paramref name="output"/> (see <see cref="ClefUtf8Writer"/>).</summary>
    public ClefFrameResult WriteClef(ClefUtf8Writer writer, Utf8Buffer output) =>
        writer.Write(Cursor.CurrentFrame, Cursor.Strings, output);

    /// <summary>As <see cref="WriteClef"/>, handing <paramref name="output"/> to <paramref name="spill"/> as it fills (see <see cref="ClefUtf8Writer.WriteStreaming"/>).</summary>
    public ClefFrameResult WriteClefStreaming(ClefUtf8Writer writer, Utf8Buffer output, Action<Utf8Buffer> spill) =>
        writer.WriteStreaming(Cursor.CurrentFrame, Cursor.Strings, output, spill);

    /// <summary>The size of the current Event record's CLEF line (see <see cref="ClefUtf8Writer.Measure"/>).</summary>
    public ClefFrameResult MeasureClef(ClefUtf8Writer writer, out long bytes) =>
        writer.Measure(Cursor.CurrentFrame, Cursor.Strings, out bytes);

    public void Dispose()
    {
        _cursor?.Finish();
        _cursor?.Dispose();
        _cursor = null;
    }
}
