using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

public class ConcurrencyTests
{
    private struct ThreadEvent : IEventPayload
    {
        public int Thread;
        public int Counter;

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = "Thread {Thread} event {Counter}", PropertyCount = 3 });
            writer.WritePropertyName("Thread");
            writer.WriteInt32(Thread);
            writer.WritePropertyName("Counter");
            writer.WriteInt32(Counter);
            // A per-thread property name: definitions race between threads in every segment.
            writer.WritePropertyName("Only" + (Thread % 4));
            writer.WriteString("x");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Events_from_many_threads_across_rotations_are_each_read_back_exactly_once_in_sequence_order(bool claimBlocksAlways)
    {
        const int threads = 8;
        const int perThread = 3000;
        using var log = new TestLog();
        MmapLogOptions options = log.Options(64 * 1024);
        options.RetainedFileCountLimit = null;
        options.ClaimBlocksAlways = claimBlocksAlways;
        long t0 = TestSupport.Ticks(2026, 11, 21, 10);
        int refused = 0;
        using (var writer = new MmapLogWriter(options))
        {
            using var start = new Barrier(threads);
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < perThread; i++)
                {
                    var e = new ThreadEvent { Thread = t, Counter = i };
                    // A failed assertion on a raw thread would kill the test host: count drops and assert after.
                    if (!writer.Append(t0 + i, MmapLevel.Information, ref e)) Interlocked.Increment(ref refused);
                }
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            Assert.Equal(0, refused);
            Assert.Equal(0, writer.DroppedEvents);
        }
        Assert.Empty(log.Errors);
        Assert.True(log.SegmentFiles().Length > 5, "small segments must rotate many times under contention");

        List<MmapRecord> records = new MmapLogReader(log.Path_).ReadRecords().ToList();
        // Every number is a record's, or accounted for by the Unused record closing a thread's claim block.
        long expected = 1;
        foreach (MmapRecord r in records)
        {
            Assert.Equal(expected, r.Sequence);
            Assert.NotEqual(MmapRecordKind.Padding, r.Kind);
            expected = r.Kind == MmapRecordKind.Unused ? r.Next.NextSequence : r.Sequence + 1;
        }
        Assert.Equal(MmapRecordKind.EndOfSegment, records[^1].Kind);

        var seen = new int[threads];
        foreach (MmapRecord r in records.Where(r => r.Kind == MmapRecordKind.Event))
        {
            Assert.NotNull(r.Event);
            int thread = (int)((LogScalar)r.Event!.Properties[0].Value).Value!;
            int counter = (int)((LogScalar)r.Event.Properties[1].Value).Value!;
            Assert.Equal("Only" + (thread % 4), r.Event.Properties[2].Name);
            Assert.Equal(seen[thread], counter);
            seen[thread]++;
        }
        Assert.All(seen, n => Assert.Equal(perThread, n));

        ValidationReport report = new MmapLogReader(log.Path_).Validate();
        Assert.True(report.IsClean);
        Assert.All(report.Segments, s => Assert.True(s.Sealed));
        Assert.Equal(threads * perThread, report.Segments.Sum(s => s.Events));
    }
}
