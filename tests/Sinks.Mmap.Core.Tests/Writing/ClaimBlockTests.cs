using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

/// <summary>Claim blocks (FORMAT.md, "Claim blocks"): a thread's run of a segment, closed by an Unused record.</summary>
public class ClaimBlockTests
{
    private struct CounterEvent : IEventPayload
    {
        public int Thread;
        public int Counter;

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = "Thread {Thread} event {Counter}", PropertyCount = 2 });
            writer.WritePropertyName("Thread");
            writer.WriteInt32(Thread);
            writer.WritePropertyName("Counter");
            writer.WriteInt32(Counter);
        }
    }

    private static int RunThreads(MmapLogWriter writer, int threads, int perThread)
    {
        int refused = 0;
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < perThread; i++)
            {
                var e = new CounterEvent { Thread = t, Counter = i };
                if (!writer.Append(TestSupport.Ticks(2026, 12, 7) + i, MmapLevel.Information, ref e)) Interlocked.Increment(ref refused);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return refused;
    }

    [Fact]
    public void A_quiet_threads_open_block_is_closed_by_the_writers_background_thread_so_a_follower_reads_past_it()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(1 << 20);
        options.ClaimBlocksAlways = true;
        using var writer = new MmapLogWriter(options);
        // One thread writes a few events into its block and goes quiet; a second writes one event after it.
        var quiet = new Thread(() =>
        {
            for (int i = 0; i < 5; i++)
            {
                var e = new CounterEvent { Thread = 0, Counter = i };
                Assert.True(writer.Append(TestSupport.Ticks(2026, 12, 7), MmapLevel.Information, ref e));
            }
        });
        quiet.Start();
        quiet.Join();
        var after = new Thread(() =>
        {
            var e = new CounterEvent { Thread = 1, Counter = 0 };
            Assert.True(writer.Append(TestSupport.Ticks(2026, 12, 7), MmapLevel.Information, ref e));
        });
        after.Start();
        after.Join();

        // Until the block is closed its unwritten rest is a hole a reader must step over; once closed, it is an Unused record.
        var clock = Stopwatch.StartNew();
        List<MmapRecord> records;
        do
        {
            Thread.Sleep(20);
            records = new MmapLogReader(log.Path_).ReadRecords().ToList();
        }
        while (!records.Any(r => r.Kind == MmapRecordKind.Unused) && clock.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(6, records.Count(r => r.Kind == MmapRecordKind.Event));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the quiet thread's block was closed after {clock.Elapsed}");
        MmapRecord unused = records.First(r => r.Kind == MmapRecordKind.Unused);
        // The quiet thread's five events, then its block's Unused record, which stands for the rest of its numbers.
        Assert.Equal(new[] { 0, 0, 0, 0, 0 }, records.TakeWhile(r => r.Kind != MmapRecordKind.Unused)
            .Where(r => r.Kind == MmapRecordKind.Event).Select(r => (int)((LogScalar)r.Event!.Properties[0].Value).Value!));
        Assert.True(unused.Next.NextSequence > unused.Sequence);
        ValidationReport report = new MmapLogReader(log.Path_).Validate();
        Assert.True(report.IsClean);
        Assert.All(report.Segments, s => Assert.Equal(0, s.LostInCrash));
    }

    [Fact]
    public void Threads_in_blocks_lose_nothing_keep_each_threads_order_and_account_for_every_sequence_number()
    {
        const int threads = 4;
        const int perThread = 50_000;
        using var log = new TestLog();
        MmapLogOptions options = log.Options(1 << 20);
        options.RetainedFileCountLimit = null;
        options.ClaimBlocksAlways = true;
        using (var writer = new MmapLogWriter(options))
        {
            Assert.Equal(0, RunThreads(writer, threads, perThread));
        }

        var next = new int[threads];
        long expected = 1;
        int unused = 0;
        foreach (MmapRecord r in new MmapLogReader(log.Path_).ReadRecords())
        {
            Assert.Equal(expected, r.Sequence);
            Assert.NotEqual(MmapRecordKind.Padding, r.Kind);
            expected = r.Kind == MmapRecordKind.Unused ? r.Next.NextSequence : r.Sequence + 1;
            if (r.Kind == MmapRecordKind.Unused) unused++;
            if (r.Event is { } e)
            {
                int thread = (int)((LogScalar)e.Properties[0].Value).Value!;
                Assert.Equal(next[thread], (int)((LogScalar)e.Properties[1].Value).Value!);
                next[thread]++;
            }
        }
        Assert.All(next, n => Assert.Equal(perThread, n));
        Assert.True(unused > threads, $"{unused} Unused records: the threads did not write in blocks");
        ValidationReport report = new MmapLogReader(log.Path_).Validate();
        Assert.True(report.IsClean);
        Assert.All(report.Segments, s => Assert.Equal(0, s.LostInCrash));
    }

    [Fact]
    public void A_thread_logging_alone_claims_its_records_one_by_one_and_contending_threads_take_blocks()
    {
        using var alone = new TestLog();
        using (var writer = new MmapLogWriter(alone.Options(16 << 20)))
        {
            Assert.Equal(0, RunThreads(writer, 1, 200_000));
        }
        Assert.DoesNotContain(new MmapLogReader(alone.Path_).ReadRecords(), r => r.Kind == MmapRecordKind.Unused);

        // Two threads for a second (not a count of events: on a busy machine they must overlap long enough).
        using var contended = new TestLog();
        MmapLogOptions options = contended.Options(16 << 20);
        options.RetainedFileCountLimit = null;
        var written = new int[2];
        using (var writer = new MmapLogWriter(options))
        {
            var clock = Stopwatch.StartNew();
            using var start = new Barrier(2);
            var workers = Enumerable.Range(0, 2).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; clock.ElapsedMilliseconds < 1000; i++)
                {
                    var e = new CounterEvent { Thread = t, Counter = i };
                    if (writer.Append(TestSupport.Ticks(2026, 12, 7), MmapLevel.Information, ref e)) written[t]++;
                }
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
        }
        List<MmapRecord> records = new MmapLogReader(contended.Path_).ReadRecords().ToList();
        Assert.Equal(written.Sum(), records.Count(r => r.Kind == MmapRecordKind.Event));
        Assert.Contains(records, r => r.Kind == MmapRecordKind.Unused);
    }
    private struct TemplateEvent : IEventPayload
    {
        public string Template;

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = Template, PropertyCount = 0 });
        }
    }

    [Fact]
    public void An_event_in_a_block_opened_before_another_threads_new_string_is_written_after_that_strings_definition()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(1 << 20);
        options.ClaimBlocksAlways = true;
        using (var writer = new MmapLogWriter(options))
        {
            using var blockOpen = new ManualResetEventSlim();
            using var defined = new ManualResetEventSlim();
            var a = new Thread(() =>
            {
                // A thread's first record is claimed on its own; its second opens its block.
                var first = new TemplateEvent { Template = "A opens its block" };
                writer.Append(TestSupport.Ticks(2026, 12, 7), MmapLevel.Information, ref first);
                writer.Append(TestSupport.Ticks(2026, 12, 7), MmapLevel.Information, ref first);
                blockOpen.Set();
                defined.Wait();
                // B's string is defined now, after A's block was claimed: A's event must not go before it.
                var uses = new TemplateEvent { Template = "Defined by B" };
                writer.Append(TestSupport.Ticks(2026, 12, 7), MmapLevel.Information, ref uses);
            });
            a.Start();
            blockOpen.Wait();
            var b = new Thread(() =>
            {
                var defines = new TemplateEvent { Template = "Defined by B" };
                writer.Append(TestSupport.Ticks(2026, 12, 7), MmapLevel.Information, ref defines);
            });
            b.Start();
            b.Join();
            defined.Set();
            a.Join();
        }
        List<MmapRecord> records = new MmapLogReader(log.Path_).ReadRecords().Where(r => r.Kind == MmapRecordKind.Event).ToList();
        Assert.All(records, r => Assert.Null(r.DecodeError));
        Assert.Equal(new[] { "A opens its block", "A opens its block", "Defined by B", "Defined by B" }, records.Select(r => r.Event!.MessageTemplate));
    }
    [Fact]
    public async System.Threading.Tasks.Task A_follower_reads_every_event_threads_write_in_blocks_across_rotations()
    {
        const int threads = 3;
        const int perThread = 3000;
        using var log = new TestLog();
        MmapLogOptions options = log.Options(16 * 1024);
        options.RetainedFileCountLimit = null;
        options.ClaimBlocksAlways = true;
        using var writer = new MmapLogWriter(options);
        var reader = new MmapLogReader(log.Path_);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new HashSet<(int, int)>();
        System.Threading.Tasks.Task follow = System.Threading.Tasks.Task.Run(async () =>
        {
            await foreach (MmapEvent e in reader.FollowAsync(pollInterval: TimeSpan.FromMilliseconds(5), cancellationToken: cts.Token))
            {
                Assert.True(seen.Add(((int)((LogScalar)e.Properties[0].Value).Value!, (int)((LogScalar)e.Properties[1].Value).Value!)));
                if (seen.Count == threads * perThread) break;
            }
        });
        // Bursts with pauses: blocks fill, rotate with their segment, and go quiet mid-segment.
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < perThread; i++)
            {
                var e = new CounterEvent { Thread = t, Counter = i };
                writer.Append(TestSupport.Ticks(2026, 12, 7) + i, MmapLevel.Information, ref e);
                if (i % 500 == 499) Thread.Sleep(120 * (t + 1));
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        await follow;
        Assert.Equal(threads * perThread, seen.Count);
    }
    [Fact]
    public void One_thread_writing_to_two_logs_in_turn_claims_its_records_one_by_one_in_both()
    {
        // Two logs of the same shape: their records end at the same offsets, which must not look like another thread's claims.
        using var a = new TestLog();
        using var b = new TestLog();
        using (var first = new MmapLogWriter(a.Options(16 << 20)))
        using (var second = new MmapLogWriter(b.Options(16 << 20)))
        {
            for (int i = 0; i < 300_000; i++)
            {
                var e = new CounterEvent { Thread = 0, Counter = i };
                Assert.True((i % 3 == 2 ? second : first).Append(TestSupport.Ticks(2026, 12, 7), MmapLevel.Information, ref e));
            }
        }
        Assert.DoesNotContain(new MmapLogReader(a.Path_).ReadRecords(), r => r.Kind == MmapRecordKind.Unused);
        Assert.DoesNotContain(new MmapLogReader(b.Path_).ReadRecords(), r => r.Kind == MmapRecordKind.Unused);
    }
}
