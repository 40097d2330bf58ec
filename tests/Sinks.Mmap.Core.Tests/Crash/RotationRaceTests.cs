using System;
using System.Linq;
using System.Threading;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Crash;

public class RotationRaceTests
{
    [Fact]
    public void Sequence_numbers_run_on_across_rotations_when_many_threads_fill_segments_at_once()
    {
        // Found by the kill test: a thread that saw a segment sealed could rotate before the sealing
        // thread had stored the seal's sequence, and the next segment started again at sequence 0.
        using var log = new TestLog();
        const int threads = 4;
        const int perThread = 10_000;
        using (var writer = new MmapLogWriter(log.Options(4 * 1024) is var o ? new MmapLogOptions
        {
            Path = o.Path,
            SegmentSizeBytes = o.SegmentSizeBytes,
            OnError = o.OnError,
            RetainedFileCountLimit = null,
        } : null!))
        {
            using var start = new Barrier(threads);
            // A failed assertion on a worker thread would crash the test host: count refusals, assert after.
            int refused = 0;
            var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < perThread; i++)
                {
                    var e = new SimpleEvent("Thread {Number} {Text}", t, "x", i);
                    if (!writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e))
                    {
                        Interlocked.Increment(ref refused);
                    }
                }
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            lock (log.Errors)
            {
                Assert.True(refused == 0, $"{refused} append(s) refused; errors: {string.Join(" | ", log.Errors)}");
            }
        }
        LogContents contents = LogContents.ReadAndCheck(log.Path_);
        Assert.Equal(threads * perThread, contents.Records.Count(r => r.Kind == MmapRecordKind.Event));
        Assert.Equal(1, contents.Records[0].Sequence);
        Assert.True(contents.Validation.Segments.Count > 100);
    }
}
