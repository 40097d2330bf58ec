using System.Collections.Generic;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>A gap between two segments: sequence numbers that no segment holds.</summary>
internal readonly record struct ChainGap(string AfterPath, string BeforePath, SequenceGap Gap);

/// <summary>
/// Checks that the segments' sequence ranges join up across a missing number, within each lane. Two
/// segments with consecutive numbers are the reader's to check (<see cref="MmapLogReader.Validate"/>
/// reports a gap there, or numbers lost in a crash when the first was left unsealed); this catches a
/// segment that lost every record (or a missing segment file) between two others, by comparing each
/// segment with the last one that had records.
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
            if (previousByLane.TryGetValue(segment.Lane, out SegmentReport? previous) && previous.LastSequence is { } last && first != last + 1
                && previous.SegmentNumber + 1 != segment.SegmentNumber)
            {
                gaps.Add(new ChainGap(previous.Path, segment.Path, new SequenceGap(last + 1, first)));
            }
            previousByLane[segment.Lane] = segment;
        }
        return gaps;
    }
}
