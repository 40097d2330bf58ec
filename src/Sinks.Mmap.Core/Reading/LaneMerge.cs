using System;
using System.Collections.Generic;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Merges the lanes of a log (FORMAT.md, <em>Lanes</em>) by timestamp: each lane's records stay in their
/// order, the earliest next record of all lanes comes next, and the first lane wins a tie. Each record
/// merged this way carries every lane's place in its position, so a read resumed from it continues each
/// lane where the merged read stopped.
/// </summary>
internal static class LaneMerge
{
    /// <summary>The records of <paramref name="lanes"/>, each read by <paramref name="read"/> from its place in <paramref name="from"/>, merged.</summary>
    public static IEnumerable<MmapRecord> Merge(IReadOnlyList<LogLane> lanes, LogPosition? from, Func<LogLane, LogPosition?, IEnumerable<MmapRecord>> read)
    {
        int count = lanes.Count;
        var records = new IEnumerator<MmapRecord>[count];
        var places = new LogPosition?[count];
        var live = new bool[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                places[i] = from?.ForLane(lanes[i].Key);
                records[i] = read(lanes[i], places[i]).GetEnumerator();
                live[i] = records[i].MoveNext();
            }
            while (true)
            {
                int earliest = Earliest(live, records);
                if (earliest < 0) yield break;
                MmapRecord record = records[earliest].Current;
                places[earliest] = record.Next;
                yield return record.WithNext(Combine(record.Next, places, earliest));
                live[earliest] = records[earliest].MoveNext();
            }
        }
        finally
        {
            foreach (IEnumerator<MmapRecord>? lane in records) lane?.Dispose();
        }
    }

    /// <summary>
    /// The lane whose next record comes next: one that is not an event first (definitions, padding and
    /// seals carry the time they were written, not an event's, and order nothing), else the earliest event.
    /// </summary>
    private static int Earliest(bool[] live, IEnumerator<MmapRecord>[] records)
    {
        int earliest = -1;
        for (int i = 0; i < records.Length; i++)
        {
            if (!live[i]) continue;
            MmapRecord record = records[i].Current;
            if (record.Kind != MmapRecordKind.Event) return i;
            if (earliest < 0 || record.TimestampUtc < records[earliest].Current.TimestampUtc) earliest = i;
        }
        return earliest;
    }

    /// <summary>The follower holding the earliest waiting record, and that record, taken; null when none waits.</summary>
    public static (LaneFollower Follower, MmapRecord Record)? TakeEarliest(List<LaneFollower> followers)
    {
        LaneFollower? earliest = null;
        foreach (LaneFollower follower in followers)
        {
            if (follower.Waiting is { } record && (earliest is null || record.TimestampUtc < earliest.Waiting!.TimestampUtc)) earliest = follower;
        }
        return earliest is null ? null : (earliest, earliest.Take());
    }

    /// <summary><paramref name="own"/> with the other followers' places.</summary>
    public static LogPosition Combine(LogPosition own, List<LaneFollower> followers, LaneFollower self)
    {
        var others = new List<LogPosition>(followers.Count - 1);
        foreach (LaneFollower follower in followers)
        {
            if (follower != self && follower.Place is { } place) others.Add(place.Alone);
        }
        return own.Alone.With(others.ToArray());
    }

    /// <summary><paramref name="own"/> with the places in <paramref name="places"/> but its own.</summary>
    public static LogPosition Combine(LogPosition own, LogPosition?[] places, int self)
    {
        var others = new List<LogPosition>(places.Length - 1);
        for (int i = 0; i < places.Length; i++)
        {
            if (i != self && places[i] is { } place) others.Add(place.Alone);
        }
        return own.Alone.With(others.ToArray());
    }
}
