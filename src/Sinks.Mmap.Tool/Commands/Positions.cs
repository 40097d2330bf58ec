using System.Collections.Generic;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>Combining where reading may start: --from, --since and --tail each give a place per lane.</summary>
internal static class Positions
{
    /// <summary>
    /// In every lane, the later of the two places (a lane a position does not name starts at its
    /// beginning, so the other's place is later); null when neither names any lane.
    /// </summary>
    public static LogPosition? Later(LogPosition? a, LogPosition? b)
    {
        if (a is null) return b;
        if (b is null) return a;
        var places = new List<LogPosition>();
        foreach (LogPosition place in a.Value.Lanes) places.Add(place);
        foreach (LogPosition other in b.Value.Lanes)
        {
            int index = places.FindIndex(p => p.Lane == other.Lane);
            if (index < 0) places.Add(other);
            else if (IsAfter(other, places[index])) places[index] = other;
        }
        return LogPosition.FromLanes(places);
    }

    /// <summary>True when <paramref name="x"/> lies after <paramref name="y"/> in the same lane.</summary>
    private static bool IsAfter(LogPosition x, LogPosition y) =>
        x.SegmentNumber > y.SegmentNumber || (x.SegmentNumber == y.SegmentNumber && x.NextSequence > y.NextSequence);
}
