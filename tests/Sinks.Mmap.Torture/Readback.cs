using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;

namespace Sinks.Mmap.Torture;

/// <summary>
/// What a log holds after a kill: how often each numbered event (round, thread, counter) was read,
/// and whatever was read that is not one of those events or breaks the log's rules.
/// </summary>
internal sealed partial class Readback
{
    public Dictionary<(int Round, int Thread, long Counter), int> Counts { get; } = new();

    /// <summary>Event records (Mmap) or complete lines (text) read.</summary>
    public long Read { get; private set; }

    /// <summary>Records or complete lines accepted by the reader that are not a numbered event: damage that got through.</summary>
    public long Unrecognised { get; private set; }

    /// <summary>Broken rules: corrupt ranges, sequence gaps or reversals, undecodable records, rounds out of order.</summary>
    public List<string> Problems { get; } = new();

    public int Segments { get; private set; }

    /// <summary>Reads an Mmap log through the public reader and validates it.</summary>
    public static Readback FromMmap(string logPath) => FromMmap(new MmapLogReader(logPath));

    public static Readback FromMmap(MmapLogReader reader)
    {
        var result = new Readback();
        // Sequence numbers and the order of rounds hold within a lane; lanes are merged by time.
        var previousSequence = new Dictionary<string, long>();
        var latestRounds = new Dictionary<string, int>();
        foreach (MmapRecord record in reader.ReadRecords())
        {
            long previous = previousSequence.GetValueOrDefault(record.Lane);
            if (record.Sequence <= previous)
            {
                result.Problems.Add($"sequence {record.Sequence} in {Path.GetFileName(record.SegmentPath)} follows {previous}");
            }
            previousSequence[record.Lane] = record.Sequence;
            int latestRound = latestRounds.GetValueOrDefault(record.Lane, -1);
            if (record.Kind != MmapRecordKind.Event) continue;
            result.Read++;
            if (record.DecodeError is not null || record.Event is null || !TryKey(record.Event, out var key))
            {
                result.Unrecognised++;
                result.Problems.Add($"record {record.Sequence} in {Path.GetFileName(record.SegmentPath)} is not a numbered event: {record.DecodeError}");
                continue;
            }
            // A later start continues the sequence: no event of an earlier round may follow one of a later round.
            if (key.Round < latestRound) result.Problems.Add($"round {key.Round} event {key.Thread}/{key.Counter} (sequence {record.Sequence}) follows round {latestRound}");
            latestRounds[record.Lane] = Math.Max(latestRound, key.Round);
            result.Counts[key] = result.Counts.GetValueOrDefault(key) + 1;
        }
        ValidationReport report = reader.Validate();
        result.Segments = report.Segments.Count;
        foreach (SegmentReport s in report.Segments)
        {
            string where = Path.GetFileName(s.Path);
            if (s.Problem is not null) result.Problems.Add($"{where}: {s.Problem}");
            if (s.CorruptRanges.Count > 0) result.Problems.Add($"{where}: corrupt ranges {string.Join(", ", s.CorruptRanges)}");
            if (s.Gaps.Count > 0) result.Problems.Add($"{where}: sequence gaps {string.Join(", ", s.Gaps)}");
            if (s.UndecodableRecords > 0) result.Problems.Add($"{where}: {s.UndecodableRecords} undecodable record(s)");
        }
        return result;
    }

    public static bool TryKey(MmapEvent evt, out (int Round, int Thread, long Counter) key)
    {
        key = default;
        if (!evt.TryGetProperty("Round", out LogValue round) || !evt.TryGetProperty("Thread", out LogValue thread) || !evt.TryGetProperty("Counter", out LogValue counter)
            || round is not LogScalar { Value: not null } r || thread is not LogScalar { Value: not null } t || counter is not LogScalar { Value: not null } c)
        {
            return false;
        }
        key = (Convert.ToInt32(r.Value, CultureInfo.InvariantCulture), Convert.ToInt32(t.Value, CultureInfo.InvariantCulture), Convert.ToInt64(c.Value, CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>
    /// Reads a peer's text file. Only complete lines count (a line cut by the kill has no newline);
    /// a complete line must be the whole message, literal tail included, or it is counted as unrecognised.
    /// </summary>
    public static Readback FromText(string file)
    {
        var result = new Readback { Segments = File.Exists(file) ? 1 : 0 };
        if (result.Segments == 0) return result;
        string text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
        int start = 0;
        while (true)
        {
            int end = text.IndexOf('\n', start);
            if (end < 0) break;
            ReadOnlySpan<char> line = text.AsSpan(start, end - start).TrimEnd('\r');
            start = end + 1;
            result.Read++;
            Match match = LinePattern().Match(line.ToString());
            if (!match.Success)
            {
                result.Unrecognised++;
                continue;
            }
            var key = (int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].ValueSpan, CultureInfo.InvariantCulture), long.Parse(match.Groups[3].ValueSpan, CultureInfo.InvariantCulture));
            result.Counts[key] = result.Counts.GetValueOrDefault(key) + 1;
        }
        return result;
    }

    public static Readback From(string role, string folder) =>
        Roles.IsMmap(role) ? FromMmap(Roles.LogPath(role, folder)) : FromText(Roles.LogPath(role, folder));

    [GeneratedRegex(@"^Torture round (\d+) thread (\d+) event (\d+) " + Roles.Tail + "$", RegexOptions.CultureInvariant)]
    private static partial Regex LinePattern();
}
