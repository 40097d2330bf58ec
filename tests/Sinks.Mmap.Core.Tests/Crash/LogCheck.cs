using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Crash;

/// <summary>Reads a whole log back and checks what crash tests rely on.</summary>
internal sealed class LogContents
{
    public List<MmapRecord> Records { get; } = new();

    /// <summary>How often each (round, thread, counter) event appears.</summary>
    public Dictionary<(int Round, int Thread, long Counter), int> Counts { get; } = new();

    public ValidationReport Validation { get; private set; } = null!;

    public int EventsOfRound(int round) => Counts.Where(kv => kv.Key.Round == round).Sum(kv => kv.Value);

    /// <summary>
    /// Reads every record and validates the log. Asserts: all records decode, sequence numbers strictly
    /// increase across all segments, no event appears twice, and no segment is corrupt (holes, torn
    /// tails and crash losses are allowed; corrupt ranges, gaps, undecodable records and unreadable
    /// segments are not).
    /// </summary>
    public static LogContents ReadAndCheck(string path)
    {
        var contents = new LogContents();
        var reader = new MmapLogReader(path);
        // Each lane (app-…, app~2-…) has its own sequence.
        var previousByLane = new Dictionary<string, long>();
        foreach (MmapRecord record in reader.ReadRecords())
        {
            Assert.True(record.DecodeError is null, $"record {record.Sequence} in {record.SegmentPath} does not decode: {record.DecodeError}");
            string lane = record.Lane;
            long previous = previousByLane.GetValueOrDefault(lane);
            if (record.Sequence <= previous && Environment.GetEnvironmentVariable("FT_KEEP") is { } keep)
            {
                CopyDir(System.IO.Path.GetDirectoryName(record.SegmentPath)!, keep);
            }
            Assert.True(record.Sequence > previous, $"sequence {record.Sequence} ({record.Kind}, {record.Length} bytes, next {record.Next}) in {record.SegmentPath} follows {previous}: not strictly increasing");
            previousByLane[lane] = record.Sequence;
            contents.Records.Add(record);
            if (record.Event is { } evt && TryKey(evt, out var key))
            {
                contents.Counts[key] = contents.Counts.GetValueOrDefault(key) + 1;
            }
        }
        foreach (var (key, count) in contents.Counts)
        {
            Assert.True(count == 1, $"event {key} appears {count} times");
        }
        contents.Validation = reader.Validate();
        AssertNotCorrupt(contents.Validation);
        return contents;
    }

    private static void CopyDir(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (string f in System.IO.Directory.GetFiles(from)) System.IO.File.Copy(f, System.IO.Path.Combine(to, System.IO.Path.GetFileName(f)), true);
    }

    public static bool TryKey(MmapEvent evt, out (int Round, int Thread, long Counter) key)
    {
        key = default;
        if (!evt.TryGetProperty("Round", out LogValue round) || !evt.TryGetProperty("Thread", out LogValue thread) || !evt.TryGetProperty("Counter", out LogValue counter))
        {
            return false;
        }
        key = ((int)((LogScalar)round).Value!, (int)((LogScalar)thread).Value!, Convert.ToInt64(((LogScalar)counter).Value!, System.Globalization.CultureInfo.InvariantCulture));
        return true;
    }

    public static void AssertNotCorrupt(ValidationReport report)
    {
        if (!report.IsClean && report.Segments.Count > 0 && Environment.GetEnvironmentVariable("FT_KEEP") is { } keep)
        {
            CopyDir(System.IO.Path.GetDirectoryName(report.Segments[0].Path)!, keep);
        }
        foreach (SegmentReport s in report.Segments)
        {
            string where = System.IO.Path.GetFileName(s.Path);
            Assert.True(s.Problem is null, $"{where}: {s.Problem}");
            Assert.True(s.CorruptRanges.Count == 0, $"{where}: corrupt ranges {string.Join(", ", s.CorruptRanges)}");
            Assert.True(s.Gaps.Count == 0, $"{where}: sequence gaps {string.Join(", ", s.Gaps)}");
            Assert.True(s.UndecodableRecords == 0, $"{where}: {s.UndecodableRecords} undecodable record(s)");
        }
    }

    /// <summary>Every counter 1..acked[t] of every thread of <paramref name="round"/> is present (exactly once: duplicates were checked).</summary>
    /// <summary>Every event of <paramref name="round"/> acknowledged after <paramref name="from"/> and by <paramref name="to"/> is there.</summary>
    public void AssertAcknowledgedBetween(int round, AckSnapshot from, AckSnapshot to)
    {
        for (int t = 0; t < to.Acked.Length; t++)
        {
            var missing = new List<long>();
            for (long c = from.Acked[t] + 1; c <= to.Acked[t]; c++)
            {
                if (!Counts.ContainsKey((round, t, c))) missing.Add(c);
            }
            Assert.True(missing.Count == 0,
                $"round {round} thread {t}: {missing.Count} event(s) acknowledged between {from.Acked[t]} and {to.Acked[t]} missing, first {string.Join(", ", missing.Take(10))}");
        }
    }

    public void AssertAcknowledgedPresent(int round, AckSnapshot ack)
    {
        for (int t = 0; t < ack.Acked.Length; t++)
        {
            var missing = new List<long>();
            for (long c = 1; c <= ack.Acked[t]; c++)
            {
                if (!Counts.ContainsKey((round, t, c))) missing.Add(c);
            }
            Assert.True(missing.Count == 0,
                $"round {round} thread {t}: {missing.Count} acknowledged event(s) missing (of {ack.Acked[t]}), first {string.Join(", ", missing.Take(10))}");
            // At most one event per thread can be in the log without its acknowledgement (killed between Append and the ack store).
            long extra = Counts.Keys.Count(k => k.Round == round && k.Thread == t && k.Counter > ack.Acked[t]);
            Assert.True(extra <= 1, $"round {round} thread {t}: {extra} events past the last acknowledged counter {ack.Acked[t]}");
        }
    }
}
