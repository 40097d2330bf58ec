using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Sinks.Mmap.Recovery;
using Sinks.Mmap.Storage;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Recovery;

public class ConcurrentCrashTests
{
    private struct ThreadEvent : IEventPayload
    {
        public int Thread;
        public int Counter;

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = "T{Thread} #{Counter} {Pad}", PropertyCount = 3 });
            writer.WritePropertyName("Thread");
            writer.WriteInt32(Thread);
            writer.WritePropertyName("Counter");
            writer.WriteInt32(Counter);
            writer.WritePropertyName("Pad");
            writer.WriteString(new string('p', Counter % 50));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Snapshots_of_a_segment_taken_while_threads_write_recover_to_clean_logs_of_written_events_only(bool claimBlocksAlways)
    {
        const int threads = 4;
        // The writers run until enough snapshots are taken (a fixed count finished first on a fast run);
        // the cap keeps them inside one 16 MiB segment (~90 bytes a record).
        const int maxPerThread = 35000;
        const int wantedSnapshots = 10;
        using var log = new TestLog();
        var snapshots = new List<byte[]>();
        var perThreadWritten = new int[threads];
        MmapLogOptions options = log.Options(16 << 20);
        options.ClaimBlocksAlways = claimBlocksAlways;
        using (var writer = new MmapLogWriter(options))
        {
            string path = writer.CurrentSegmentPath!;
            int running = threads;
            bool stop = false;
            // The writers keep pace with the snapshots: each may run one step past the last snapshot taken,
            // so the snapshots land while they write, and they cannot all finish before the snapshots do
            // (on a loaded machine the snapshotting thread was starved, and a fast run finished first).
            const int step = maxPerThread / (wantedSnapshots + 2);
            int allowedSteps = 1;
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                for (int i = 0; i < maxPerThread && !Volatile.Read(ref stop); i++)
                {
                    while (i / step >= Volatile.Read(ref allowedSteps) && !Volatile.Read(ref stop))
                    {
                        Thread.Sleep(1);
                    }
                    var e = new ThreadEvent { Thread = t, Counter = i };
                    writer.Append(TestSupport.Ticks(2026, 11, 21) + i, MmapLevel.Information, ref e);
                    // Spread the writing out so snapshots land while records are being claimed and encoded.
                    if (i % 16 == 0) Thread.Sleep(0);
                    perThreadWritten[t] = i + 1;
                }
                Interlocked.Decrement(ref running);
            })).ToList();
            workers.ForEach(w => w.Start());
            while (Volatile.Read(ref running) > 0 && snapshots.Count < wantedSnapshots)
            {
                snapshots.Add(TestSupport.ReadShared(path));
                Interlocked.Increment(ref allowedSteps);
                Thread.Sleep(1);
            }
            Volatile.Write(ref stop, true);
            workers.ForEach(w => w.Join());
            Assert.Equal(path, writer.CurrentSegmentPath);
        }
        Assert.True(snapshots.Count >= 2, "the writers finished before a snapshot was taken");
        Dictionary<long, string> written = new MmapLogReader(log.Path_).ReadEvents().ToDictionary(e => e.Sequence, TestSupport.Fingerprint);
        Assert.Equal(perThreadWritten.Sum(), written.Count);

        foreach (byte[] snapshot in snapshots)
        {
            using var crashed = new TestLog();
            var naming = new SegmentNaming(crashed.Path_);
            File.WriteAllBytes(naming.PathFor(1), snapshot);
            RecoveryReport report = SegmentRecovery.Recover(naming, TestSupport.Ticks(2026, 11, 22));
            Assert.Single(report.Repaired);
            Assert.Empty(report.Problems);

            var reader = new MmapLogReader(crashed.Path_);
            long expected = 1;
            var perThreadNext = new int[threads];
            foreach (MmapRecord r in reader.ReadRecords())
            {
                Assert.Equal(expected, r.Sequence);
                expected = r.Kind is MmapRecordKind.Padding or MmapRecordKind.Unused ? r.Next.NextSequence : r.Sequence + 1;
                if (r.Event is { } e)
                {
                    Assert.Equal(written[e.Sequence], TestSupport.Fingerprint(e));
                    int thread = (int)((LogScalar)e.Properties[0].Value).Value!;
                    int counter = (int)((LogScalar)e.Properties[1].Value).Value!;
                    // A thread's events can be lost in a crash (claimed, never written) but never reordered.
                    Assert.True(counter >= perThreadNext[thread]);
                    perThreadNext[thread] = counter + 1;
                }
            }
            Assert.Equal(report.NextSequence, expected);
            Assert.True(reader.Validate().IsClean);
        }
    }
}
