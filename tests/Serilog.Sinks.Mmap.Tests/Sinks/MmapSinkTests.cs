using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Sinks.Mmap.Sinks;
using Sinks.Mmap;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Sinks;

[CollectionDefinition(nameof(SelfLogCollection), DisableParallelization = true)]
public class SelfLogCollection
{
}

[Collection(nameof(SelfLogCollection))]
public class MmapSinkTests
{
    [Fact]
    public void Emit_from_many_threads_at_once_keeps_every_event_in_each_threads_order()
    {
        using var log = new TempFolder();
        const int Threads = 4, PerThread = 5000;
        using (Logger logger = new LoggerConfiguration().WriteTo.Mmap(log.LogPath, fileSizeLimitBytes: 256 * 1024).CreateLogger())
        {
            Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
            {
                for (int i = 0; i < PerThread; i++) logger.Information("Thread {Thread} event {Counter}", t, i);
            });
        }
        var seen = new Dictionary<int, int>();
        long previousSequence = 0;
        foreach (MmapEvent e in new MmapLogReader(log.LogPath).ReadEvents())
        {
            Assert.True(e.Sequence > previousSequence);
            previousSequence = e.Sequence;
            e.TryGetProperty("Thread", out LogValue thread);
            e.TryGetProperty("Counter", out LogValue counter);
            int t = (int)((LogScalar)thread).Value!;
            int c = (int)((LogScalar)counter).Value!;
            Assert.Equal(seen.GetValueOrDefault(t), c);
            seen[t] = c + 1;
        }
        Assert.Equal(Enumerable.Repeat(PerThread, Threads), Enumerable.Range(0, Threads).Select(t => seen.GetValueOrDefault(t)));
        Assert.True(log.Segments().Length > 1, "the segments were small enough to rotate under contention");
    }

    [Fact]
    public void CloseAndFlush_seals_and_trims_the_segment()
    {
        using var log = new TempFolder();
        Logger logger = new LoggerConfiguration().WriteTo.Mmap(log.LogPath, fileSizeLimitBytes: 1 << 20).CreateLogger();
        logger.Information("one");
        logger.Dispose();
        SegmentReport report = Assert.Single(new MmapLogReader(log.LogPath).Validate().Segments);
        Assert.True(report.Sealed);
        Assert.True(new FileInfo(report.Path).Length < 1 << 20);
    }

    [Fact]
    public void A_second_writer_on_the_same_path_writes_a_lane_beside_the_first_and_says_so_on_SelfLog()
    {
        using var log = new TempFolder();
        var messages = new List<string>();
        SelfLog.Enable(m => { lock (messages) messages.Add(m); });
        try
        {
            using var first = new MmapLogWriter(new MmapLogOptions { Path = log.LogPath, SegmentSizeBytes = 65536 });
            MmapSink? sink = null;
            MmapSink.CreatedForTests.Value = s => sink = s;
            using (Logger second = new LoggerConfiguration().WriteTo.Mmap(log.LogPath).CreateLogger())
            {
                second.Information("Kept {Number}", 1);
                Assert.Equal(0, sink!.Writer.DroppedEvents);
                Assert.Equal(2, sink.Writer.Lane);
            }
            Assert.True(messages.Any(m => m.Contains("another writer holds", StringComparison.Ordinal) && m.Contains(Environment.ProcessId.ToString(), StringComparison.Ordinal)), string.Join("\n", messages));
            Assert.Equal("Kept {Number}", new MmapLogReader(log.LogPath).ReadEvents().Single().MessageTemplate);
        }
        finally
        {
            SelfLog.Disable();
            MmapSink.CreatedForTests.Value = null;
        }
    }

    [Fact]
    public void AuditTo_throws_when_the_event_cannot_be_written()
    {
        using var log = new TempFolder();
        // A file where the log's folder should be: no segment can be created.
        string blocker = Path.Combine(Path.GetDirectoryName(log.LogPath)!, "not-a-folder");
        System.IO.File.WriteAllText(blocker, "x");
        using Logger audit = new LoggerConfiguration().AuditTo.Mmap(Path.Combine(blocker, "audit.mlog")).CreateLogger();
        var ex = Assert.ThrowsAny<Exception>(() => audit.Information("must not be lost silently"));
        Assert.Contains("could not be written", ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("not-a-folder", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AuditTo_writes_like_WriteTo_when_nothing_fails()
    {
        using var log = new TempFolder();
        using (Logger audit = new LoggerConfiguration().AuditTo.Mmap(log.LogPath, fileSizeLimitBytes: 65536).CreateLogger())
        {
            audit.Information("Audited {Action}", "login");
        }
        Assert.Equal("Audited {Action}", new MmapLogReader(log.LogPath).ReadEvents().Single().MessageTemplate);
    }

    [Fact]
    public void A_full_disk_goes_to_SelfLog_counts_the_drops_and_the_application_keeps_running()
    {
        using Tmpfs? disk = Tmpfs.TryMount("size=1m");
        if (disk is null)
        {
            // Mounting needs root; CI runs as root, a developer's machine may not.
            return;
        }
        string mount = disk.Directory;
        var messages = new List<string>();
        SelfLog.Enable(m => { lock (messages) messages.Add(m); });
        try
        {
            MmapSink? sink = null;
            MmapSink.CreatedForTests.Value = s => sink = s;
            using (Logger logger = new LoggerConfiguration().WriteTo.Mmap(Path.Combine(mount, "app.mlog"), fileSizeLimitBytes: 4 << 20).CreateLogger())
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < 1000; i++) logger.Information("Event {Counter}", i);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "logging calls return promptly while the disk is full");
                Assert.Equal(1000, sink!.Writer.DroppedEvents);
            }
            Assert.True(messages.Any(m => m.Contains("no space left", StringComparison.OrdinalIgnoreCase)), string.Join("\n", messages));
        }
        finally
        {
            SelfLog.Disable();
            MmapSink.CreatedForTests.Value = null;
        }
    }
}
