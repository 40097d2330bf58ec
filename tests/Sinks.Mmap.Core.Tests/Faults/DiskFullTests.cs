using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Sinks.Mmap.Core.Tests.Crash;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Core.Tests.Faults;

public class DiskFullTests
{
    private static readonly long T0 = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).Ticks;
    private readonly ITestOutputHelper _output;

    public DiskFullTests(ITestOutputHelper output) => _output = output;

    [TmpfsFact]
    public void A_segment_larger_than_the_free_space_is_reported_as_no_space_and_events_are_dropped_and_counted()
    {
        using Tmpfs disk = Tmpfs.Mount("size=1m");
        var errors = new List<MmapLogError>();
        var options = new MmapLogOptions
        {
            Path = Path.Combine(disk.Directory, "app.mlog"),
            SegmentSizeBytes = 2 * 1024 * 1024,
            RetryInterval = TimeSpan.FromMilliseconds(50),
            OnError = e => { lock (errors) errors.Add(e); },
        };
        var clock = Stopwatch.StartNew();
        using (var writer = new MmapLogWriter(options))
        {
            Assert.False(writer.IsWriting);
            for (int i = 0; i < 1000; i++)
            {
                var e = new SimpleEvent("Event {Number}", i, "x", 0);
                Assert.False(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
            _output.WriteLine($"1000 dropped appends took {clock.ElapsedMilliseconds} ms");
            Assert.Equal(1000, writer.DroppedEvents);
            // Retries keep failing and are not reported again and again.
            System.Threading.Thread.Sleep(300);
            Assert.False(writer.IsWriting);
        }
        MmapLogError[] reported;
        lock (errors) reported = errors.ToArray();
        MmapLogError io = Assert.Single(reported, e => e.Kind == MmapLogErrorKind.Io);
        _output.WriteLine(io.ToString());
        Assert.Contains("no space", io.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("2097152-byte segment", io.Message);
        Assert.Contains(disk.Directory, io.Message);
        // Nothing half-created is left behind.
        Assert.Empty(Directory.GetFiles(disk.Directory, "app-*.mlog"));
    }

    [TmpfsFact]
    public void When_the_disk_fills_events_are_dropped_and_counted_and_after_space_is_freed_the_writer_resumes_on_its_own()
    {
        using Tmpfs disk = Tmpfs.Mount("size=1m");
        var errors = new List<MmapLogError>();
        using var reportingNoSpace = new ManualResetEventSlim();
        string path = Path.Combine(disk.Directory, "app.mlog");
        var options = new MmapLogOptions
        {
            Path = path,
            SegmentSizeBytes = 256 * 1024,
            RetainedFileCountLimit = null,
            RetryInterval = TimeSpan.FromMilliseconds(50),
            OnError = e =>
            {
                // A slow handler (SelfLog writing to a slow console): no one may see the log stop, or
                // write again, before the report that says so is in.
                if (e.Kind == MmapLogErrorKind.Recovered || e.Message.Contains("no space", StringComparison.OrdinalIgnoreCase))
                {
                    if (e.Kind != MmapLogErrorKind.Recovered) reportingNoSpace.Set();
                    Thread.Sleep(300);
                }
                lock (errors) errors.Add(e);
            },
        };
        MmapLogError[] Reported() { lock (errors) return errors.ToArray(); }
        int written = 0;
        var acked = new HashSet<int>();
        using (var writer = new MmapLogWriter(options))
        {
            Assert.True(writer.IsWriting);
            // Log until the writer faults: three 256 KiB segments fit in 1 MiB (with the lock file), a fourth does not.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            bool waitedForReport = false;
            while (writer.IsWriting)
            {
                Assert.True(DateTime.UtcNow < deadline, "the writer never ran out of space");
                if (!waitedForReport && writer.CurrentSegmentPath?.EndsWith("-000003.mlog", StringComparison.Ordinal) == true)
                {
                    // The last segment that fits: fill it while the maintainer, failing to prepare the
                    // next, is still reporting why, so the rotation arrives in the middle of the report.
                    waitedForReport = true;
                    Assert.True(reportingNoSpace.Wait(TimeSpan.FromSeconds(10)), "the next segment's failure was never reported");
                }
                var e = new SimpleEvent("Event {Number} with {Text}", written, new string('x', 200), written);
                if (writer.Append(T0 + written, MmapLevel.Information, ref e)) acked.Add(written);
                written++;
            }
            long droppedAtFull = writer.DroppedEvents;
            _output.WriteLine($"full after {written} events, {acked.Count} acknowledged, segments: {string.Join(", ", Directory.GetFiles(disk.Directory, "app-*").Select(Path.GetFileName))}");
            Assert.Contains(Reported(), e => e.Kind == MmapLogErrorKind.Io && e.Message.Contains("no space", StringComparison.OrdinalIgnoreCase));
            // The moment dropping starts is reported too, not only the recovery afterwards.
            Assert.Contains(Reported(), e => e.Kind == MmapLogErrorKind.Io && e.Message.Contains("is full and the next segment could not be prepared", StringComparison.Ordinal)
                && e.Message.Contains("events are dropped and counted", StringComparison.Ordinal));

            // While full: appends return false at once and are counted.
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 500; i++)
            {
                var e = new SimpleEvent("Event {Number} with {Text}", written, "dropped", written);
                Assert.False(writer.Append(T0 + written, MmapLevel.Information, ref e));
                written++;
            }
            _output.WriteLine($"500 dropped appends while full took {clock.ElapsedMilliseconds} ms");
            Assert.Equal(droppedAtFull + 500, writer.DroppedEvents);
            Assert.False(writer.IsWriting);

            // Free space: delete the two oldest segments. The writer's retry finds room by itself.
            string[] segments = Directory.GetFiles(disk.Directory, "app-*.mlog").OrderBy(f => f, StringComparer.Ordinal).ToArray();
            Assert.True(segments.Length >= 3, string.Join(", ", segments));
            File.Delete(segments[0]);
            File.Delete(segments[1]);
            Poll.Until(() => writer.IsWriting, TimeSpan.FromSeconds(10), () => "the writer to resume after space was freed; errors: " + string.Join("\n", Reported().Select(r => r.ToString())));
            MmapLogError recovered = Assert.Single(Reported(), e => e.Kind == MmapLogErrorKind.Recovered);
            _output.WriteLine(recovered.Message);
            Assert.Contains($"{writer.DroppedEvents} event(s) were dropped", recovered.Message);

            for (int i = 0; i < 100; i++)
            {
                var e = new SimpleEvent("Event {Number} with {Text}", written, "after", written);
                Assert.True(writer.Append(T0 + written, MmapLevel.Information, ref e));
                acked.Add(written);
                written++;
            }
        }
        Assert.DoesNotContain(Reported(), e => e.Kind == MmapLogErrorKind.EventRejected);

        ValidationReport report = new MmapLogReader(path).Validate();
        LogContents.AssertNotCorrupt(report);
        Assert.All(report.Segments, s => Assert.True(s.Sealed, $"{s.Path} is not sealed"));
        var read = new MmapLogReader(path).ReadEvents().Select(e => (int)((LogScalar)e.Properties[0].Value).Value!).ToList();
        Assert.Equal(read.Count, read.Distinct().Count());
        // Everything acknowledged that is in a segment still on disk is there; the 100 after recovery certainly are.
        Assert.Subset(acked, read.ToHashSet());
        Assert.Equal(100, read.Count(n => n >= written - 100));
        _output.WriteLine($"read back {read.Count} events from {report.Segments.Count} segments");
    }
}
