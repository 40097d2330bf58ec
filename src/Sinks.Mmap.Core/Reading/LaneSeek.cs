using System;
using System.Collections.Generic;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Where to start or stop reading a lane, found from its segments' headers (one 128-byte read each) or,
/// for the tail, by scanning its newest segments' frames (checked, never decoded), so a tail or a
/// time-bounded read costs what it reads, not the log's size.
/// </summary>
/// <remarks>
/// Why whole segments: a segment's records can only be read from its start, since the strings its
/// events use are defined anywhere before them (FORMAT.md, <em>Interning</em>) and a frame has no link
/// to the one before it. A reader resumed inside a segment therefore scans the frames before its place
/// (checksums only, no event body walked) and starts decoding there; the seeks here choose the segment.
/// </remarks>
internal static class LaneSeek
{
    /// <summary>
    /// How far past a read's end time a lane's events must be stamped before the read stops that lane:
    /// an event is stamped when it is logged and written a little later (an async wrapper, a batch), so a
    /// lane's stamps may go back by that much. Event stamps, not segment headers, decide the end: a log of
    /// events stamped in the past (imported, replayed) has headers far later than its events.
    /// </summary>
    public static readonly long UntilSlackTicks = TimeSpan.FromMinutes(5).Ticks;

    /// <summary>The most event places a tail remembers while scanning a segment; past it, the tail starts at a segment's start.</summary>
    private const long MaxRemembered = 1 << 20;

    /// <summary>
    /// The place just before the <paramref name="events"/>-th last Event record of <paramref name="lane"/>,
    /// scanning its segments from the newest back (each once, hopping frames on their length words, no event
    /// decoded; the reader checks the landing); null when
    /// the lane holds no more than that (read it all). A tail of more than <see cref="MaxRemembered"/>
    /// events starts at the start of the segment that holds the first of them.
    /// </summary>
    public static LogPosition? TailStart(LogLane lane, long events)
    {
        long found = 0;
        for (int i = lane.Segments.Count - 1; i >= 0; i--)
        {
            (long number, string path) = lane.Segments[i];
            using SegmentCursor cursor = SegmentCursor.Open(path, number, lane.Key);
            if (!cursor.IsReadable) continue;
            long need = events - found;
            // The places of this segment's last `need` events, in a ring.
            int capacity = (int)Math.Min(need, MaxRemembered);
            var offsets = new long[capacity];
            var sequences = new long[capacity];
            // Hopping frames on their length words first; reading (checking) them where the hops break on damage.
            if (!cursor.CountEvents(offsets, sequences, out long here))
            {
                here = 0;
                while (cursor.MoveNext(resynchronise: true, SegmentCursor.EventHandling.None))
                {
                    if (cursor.CurrentKind != MmapRecordKind.Event) continue;
                    int slot = (int)(here % capacity);
                    offsets[slot] = cursor.CurrentOffset;
                    sequences[slot] = cursor.CurrentSequence;
                    here++;
                }
            }
            if (here >= need)
            {
                if (need > capacity) return SegmentStart(lane, number, cursor.FirstSequence);
                int first = (int)((here - need) % capacity);
                return number <= 0 ? null : new LogPosition(number, offsets[first], sequences[first]) { Lane = lane.Key };
            }
            found += here;
        }
        return null;
    }

    /// <summary>
    /// The place in <paramref name="lane"/> before its first record stamped at or after <paramref name="utcTicks"/>:
    /// in the newest segment whose first event is stamped before that time (a lane's stamps only move
    /// on, as the merge and <see cref="SegmentCursor.FindTime"/> assume), the first event at or after it,
    /// found by hopping frames on their length words (the reader checks the landing). Segments are chosen by
    /// their first event's stamp, read from the newest segment back, not by their header's creation time:
    /// events may be stamped later than the writer's clock (a producer's clock ahead, a far-future stamp),
    /// and a header time would then skip them. Null for the lane's start.
    /// </summary>
    public static LogPosition? TimeStart(LogLane lane, long utcTicks)
    {
        for (int i = lane.Segments.Count - 1; i >= 0; i--)
        {
            (long number, string path) = lane.Segments[i];
            using SegmentCursor cursor = SegmentCursor.Open(path, number, lane.Key);
            if (!cursor.IsReadable) return null;
            long? first = cursor.FirstEventTicks();
            // Strictly before: events stamped exactly at the time may end the segment before.
            if (first is null || first >= utcTicks) continue;
            // Inside that segment, the first event at or after the time; the segment's start when the hops break on damage.
            using SegmentCursor seek = SegmentCursor.Open(path, number, lane.Key);
            if (number > 0 && seek.FindTime(utcTicks) is { } place && place.SegmentNumber == number) return place;
            return SegmentStart(lane, number, seek.FirstSequence);
        }
        return null;
    }

    /// <summary>The place before a segment's first record; null for a segment whose name has no number (read alone).</summary>
    private static LogPosition? SegmentStart(LogLane lane, long number, long firstSequence) =>
        number <= 0 || firstSequence <= 0 ? null : new LogPosition(number, FormatConstants.HeaderSize, firstSequence) { Lane = lane.Key };

    /// <summary>The lanes' places joined into one position; null when every lane starts at its beginning.</summary>
    public static LogPosition? Join(IReadOnlyList<LogLane> lanes, Func<LogLane, LogPosition?> place)
    {
        var places = new List<LogPosition>(lanes.Count);
        foreach (LogLane lane in lanes)
        {
            if (place(lane) is { } p) places.Add(p);
        }
        if (places.Count == 0) return null;
        return places[0].With(places.Count > 1 ? places.GetRange(1, places.Count - 1).ToArray() : null);
    }
}
