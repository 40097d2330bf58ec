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
    /// in the segment before the first one created after that time (records in earlier segments were
    /// written before a later segment was created, so before the time), the first event at or after it,
    /// found by hopping frames on their length words (<see cref="SegmentCursor.FindTime"/>; the reader checks
    /// the landing). Every record before that place in the segment is stamped earlier, so nothing is lost.
    /// Null for the lane's start, also when the headers' times go backwards (a clock stepped back: nothing
    /// can be skipped safely).
    /// </summary>
    public static LogPosition? TimeStart(LogLane lane, long utcTicks)
    {
        long[] created = CreatedTimes(lane, out bool ordered);
        if (!ordered) return null;
        for (int i = lane.Segments.Count - 1; i >= 0; i--)
        {
            if (created[i] != 0 && created[i] < utcTicks)
            {
                // Inside that segment, the first event at or after the time, found by hopping frames;
                // the segment's start when the hops break on damage.
                (long number, string path) = lane.Segments[i];
                using SegmentCursor cursor = SegmentCursor.Open(path, number, lane.Key);
                if (!cursor.IsReadable) return null;
                if (number > 0 && cursor.FindTime(utcTicks) is { } place && place.SegmentNumber == number) return place;
                return SegmentStart(lane, number, cursor.FirstSequence);
            }
        }
        return null;
    }

    /// <summary>Each segment's creation time (0 when its header is unreadable or it never started), and whether they never go back.</summary>
    private static long[] CreatedTimes(LogLane lane, out bool ordered)
    {
        var created = new long[lane.Segments.Count];
        ordered = true;
        long last = long.MinValue;
        for (int i = 0; i < created.Length; i++)
        {
            created[i] = SegmentCursor.ReadHeader(lane.Segments[i].Path)?.CreatedUtcTicks ?? 0;
            if (created[i] == 0) continue;
            if (created[i] < last) ordered = false;
            last = created[i];
        }
        return created;
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
