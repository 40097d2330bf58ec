using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Threading;
using Sinks.Mmap;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Crash;

public class KillTests
{
    private const int Threads = 3;

    [Fact]
    public void A_child_killed_with_SIGKILL_while_logging_loses_no_acknowledged_event()
    {
        using var log = new TempFolder();
        string ackPath = Path.Combine(log.Path, "acks.bin");
        var random = new Random(20261121);
        long lastSequence = 0;
        for (int round = 0; round < 3; round++)
        {
            long[] acked = RunAndKill(log.LogPath, ackPath, TimeSpan.FromMilliseconds(300 + random.Next(700)));

            // Read straight after the kill, before any recovery: the reader must already see every acknowledged event.
            AssertEveryAcknowledgedEventOnce(log.LogPath, acked, round);

            // Recovery by the next writer seals the segment; the same events remain, and the sequence continues.
            using (var writer = new MmapLogWriter(new MmapLogOptions { Path = log.LogPath, SegmentSizeBytes = 256 * 1024, RetainedFileCountLimit = null }))
            {
                Assert.NotNull(writer.Recovery);
                Assert.True(writer.Recovery!.NextSequence > lastSequence);
                lastSequence = writer.Recovery.NextSequence;
            }
            AssertEveryAcknowledgedEventOnce(log.LogPath, acked, round);
            ValidationReport report = new MmapLogReader(log.LogPath).Validate();
            Assert.All(report.Segments, s => Assert.Empty(s.CorruptRanges));
            Assert.All(report.Segments, s => Assert.Equal(0, s.UndecodableRecords));
        }
    }

    private static long[] RunAndKill(string logPath, string ackPath, TimeSpan runFor)
    {
        System.IO.File.Delete(ackPath);
        string dll = DotnetChild.BesideTests("Serilog.Sinks.Mmap.TestChild.dll");
        var clock = Stopwatch.StartNew();
        using DotnetChild child = DotnetChild.Start(dll, new[] { logPath, ackPath, Threads.ToString(), (256 * 1024).ToString() });
        child.WaitForOutput("ready", TimeSpan.FromSeconds(15));
        long readyAt = clock.ElapsedMilliseconds;
        Thread.Sleep(runFor);
        long killAt = clock.ElapsedMilliseconds;
        child.Kill(); // SIGKILL on Linux: no finalizers, no flush, no Dispose.
        Assert.True(killAt - readyAt < runFor.TotalMilliseconds + 5000, $"the kill came {killAt - readyAt} ms after start-up, not {runFor.TotalMilliseconds} ms");

        var acked = new long[Threads];
        using var ackFile = MemoryMappedFile.CreateFromFile(ackPath, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using MemoryMappedViewAccessor view = ackFile.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        for (int t = 0; t < Threads; t++) acked[t] = view.ReadInt64(t * 64);
        Assert.All(acked, a => Assert.True(a > 0, "each thread logged something before the kill"));
        return acked;
    }

    private static void AssertEveryAcknowledgedEventOnce(string logPath, long[] acked, int round)
    {
        // Rounds share the log, so count only this round's run: counters restart at 1 each run.
        var runs = new List<Dictionary<(int, long), int>>();
        var current = new Dictionary<(int, long), int>();
        var lastCounter = new long[Threads];
        foreach (MmapEvent e in new MmapLogReader(logPath).ReadEvents())
        {
            e.TryGetProperty("Thread", out LogValue t);
            e.TryGetProperty("Counter", out LogValue c);
            int thread = (int)((LogScalar)t).Value!;
            long counter = (long)((LogScalar)c).Value!;
            if (counter == 1 && lastCounter[thread] > 0 && current.ContainsKey((thread, 1)))
            {
                runs.Add(current);
                current = new Dictionary<(int, long), int>();
                Array.Clear(lastCounter);
            }
            lastCounter[thread] = counter;
            current[(thread, counter)] = current.GetValueOrDefault((thread, counter)) + 1;
        }
        runs.Add(current);
        Assert.Equal(round + 1, runs.Count);
        Dictionary<(int, long), int> seen = runs[round];
        for (int thread = 0; thread < Threads; thread++)
        {
            for (long counter = 1; counter <= acked[thread]; counter++)
            {
                Assert.True(seen.GetValueOrDefault((thread, counter)) == 1,
                    $"round {round}: thread {thread} event {counter} (acknowledged up to {acked[thread]}) was read {seen.GetValueOrDefault((thread, counter))} times");
            }
        }
    }
}
