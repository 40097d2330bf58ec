using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Sinks.Mmap;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

public class CrashTests
{
    [Fact]
    public void Every_event_acknowledged_before_a_SIGKILL_is_read_back()
    {
        using var dir = new TempLogDir();
        string child = DotnetChild.BesideTests("NLog.Targets.Mmap.TestChild.dll");
        Assert.True(File.Exists(child), $"{child} should be copied next to the tests");

        long lastAck;
        const int segmentSize = 256 * 1024;
        using (var process = DotnetChild.Start(child, new[] { dir.LogPath, segmentSize.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (LastAck(process.Output) < 5000 && DateTime.UtcNow <= deadline && !process.HasExited)
            {
                Thread.Sleep(10);
            }
            // SIGKILL: no finalisers, no shutdown, no flush.
            process.Kill();
            // Lines already in the pipe were acknowledged before the kill too (Kill reads the output to its end).
            lastAck = LastAck(process.Output);
            Assert.True(lastAck >= 0, "the child acknowledged events: " + process.OutputText);
        }

        var reader = new MmapLogReader(dir.LogPath) { HoleTimeout = TimeSpan.FromMilliseconds(200) };
        long[] indexes = reader.ReadEvents()
            .Select(e => e.TryGetProperty("Index", out LogValue v) ? Convert.ToInt64(((LogScalar)v).Value, System.Globalization.CultureInfo.InvariantCulture) : -1)
            .ToArray();
        Assert.True(indexes.Length >= lastAck + 1, $"read {indexes.Length} events, acknowledged {lastAck + 1}");
        for (long i = 0; i <= lastAck; i++)
        {
            Assert.Equal(i, indexes[i]);
        }
        ValidationReport report = new MmapLogReader(dir.LogPath).Validate();
        Assert.True(report.Segments.Count >= 2, "the log rolled over at least once");
        Assert.All(report.Segments, s => Assert.Empty(s.CorruptRanges));
        // A kill, not a clean close: the last segment is not sealed, or the kill landed inside a rotation
        // (after the seal, before the next segment's header: failed once in CI), and then the sealed
        // segment was never closed either, so it still has its full size (a clean close trims it).
        SegmentReport last = report.Segments[^1];
        Assert.True(!last.Sealed || new FileInfo(last.Path).Length == segmentSize,
            $"{last.Path} is sealed and {new FileInfo(last.Path).Length} bytes: the child closed its log");
    }

    /// <summary>The highest "ACK n" line the child printed; -1 when none.</summary>
    private static long LastAck(System.Collections.Generic.IReadOnlyList<string> output)
    {
        long last = -1;
        foreach (string line in output)
        {
            if (line.StartsWith("ACK ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture, out long ack))
            {
                last = Math.Max(last, ack);
            }
        }
        return last;
    }
}
