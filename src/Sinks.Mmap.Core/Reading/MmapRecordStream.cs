using System;
using System.Collections.Generic;
using Sinks.Mmap.Reading;

namespace Sinks.Mmap;

/// <summary>
/// The records of a log as frames, one at a time: each lane's in sequence order, the lanes of a log
/// that several writers shared merged by timestamp, damage skipped. Nothing is decoded unless asked,
/// so moving to a record costs no allocation. <see cref="MmapLogReader.ReadRecords"/> reads through it.
/// </summary>
public sealed class MmapRecordStream : IDisposable
{
    private readonly LaneReader[] _lanes;
    private readonly List<SegmentReport> _reports = new();
    private int _current = -1;
    // Whether the current Event record decodes, once a look at its body told (0: not looked): counted in its
    // segment's report when the stream moves on, so each record counts once, however many looks it had.
    private byte _verdict;

    internal MmapRecordStream(IReadOnlyList<LogLane> lanes, LogPosition? from, long? untilUtcTicks = null)
    {
        _lanes = new LaneReader[lanes.Count];
        for (int i = 0; i < lanes.Count; i++)
        {
            long stop = untilUtcTicks is { } until && until < DateTime.MaxValue.Ticks - LaneSeek.UntilSlackTicks ? until + LaneSeek.UntilSlackTicks : long.MaxValue;
            _lanes[i] = new LaneReader(lanes[i], from?.ForLane(lanes[i].Key), _reports, stop);
        }
    }

    private SegmentCursor Cursor => _current >= 0 ? _lanes[_current].Cursor! : throw new InvalidOperationException("no current record");

    /// <summary>Moves to the next valid record of any kind, the lanes merged by time; false at the end.</summary>
    /// <returns>True when there is a current record.</returns>
    public bool MoveNext()
    {
        CountVerdict();
        if (_current < 0)
        {
            foreach (LaneReader lane in _lanes) lane.Advance();
        }
        else
        {
            _lanes[_current].Advance();
        }
        // Of the lanes' next records: one that is not an event (its time orders nothing), else the
        // earliest event, the first lane on a tie.
        _current = -1;
        for (int i = 0; i < _lanes.Length; i++)
        {
            if (!_lanes[i].HasRecord) continue;
            if (_lanes[i].Cursor!.CurrentKind != MmapRecordKind.Event)
            {
                _current = i;
                break;
            }
            if (_current < 0 || _lanes[i].Cursor!.CurrentUtcTicks < _lanes[_current].Cursor!.CurrentUtcTicks)
            {
                _current = i;
            }
        }
        return _current >= 0;
    }

    /// <summary>One lane's segments, read one after another; its cursor rests on its next record.</summary>
    private sealed class LaneReader
    {
        private readonly LogLane _lane;
        private readonly LogPosition? _from;
        private readonly List<SegmentReport> _reports;
        private readonly long _stopTicks;
        private int _next;

        public LaneReader(LogLane lane, LogPosition? from, List<SegmentReport> reports, long stopTicks)
        {
            _lane = lane;
            _stopTicks = stopTicks;
            _from = from;
            _reports = reports;
            Place = from?.Alone;
        }

        // Fields: read for every record (see StrRef).
        public SegmentCursor? Cursor;
        public bool HasRecord;
        public LogPosition? Place;

        public void Advance()
        {
            if (HasRecord) Place = Cursor!.CurrentNext;
            HasRecord = false;
            while (true)
            {
                if (Cursor is not null)
                {
                    while (Cursor.MoveNext(resynchronise: true, SegmentCursor.EventHandling.None))
                    {
                        if (_from is { } f && Cursor.CurrentSequence < f.NextSequence) continue;
                        if (Cursor.CurrentKind == MmapRecordKind.Event && Cursor.CurrentUtcTicks >= _stopTicks)
                        {
                            // Well past the read's end time: the rest of this lane is later still (see LaneSeek.UntilSlackTicks).
                            Close();
                            _next = _lane.Segments.Count;
                            return;
                        }
                        HasRecord = true;
                        return;
                    }
                    Close();
                }
                if (_next >= _lane.Segments.Count) return;
                (long number, string path) = _lane.Segments[_next++];
                if (_from is { } start && number != 0 && number < start.SegmentNumber) continue;
                Cursor = SegmentCursor.Open(path, number, _lane.Key);
                if (!Cursor.NotStarted) _reports.Add(Cursor.Report);
                // Resuming inside this segment: hop to the place (frames before it unchecked, definitions applied);
                // if the hops do not land there, the frames are read and checked, and skipped by sequence.
                if (_from is { } place && place.SegmentNumber == number && place.Offset > Format.FormatConstants.HeaderSize) Cursor.SkimTo(place.Offset, place.NextSequence);
            }
        }

        public void Close()
        {
            Cursor?.Finish();
            Cursor?.Dispose();
            Cursor = null;
        }
    }

    /// <summary>
    /// What reading found in each segment opened so far (prepared segments never started are left out):
    /// unreadable headers, damaged ranges, gaps, and the Event records whose bodies were looked at
    /// (<see cref="EventDecodes"/>, <see cref="DecodeEvent"/>, a <see cref="PropertyPrefilter"/>, a
    /// <see cref="Rendering.ClefWriter"/>), as events or undecodable records; one passed over by its frame alone is
    /// in neither count. Complete once <see cref="MoveNext"/> has returned false.
    /// </summary>
    public IReadOnlyList<SegmentReport> Reports
    {
        get
        {
            CountVerdict();
            return _reports;
        }
    }

    /// <summary>Something looked at the current Event record's body and found that it decodes, or not.</summary>
    internal void NoteDecodes(bool decodes)
    {
        if (_verdict == 0) _verdict = decodes ? (byte)1 : (byte)2;
    }

    private void CountVerdict()
    {
        if (_verdict == 0) return;
        if (_current >= 0) Cursor.CountEvent(_verdict == 1);
        _verdict = 0;
    }

    /// <summary>
    /// The current Event record's timestamp and message template, read from the start of its body
    /// without decoding the rest (its properties); false when that start is damaged.
    /// </summary>
    /// <param name="timestamp">The event's time, with the UTC offset its writer had (as <see cref="MmapEvent.Timestamp"/>).</param>
    /// <param name="messageTemplate">The message template, or null when the event has none (a rendered message only).</param>
    /// <returns>True when the fields could be read.</returns>
    public bool TryReadEventHead(out DateTimeOffset timestamp, out string? messageTemplate)
    {
        if (!EventBodyWalker.TryReadHead(Cursor.CurrentFrame, Cursor.Strings, out EventHead head, out _))
        {
            timestamp = default;
            messageTemplate = null;
            return false;
        }
        timestamp = EventBodyWalker.Timestamp(head.UtcTicks, head.OffsetMinutes);
        messageTemplate = head.Template.Interned is { } interned ? interned.Value
            : head.Template.IsNull ? null
            : System.Text.Encoding.UTF8.GetString(head.Template.Inline);
        return true;
    }

    /// <summary>The current record's kind.</summary>
    public MmapRecordKind Kind => Cursor.CurrentKind;
    /// <summary>The current record's sequence number (in its lane).</summary>
    public long Sequence => Cursor.CurrentSequence;
    /// <summary>The current record's UTC timestamp in ticks, as its frame holds it.</summary>
    public long UtcTicks => Cursor.CurrentUtcTicks;

    /// <summary>The level byte of the frame (meaningful for events that decode).</summary>
    public MmapLevel Level => (MmapLevel)Cursor.CurrentFrame[25];

    /// <summary>The current record's length in bytes, without padding.</summary>
    public int Length => Cursor.CurrentLength;

    /// <summary>Where reading resumes after this record (with every lane's place, when there are several).</summary>
    // One lane (the common case) stays small enough to inline: the other lanes' places are gathered
    // out of line, whose large frame would otherwise be set up for every record `cat` prints.
    public LogPosition Next => _lanes.Length == 1 ? Cursor.CurrentNext : NextWithOtherLanes();

    private LogPosition NextWithOtherLanes()
    {
        var others = new List<LogPosition>(_lanes.Length - 1);
        for (int i = 0; i < _lanes.Length; i++)
        {
            if (i != _current && _lanes[i].Place is { } place) others.Add(place.Alone);
        }
        return Cursor.CurrentNext.With(others.ToArray());
    }

    /// <summary>Walks the current Event record's body with <paramref name="visitor"/>; false when it does not decode.</summary>
    internal bool WalkEvent<TVisitor>(ref TVisitor visitor) where TVisitor : struct, IEventBodyVisitor
    {
        bool decodes = EventBodyWalker.Walk(Cursor.CurrentFrame, Cursor.Strings, ref visitor, out _);
        NoteDecodes(decodes);
        return decodes;
    }

    /// <summary>
    /// True when the current Event record decodes; checks without allocating. The answer is counted in the
    /// segment's report (<see cref="Reports"/>): call it on an event passed over, so a damaged one is still counted.
    /// </summary>
    public bool EventDecodes()
    {
        var validator = new ValidatingVisitor();
        return WalkEvent(ref validator);
    }

    /// <summary>The current Event record decoded, or null when it does not decode (counted in <see cref="Reports"/>).</summary>
    /// <returns>The event, its <see cref="MmapEvent.Position"/> set to <see cref="Next"/>.</returns>
    public MmapEvent? DecodeEvent()
    {
        MmapEvent? evt = EventDecoder.Decode(Cursor.CurrentFrame, Cursor.Strings, out _);
        NoteDecodes(evt is not null);
        if (evt is not null) evt.Position = Next;
        return evt;
    }

    /// <summary>
    /// The current record as <see cref="MmapLogReader.ReadRecords"/> yields it: an Event record decoded
    /// (and counted in its segment's report), its position carrying every lane's place.
    /// </summary>
    internal MmapRecord ToRecord()
    {
        MmapEvent? evt = null;
        string? error = Cursor.CurrentError; // a bad definition's
        if (Kind == MmapRecordKind.Event)
        {
            evt = EventDecoder.Decode(Cursor.CurrentFrame, Cursor.Strings, out error);
            NoteDecodes(evt is not null);
        }
        LogPosition next = Next;
        if (evt is not null) evt.Position = next;
        return new MmapRecord(Kind, Sequence, UtcTicks, Length, Cursor.Report.Path, next, evt, error);
    }

    /// <summary>The current record's bytes, valid until the stream moves.</summary>
    internal ReadOnlySpan<byte> CurrentFrame => Cursor.CurrentFrame;

    /// <summary>The strings the current record's segment has defined so far.</summary>
    internal SegmentStrings Strings => Cursor.Strings;

    /// <summary>Closes the segments open for reading.</summary>
    public void Dispose()
    {
        foreach (LaneReader lane in _lanes) lane.Close();
        _current = -1;
    }
}
