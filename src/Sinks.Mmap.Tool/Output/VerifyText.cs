using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Sinks.Mmap.Tool.Commands;

namespace Sinks.Mmap.Tool.Output;

/// <summary>The human-readable verify report: one block a segment, then a verdict line.</summary>
internal static class VerifyText
{
    public static void Write(ValidationReport report, List<ChainGap> chainGaps, TextWriter output, bool colour)
    {
        long records = 0, events = 0, bytes = 0;
        foreach (SegmentReport s in report.Segments)
        {
            records += s.Records;
            events += s.Events;
            bytes += s.Bytes;
            string verdict = s.IsClean ? Ansi.Paint("ok", Ansi.Green, colour) : Ansi.Paint("CORRUPT", Ansi.Red, colour);
            output.WriteLine(I($"{s.Path}: {verdict}"));
            if (s.Problem is not null)
            {
                output.WriteLine("  problem: " + s.Problem);
            }
            output.WriteLine(I($"  segment {Text(s.SegmentNumber)}, {s.Bytes} bytes, {(s.Sealed ? "sealed" : "not sealed")}"));
            output.WriteLine(I($"  records {s.Records}, events {s.Events}, sequences {Text(s.FirstSequence)}..{Text(s.LastSequence)}"));
            if (s.TornTail is { } tail) output.WriteLine(I($"  torn tail: {tail.Length} bytes at offset {tail.Offset} (normal after a crash)"));
            if (s.Holes.Count > 0) output.WriteLine(I($"  holes: {s.Holes.Count} ({Ranges(s.Holes)})"));
            if (s.LostInCrash > 0) output.WriteLine(I($"  lost in crash: {s.LostInCrash} sequence number(s)"));
            if (s.CorruptRanges.Count > 0) output.WriteLine(I($"  corrupt ranges: {s.CorruptRanges.Count} ({Ranges(s.CorruptRanges)})"));
            if (s.Gaps.Count > 0) output.WriteLine("  gaps: " + string.Join(", ", s.Gaps.Take(10).Select(g => I($"{g.Expected}..{g.Found - 1}"))) + (s.Gaps.Count > 10 ? ", ..." : ""));
            if (s.UndecodableRecords > 0) output.WriteLine(I($"  undecodable records: {s.UndecodableRecords}"));
        }
        foreach (ChainGap g in chainGaps)
        {
            output.WriteLine(I($"gap between segments: sequences {g.Gap.Expected}..{g.Gap.Found - 1} are in no segment ({Path.GetFileName(g.AfterPath)} .. {Path.GetFileName(g.BeforePath)})"));
        }
        bool clean = report.IsClean && chainGaps.Count == 0;
        string summary = I($"{report.Segments.Count} segment(s), {bytes} bytes, {records} records, {events} events: ");
        output.WriteLine(summary + (clean
            ? Ansi.Paint("readable", Ansi.Green, colour)
            : Ansi.Paint("CORRUPTION OR GAPS FOUND", Ansi.Red, colour)));
    }

    private static string Ranges(IReadOnlyList<ByteRange> ranges) =>
        string.Join(", ", ranges.Take(10).Select(r => I($"{r.Length} bytes at {r.Offset}"))) + (ranges.Count > 10 ? ", ..." : "");

    private static string Text(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string I(System.FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
