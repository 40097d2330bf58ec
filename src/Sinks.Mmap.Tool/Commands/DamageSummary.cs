using System.Collections.Generic;
using System.Globalization;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>
/// What a read skipped because it could not be read: unreadable segments (a damaged header, not a
/// segment, not a regular file), damaged ranges, records that do not decode, sequence numbers that no
/// record holds. Torn tails and holes a crash leaves are not damage (as <c>verify</c> counts them). Said
/// in one line on stderr after every read, so nothing is skipped silently.
/// </summary>
internal sealed class DamageSummary
{
    public int UnreadableSegments { get; private set; }
    public string? FirstProblem { get; private set; }
    public int DamagedRanges { get; private set; }
    public long DamagedBytes { get; private set; }
    public long UndecodableRecords { get; private set; }
    public int Gaps { get; private set; }

    public bool Any => UnreadableSegments + DamagedRanges + Gaps > 0 || UndecodableRecords > 0;

    /// <summary>
    /// The damage in <paramref name="reports"/>, leaving out what lies before <paramref name="from"/> (read
    /// again to resume, and reported by the run that printed it).
    /// </summary>
    public static DamageSummary Of(IReadOnlyList<SegmentReport> reports, LogPosition? from)
    {
        var summary = new DamageSummary();
        foreach (SegmentReport report in reports)
        {
            if (report.Problem is { } problem)
            {
                summary.UnreadableSegments++;
                summary.FirstProblem ??= problem;
            }
            LogPosition? place = from?.ForLane(report.Lane);
            bool resumed = place is { } f && report.SegmentNumber == f.SegmentNumber;
            foreach (ByteRange range in report.CorruptRanges)
            {
                if (resumed && range.Offset + range.Length <= place!.Value.Offset) continue;
                summary.DamagedRanges++;
                summary.DamagedBytes += range.Length;
            }
            foreach (SequenceGap gap in report.Gaps)
            {
                if (place is { } g && gap.Found < g.NextSequence) continue;
                summary.Gaps++;
            }
            summary.UndecodableRecords += report.UndecodableRecords;
        }
        foreach (ChainGap gap in SegmentChain.FindGaps(reports))
        {
            if (from?.ForLane(LaneOf(reports, gap.BeforePath)) is { } g && gap.Gap.Found < g.NextSequence) continue;
            summary.Gaps++;
        }
        return summary;
    }

    private static string LaneOf(IReadOnlyList<SegmentReport> reports, string path)
    {
        foreach (SegmentReport report in reports)
        {
            if (report.Path == path) return report.Lane;
        }
        return "";
    }

    /// <summary>Only records that did not decode (what a follower, which reads no damage past the live end, can skip).</summary>
    public static DamageSummary OfUndecodable(long count) => new() { UndecodableRecords = count };

    /// <summary>One line, e.g. "1 unreadable segment (…), 2 damaged ranges (4,160 bytes), 3 undecodable records, 1 sequence gap".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (UnreadableSegments > 0) parts.Add(Count(UnreadableSegments, "unreadable segment") + $" ({FirstProblem}{(UnreadableSegments > 1 ? ", …" : "")})");
        if (DamagedRanges > 0) parts.Add(Count(DamagedRanges, "damaged range") + $" ({DamagedBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)");
        if (UndecodableRecords > 0) parts.Add(Count(UndecodableRecords, "undecodable record"));
        if (Gaps > 0) parts.Add(Count(Gaps, "sequence gap"));
        return "skipped what could not be read: " + string.Join(", ", parts) + "; 'mmaplog verify' shows where";
    }

    private static string Count(long n, string what) => n.ToString("N0", CultureInfo.InvariantCulture) + " " + what + (n == 1 ? "" : "s");
}
