using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Sinks.Mmap.Compression;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Compression;

/// <summary>
/// The writer with <see cref="MmapLogOptions.CompressSealedSegments"/> and <see cref="SegmentLifecycleHooks"/>:
/// sealed segments are replaced by compressed copies in the background, hooks see every step, and a
/// hook that throws or hangs never stops logging, compression or retention.
/// </summary>
public class CompressionWriterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static void Write(MmapLogWriter writer, int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            var e = new SimpleEvent("Order {Number} for {Text} took {Elapsed} ms", i, "customer-" + (i % 37), i * 0.25);
            Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
        }
    }

    private static List<int> Numbers(string path) =>
        new MmapLogReader(path).ReadEvents().Select(e => (int)((LogScalar)e.Properties[0].Value).Value!).ToList();

    private static void WaitUntil(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            Thread.Sleep(20);
        }
    }

    private static int Containers(TestLog log) => Directory.GetFiles(log.Directory, "*.mlogz").Length;

    private sealed class RecordingHooks : SegmentLifecycleHooks
    {
        public ConcurrentQueue<string> Calls { get; } = new();
        public Func<string, string, bool>? Throw { get; init; }
        public ManualResetEventSlim? Hang { get; init; }
        public TimeSpan HookTimeout { get; init; } = TimeSpan.FromSeconds(30);
        public override TimeSpan Timeout => HookTimeout;

        private void Record(string name, string path)
        {
            Calls.Enqueue($"{name} {Path.GetFileName(path)} exists={File.Exists(path)}");
            if (Throw?.Invoke(name, path) == true) throw new InvalidOperationException($"hook {name} failed on purpose");
            Hang?.Wait();
        }

        public override void OnSegmentSealed(string path) => Record("sealed", path);
        public override void OnSegmentCompressed(string segmentPath, string compressedPath) => Record("compressed", compressedPath);
        public override void OnSegmentDeleting(string path) => Record("deleting", path);
    }

    [Fact]
    public void Sealed_segments_are_replaced_by_compressed_copies_and_the_log_reads_back_whole()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(64 * 1024);
        options.RetainedFileCountLimit = null;
        options.CompressSealedSegments = true;
        using (var writer = new MmapLogWriter(options))
        {
            Write(writer, 0, 20_000);
            WaitUntil(() => Containers(log) >= 3, "compressed segments");
            // Read while compression goes on: every event once, in order.
            Assert.Equal(Enumerable.Range(0, 20_000), Numbers(log.Path_));
        }
        // The segment sealed by Dispose is compressed by the next writer.
        using (var writer = new MmapLogWriter(options))
        {
            Write(writer, 20_000, 10);
            // Left plain: the segment being written and the one prepared next.
            WaitUntil(() => Directory.GetFiles(log.Directory, "app-*.mlog").Length <= 2, "every sealed segment compressed");
        }
        Assert.Equal(Enumerable.Range(0, 20_010), Numbers(log.Path_));
        AssertClean(log);
        Assert.Empty(Directory.GetFiles(log.Directory, "*.tmp"));
    }

    private static void AssertClean(TestLog log)
    {
        ValidationReport report = new MmapLogReader(log.Path_).Validate();
        Assert.True(report.IsClean, string.Join("\n", report.Segments.Where(s => !s.IsClean).Select(s =>
            $"{Path.GetFileName(s.Path)}: problem={s.Problem} corrupt={string.Join(",", s.CorruptRanges)} gaps={string.Join(",", s.Gaps)} undecodable={s.UndecodableRecords}"))
            + "\nreported:\n" + string.Join("\n", log.Errors.Select(e => e.Kind + ": " + e.Message)) + "\nfiles: " + string.Join(" ", Directory.GetFiles(log.Directory).Select(Path.GetFileName).Order()));
    }

    [Fact]
    public void A_writer_that_restarts_when_the_newest_segment_is_compressed_continues_its_sequence_and_reports_nothing()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(64 * 1024);
        options.RetainedFileCountLimit = null;
        using (var writer = new MmapLogWriter(options))
        {
            Write(writer, 0, 5_000);
        }
        // Every segment sealed, every one compressed: the lane's newest segment is a container.
        foreach (string plain in Directory.GetFiles(log.Directory, "app-*.mlog")) SegmentCompressor.Compress(plain);
        Assert.Empty(Directory.GetFiles(log.Directory, "app-*.mlog"));
        log.Errors.Clear();
        using (var writer = new MmapLogWriter(options))
        {
            Write(writer, 5_000, 10);
        }
        Assert.Empty(log.Errors);
        Assert.Equal(Enumerable.Range(0, 5_010), Numbers(log.Path_));
        AssertClean(log);
    }

    [Fact]
    public void Hooks_see_each_segment_sealed_then_compressed_and_retention_calls_before_deleting()
    {
        using var log = new TestLog();
        var hooks = new RecordingHooks();
        MmapLogOptions options = log.Options(64 * 1024);
        options.RetainedFileCountLimit = 4;
        options.CompressSealedSegments = true;
        options.Hooks = hooks;
        using (var writer = new MmapLogWriter(options))
        {
            Write(writer, 0, 30_000);
            WaitUntil(() => hooks.Calls.Any(c => c.StartsWith("deleting", StringComparison.Ordinal)), "a deletion");
        }
        string[] calls = hooks.Calls.ToArray();
        string[] sealedFiles = calls.Where(c => c.StartsWith("sealed", StringComparison.Ordinal)).Select(c => c.Split(' ')[1]).ToArray();
        Assert.True(sealedFiles.Length >= 5, string.Join("\n", calls));
        Assert.True(calls.Where(c => c.StartsWith("sealed", StringComparison.Ordinal)).All(c => c.EndsWith("exists=True", StringComparison.Ordinal)), string.Join("\n", calls));
        foreach (string compressed in calls.Where(c => c.StartsWith("compressed", StringComparison.Ordinal)))
        {
            string name = compressed.Split(' ')[1];
            int sealedAt = Array.FindIndex(calls, c => c.StartsWith("sealed " + name[..^1] + " ", StringComparison.Ordinal));
            Assert.True(sealedAt >= 0 && sealedAt < Array.IndexOf(calls, compressed), $"{name} compressed before sealed:\n{string.Join("\n", calls)}");
            Assert.EndsWith("exists=True", compressed);
        }
        Assert.All(calls.Where(c => c.StartsWith("deleting", StringComparison.Ordinal)), c => Assert.EndsWith("exists=True", c));
        Assert.True(Directory.GetFiles(log.Directory, "app-*").Length <= 5, "retention kept the count");
    }

    [Fact]
    public void A_hook_that_throws_is_reported_and_compression_and_logging_go_on()
    {
        using var log = new TestLog();
        var hooks = new RecordingHooks { Throw = (name, _) => name == "sealed" };
        MmapLogOptions options = log.Options(64 * 1024);
        options.RetainedFileCountLimit = null;
        options.CompressSealedSegments = true;
        options.Hooks = hooks;
        using (var writer = new MmapLogWriter(options))
        {
            Write(writer, 0, 20_000);
            WaitUntil(() => Containers(log) >= 3, "compressed segments");
        }
        Assert.Contains(log.Errors, e => e.Kind == MmapLogErrorKind.Hook && e.Exception is InvalidOperationException);
        Assert.Equal(Enumerable.Range(0, 20_000), Numbers(log.Path_));
    }

    [Fact]
    public void A_hook_that_hangs_is_reported_and_left_behind_while_logging_compression_and_retention_go_on()
    {
        using var log = new TestLog();
        using var hang = new ManualResetEventSlim(false);
        var hooks = new RecordingHooks { Hang = hang, HookTimeout = TimeSpan.FromMilliseconds(100) };
        MmapLogOptions options = log.Options(64 * 1024);
        options.RetainedFileCountLimit = 6;
        options.CompressSealedSegments = true;
        options.Hooks = hooks;
        try
        {
            using (var writer = new MmapLogWriter(options))
            {
                Write(writer, 0, 30_000);
                WaitUntil(() => Containers(log) >= 2 && hooks.Calls.Any(c => c.StartsWith("deleting", StringComparison.Ordinal)), "compression and retention despite the hanging hooks");
                Write(writer, 30_000, 1000);
            }
            Assert.Contains(log.Errors, e => e.Kind == MmapLogErrorKind.Hook && e.Message.Contains("did not return", StringComparison.Ordinal));
            List<int> numbers = Numbers(log.Path_);
            Assert.Equal(Enumerable.Range(30_000, 1000), numbers.Skip(numbers.Count - 1000));
        }
        finally
        {
            hang.Set();
        }
    }

    [Fact]
    public void The_size_limit_counts_compressed_bytes_so_the_same_limit_keeps_more_history()
    {
        int Kept(bool compress)
        {
            using var log = new TestLog();
            MmapLogOptions options = log.Options(64 * 1024);
            options.RetainedFileCountLimit = null;
            options.RetainedTotalSizeLimitBytes = 512 * 1024;
            options.CompressSealedSegments = compress;
            using (var writer = new MmapLogWriter(options))
            {
                // Half a segment at a time, letting compression catch up (left plain: the segment being written and the
                // one prepared next): the limit counts bytes on disk as they are, so a backlog of plain segments would
                // take room from the compressed history.
                for (int part = 0; part < 80; part++)
                {
                    Write(writer, part * 600, 600);
                    if (compress) WaitUntil(() => Directory.GetFiles(log.Directory, "app-*.mlog").Length <= 2, "compression to catch up");
                }
            }
            long onDisk = Directory.GetFiles(log.Directory, "app-*").Sum(f => new FileInfo(f).Length);
            Assert.True(onDisk <= 512 * 1024 + 64 * 1024, $"{onDisk} bytes on disk");
            return Numbers(log.Path_).Count;
        }
        int plain = Kept(compress: false);
        int compressed = Kept(compress: true);
        Assert.True(compressed > 2.5 * plain, $"kept {compressed} events compressed, {plain} plain");

    }
}
