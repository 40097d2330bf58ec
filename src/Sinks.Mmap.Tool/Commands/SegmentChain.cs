using System.Collections.Generic;
using System.Linq;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>A gap between two segments: sequence numbers that no segment holds.</summary>
internal readonly record struct ChainGap(string AfterPath, string BeforePath, SequenceGap Gap);

/// <summary>
/// Checks that the segments' sequence ranges join up, within each lane. The reader reports a gap between two
/// segments with consecutive numbers; this also catches a segment that lost every record (or a
/// missing segment file) between two others, by comparing each segment with the last one that had
/// records.
/// </summary>
internal static class SegmentChain
{
    public static List<ChainGap> FindGaps(ValidationReport report) => FindGaps(report.Segments);

    public static List<ChainGap> FindGaps(IReadOnlyList<SegmentReport> segments)
    {
        var gaps = new List<ChainGap>();
        // Each lane has its own sequence numbers: a segment follows the last one of its own lane.
        var previousByLane = new Dictionary<string, SegmentReport>();
        foreach (SegmentReport segment in segments)
        {
            if (segment.FirstSequence is not { } first) continue;
            if (previousByLane.TryGetValue(segment.Lane, out SegmentReport? previous) && previous.LastSequence is { } last && first != last + 1)
            {
                var gap = new SequenceGap(last + 1, first);
                if (!segment.Gaps.Contains(gap)) gaps.Add(new ChainGap(previous.Path, segment.Path, gap));
            }
            previousByLane[segment.Lane] = segment;
        }
        return gaps;
    }
}
