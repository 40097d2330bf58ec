using System.Collections.Generic;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>A gap between two segments: sequence numbers that no segment holds.</summary>
internal readonly record struct ChainGap(string AfterPath, string BeforePath, SequenceGap Gap);

/// <summary>
/// Checks that the segments' sequence ranges join up. The reader reports a gap between two
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
        SegmentReport? previous = null;
        foreach (SegmentReport segment in segments)
        {
            if (segment.FirstSequence is not { } first) continue;
            if (previous is { LastSequence: { } last } && first != last + 1)
            {
                var gap = new SequenceGap(last + 1, first);
                if (!segment.Gaps.Contains(gap)) gaps.Add(new ChainGap(previous.Path, segment.Path, gap));
            }
            previous = segment;
        }
        return gaps;
    }
}
