using System;
using System.Collections.Generic;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Merges the lanes of a log (FORMAT.md, <em>Lanes</em>) while following, by timestamp: each lane's
/// records stay in their order, the earliest next record of all lanes comes next, and the first lane
/// wins a tie. Each record merged this way carries every lane's place in its position, so a read
/// resumed from it continues each lane where the merged read stopped. (A read to the end merges in
/// <see cref="MmapRecordStream"/>.)
/// </summary>
internal static class LaneMerge
{
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
}
