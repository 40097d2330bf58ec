using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sinks.Mmap.Format;
using Sinks.Mmap.Storage;
using Sinks.Mmap.TestSupport;
using Sinks.Mmap.Writing;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

public class RetentionTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    /// <summary>Segment numbers present now, ascending.</summary>
    private static List<long> Numbers(TestLog log) => new SegmentNaming(log.Path_).List().Select(s => s.Number).ToList();

    /// <summary>True for a segment whose header is written; false for a prepared one, or one retention just deleted.</summary>
    private static bool HoldsRecords(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            byte[] head = new byte[FormatConstants.HeaderSize];
            return file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && !SegmentHeader.IsNeverStarted(head);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Appends fixed-size events until the writer is writing segment <paramref name="number"/>.</summary>
    private static void WriteUntilSegment(MmapLogWriter writer, TestLog log, long number)
    {
        string target = new SegmentNaming(log.Path_).PathFor(number);
        for (int i = 0; writer.CurrentSegmentPath != target; i++)
        {
            Assert.True(i < 100_000, "the writer never reached segment " + number);
            var e = new FixedSizeEvent((short)i);
            Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
        }
    }

    /// <summary>4 KiB segments kept for an hour by <paramref name="clock"/>'s time, with no count limit.</summary>
    private static MmapLogOptions AgeLimited(TestLog log, FakeTimeProvider clock)
    {
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        options.RetainedFileTimeLimit = TimeSpan.FromHours(1);
        options.TimeProvider = clock;
        return options;
    }

    private static void AssertNewestKept(List<long> numbers, long newest)
    {
        // What is left is a contiguous run ending at the newest: the oldest went first.
        Assert.Equal(Enumerable.Range((int)(newest - numbers.Count + 1), numbers.Count).Select(n => (long)n), numbers);
    }

    [Fact]
    public void The_count_limit_deletes_the_oldest_sealed_segments_and_keeps_the_one_being_written()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = 3;
        using (var writer = new MmapLogWriter(options))
        {
            WriteUntilSegment(writer, log, 10);
            string current = writer.CurrentSegmentPath!;
            Assert.True(TestSupport.WaitUntil(() => !Numbers(log).Contains(6)), "retention did not run: " + string.Join(",", Numbers(log)));
            Assert.True(TestSupport.WaitUntil(() =>
                new SegmentNaming(log.Path_).List().Count(s => HoldsRecords(s.Path)) <= 3), "too many segments: " + string.Join(",", Numbers(log)));
            Assert.True(File.Exists(current));
            Assert.Equal(current, writer.CurrentSegmentPath);
            List<long> numbers = Numbers(log);
            Assert.DoesNotContain(1L, numbers);
            Assert.Contains(10L, numbers);
        }
        List<long> final = Numbers(log);
        AssertNewestKept(final, 10);
        Assert.Equal(3, final.Count);
        // What is kept is readable and continuous.
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void The_age_limit_deletes_sealed_segments_last_written_too_long_ago_but_never_the_one_being_written()
    {
        using var log = new TestLog();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        MmapLogOptions options = AgeLimited(log, clock);
        var naming = new SegmentNaming(log.Path_);
        using (var writer = new MmapLogWriter(options))
        {
            WriteUntilSegment(writer, log, 4);
            // Wait for segments 1-3 to be closed and trimmed, so nothing touches their times afterwards.
            Assert.True(TestSupport.WaitUntil(() => Enumerable.Range(1, 3).All(n => new FileInfo(naming.PathFor(n)).Length < 4096)));
            DateTime now = clock.Now.UtcDateTime;
            File.SetLastWriteTimeUtc(naming.PathFor(1), now.AddHours(-3));
            File.SetLastWriteTimeUtc(naming.PathFor(2), now.AddMinutes(-61));
            File.SetLastWriteTimeUtc(naming.PathFor(3), now.AddMinutes(-59));

            WriteUntilSegment(writer, log, 5); // closing 4 runs retention
            Assert.True(TestSupport.WaitUntil(() => !File.Exists(naming.PathFor(2))), "old segments were kept: " + string.Join(",", Numbers(log)));
            Assert.False(File.Exists(naming.PathFor(1)));
            Assert.True(File.Exists(naming.PathFor(3)));
            Assert.True(File.Exists(naming.PathFor(4)));

            // A day later every file is old by the clock, the one being written too: only sealed ones go.
            clock.Now = clock.Now.AddDays(1);
            Assert.True(TestSupport.WaitUntil(() => File.Exists(naming.PathFor(6))), "the next segment was not prepared");
            File.SetLastWriteTimeUtc(naming.PathFor(6), now.AddDays(-30)); // the prepared next segment
            WriteUntilSegment(writer, log, 6);
            string current = writer.CurrentSegmentPath!;
            Assert.True(TestSupport.WaitUntil(() => !File.Exists(naming.PathFor(5))), "old segments were kept: " + string.Join(",", Numbers(log)));
            Assert.False(File.Exists(naming.PathFor(3)));
            Assert.False(File.Exists(naming.PathFor(4)));
            Assert.True(File.Exists(current));
            var e = new FixedSizeEvent(1);
            Assert.True(writer.Append(T0, MmapLevel.Information, ref e));
            // Back to real time, so the segment sealed by Dispose is fresh by the clock and stays.
            clock.Now = DateTimeOffset.UtcNow;
        }
        Assert.True(File.Exists(naming.PathFor(6)));
        Assert.True(new MmapLogReader(log.Path_).ReadEvents().Any());
        Assert.DoesNotContain(log.Errors, e => e.Kind == MmapLogErrorKind.Io);
    }

    [Fact]
    public void The_total_size_limit_deletes_the_oldest_sealed_segments_until_the_log_fits()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        options.RetainedTotalSizeLimitBytes = 5 * 4096;
        // A file listed may be deleted before its length is read: FileInfo caches what it saw at Exists.
        long TotalBytes() => new SegmentNaming(log.Path_).List().Select(s => new FileInfo(s.Path)).Sum(f => f.Exists ? f.Length : 0);
        using (var writer = new MmapLogWriter(options))
        {
            WriteUntilSegment(writer, log, 12);
            string current = writer.CurrentSegmentPath!;
            Assert.True(TestSupport.WaitUntil(() => !Numbers(log).Contains(7) && TotalBytes() <= 5 * 4096),
                "retention left " + TotalBytes() + " bytes in " + string.Join(",", Numbers(log)) + " " + string.Join(" / ", log.Errors));
            Assert.True(File.Exists(current));
            List<long> numbers = Numbers(log);
            Assert.Contains(12L, numbers);
            AssertNewestKept(numbers, numbers[^1]);
            // It deletes only what it must: keeping one more sealed segment (4072 bytes) would have broken the limit.
            Assert.True(TotalBytes() + 4072 > 5 * 4096, "retention deleted more than the limit required: " + string.Join(",", Numbers(log)));
        }
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void The_policy_never_touches_segments_numbered_at_or_above_the_oldest_live_one()
    {
        using var log = new TestLog();
        var naming = new SegmentNaming(log.Path_);
        for (int n = 1; n <= 6; n++)
        {
            byte[] bytes = new byte[4096];
            new SegmentHeader(n, n * 100, T0, 1, 4096).WriteTo(bytes);
            File.WriteAllBytes(naming.PathFor(n), bytes);
            File.SetLastWriteTimeUtc(naming.PathFor(n), new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }
        var options = new MmapLogOptions
        {
            Path = log.Path_,
            SegmentSizeBytes = 4096,
            RetainedFileCountLimit = 1,
            RetainedFileTimeLimit = TimeSpan.FromMinutes(1),
            RetainedTotalSizeLimitBytes = 8192,
        };
        var errors = new List<MmapLogError>();
        List<string> deleted = RetentionPolicy.Apply(naming, options, oldestLiveNumber: 5, DateTime.UtcNow, errors.Add);
        Assert.Equal(Enumerable.Range(1, 4).Select(n => naming.PathFor(n)), deleted);
        Assert.Equal(new long[] { 5, 6 }, Numbers(log));
        Assert.Empty(errors);
    }

    [Fact]
    public void A_retention_pass_reads_each_segment_s_header_not_its_body()
    {
        // It runs after every rotation: it must cost a look at each header, however large the segments.
        using var log = new TestLog();
        var naming = new SegmentNaming(log.Path_);
        const int Segments = 8;
        const int Size = 4 << 20;
        for (int n = 1; n <= Segments; n++)
        {
            using var file = new FileStream(naming.PathFor(n), FileMode.CreateNew);
            byte[] header = new byte[128];
            new SegmentHeader(n, n * 100, T0 + n, 1, Size).WriteTo(header);
            file.Write(header);
            file.SetLength(Size);
        }
        var options = new MmapLogOptions { Path = log.Path_, SegmentSizeBytes = Size, RetainedFileCountLimit = Segments };
        RetentionPolicy.Apply(naming, options, oldestLiveNumber: Segments, DateTime.UtcNow, _ => { });

        long before = GC.GetAllocatedBytesForCurrentThread();
        List<string> deleted = RetentionPolicy.Apply(naming, options, oldestLiveNumber: Segments, DateTime.UtcNow, _ => { });
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Empty(deleted);
        // A few KiB for the listing and the per-file objects; a 1 MiB read window per segment was 8 MiB.
        Assert.True(allocated < 64 * 1024, $"a retention pass over {Segments} segments allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_retention_pass_over_live_segments_allocates_little_for_each()
    {
        // Retention runs a few times a segment, on the writer's background thread, and looks at every live
        // segment's header: a stream with its 4 KiB buffer per look was most of what a rotation allocated.
        using var log = new TestLog();
        var naming = new SegmentNaming(log.Path_);
        const int Segments = 8;
        for (int n = 1; n <= Segments; n++)
        {
            using var file = new FileStream(naming.PathFor(n), FileMode.CreateNew);
            byte[] header = new byte[128];
            new SegmentHeader(n, n * 100, T0 + n, 1, 4096).WriteTo(header);
            file.Write(header);
            file.SetLength(4096);
        }
        var options = new MmapLogOptions { Path = log.Path_, SegmentSizeBytes = 4096, RetainedFileCountLimit = 1 };
        RetentionPolicy.Apply(naming, options, oldestLiveNumber: 1, DateTime.UtcNow, _ => { });

        long before = GC.GetAllocatedBytesForCurrentThread();
        List<string> deleted = RetentionPolicy.Apply(naming, options, oldestLiveNumber: 1, DateTime.UtcNow, _ => { });
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Empty(deleted);
        Assert.True(allocated < Segments * 1024, $"a retention pass over {Segments} live segments allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_prepared_segment_that_never_started_does_not_count_against_the_count_limit()
    {
        using var log = new TestLog();
        var naming = new SegmentNaming(log.Path_);
        for (int n = 1; n <= 5; n++)
        {
            byte[] bytes = new byte[4096];
            if (n < 5) new SegmentHeader(n, n * 100, T0, 1, 4096).WriteTo(bytes);
            File.WriteAllBytes(naming.PathFor(n), bytes);
        }
        var options = new MmapLogOptions { Path = log.Path_, SegmentSizeBytes = 4096, RetainedFileCountLimit = 2 };
        // Segment 4 is being written, 5 is prepared next: 3 and 4 are the two segments kept.
        List<string> deleted = RetentionPolicy.Apply(naming, options, oldestLiveNumber: 4, DateTime.UtcNow, _ => { });
        Assert.Equal(new[] { naming.PathFor(1), naming.PathFor(2) }, deleted);
        Assert.Equal(new long[] { 3, 4, 5 }, Numbers(log));
    }

    [Fact]
    public void The_limits_count_every_lane_and_never_delete_a_segment_another_writer_is_writing()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = 6;
        MmapLogOptions secondOptions = log.Options(4096);
        secondOptions.RetainedFileCountLimit = 6;
        using (var first = new MmapLogWriter(options))
        using (var second = new MmapLogWriter(secondOptions))
        {
            Assert.Equal(2, second.Lane);
            for (int i = 0; i < 3000; i++)
            {
                var a = new FixedSizeEvent((short)i);
                var b = new FixedSizeEvent((short)-i);
                Assert.True(first.Append(T0 + 2 * i, MmapLevel.Information, ref a));
                Assert.True(second.Append(T0 + 2 * i + 1, MmapLevel.Information, ref b));
                Assert.True(File.Exists(first.CurrentSegmentPath) && File.Exists(second.CurrentSegmentPath), $"a segment being written was deleted at event {i}");
            }
            Assert.True(TestSupport.WaitUntil(() => Directory.GetFiles(log.Directory, "app*-*.mlog").Count(HoldsRecords) <= 6),
                "too many segments: " + string.Join(", ", Directory.GetFiles(log.Directory, "app*-*.mlog").Select(Path.GetFileName)));
        }
        Assert.DoesNotContain(log.Errors, e => e.Kind is MmapLogErrorKind.Io or MmapLogErrorKind.EventRejected);
        string[] kept = Directory.GetFiles(log.Directory, "app*-*.mlog");
        Assert.InRange(kept.Length, 2, 7);
        Assert.Contains(kept, f => Path.GetFileName(f).StartsWith("app~2-", StringComparison.Ordinal));
        // The newest events of both lanes are kept, and what is kept is whole.
        List<short> values = new MmapLogReader(log.Directory).ReadEvents().Select(e => (short)((LogScalar)e.Properties[0].Value).Value!).ToList();
        Assert.Contains((short)2999, values);
        Assert.Contains((short)-2999, values);
        Assert.True(new MmapLogReader(log.Directory).Validate().Segments.All(s => s.CorruptRanges.Count == 0 && s.Problem is null));
    }

    [Fact]
    public void A_segment_past_the_limits_is_deleted_before_the_next_segment_is_created()
    {
        // So that the memory its cached pages free is what the new segment is made of.
        using var log = new TestLog();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var writer = new MmapLogWriter(AgeLimited(log, clock));
        var naming = new SegmentNaming(log.Path_);
        string first = naming.PathFor(1);
        WriteUntilSegment(writer, log, 2);
        Assert.True(TestSupport.WaitUntil(() => StandbySeam.Get(writer.Rotation)?.Path == naming.PathFor(3)), "segment 3 was never prepared");
        // Closed and trimmed by the maintainer: nothing keeps it from retention but its age.
        Assert.True(TestSupport.WaitUntil(() => new FileInfo(first).Length < 4096), "segment 1 was never closed");

        var order = new List<string>();
        using var watcher = new FileSystemWatcher(log.Directory, "*.mlog");
        watcher.Created += (_, a) => { lock (order) order.Add("created " + a.Name); };
        watcher.Deleted += (_, a) => { lock (order) order.Add("deleted " + a.Name); };
        watcher.EnableRaisingEvents = true;
        // Segment 1 is now past the age limit, and nothing has looked yet: no rotation, no seal.
        clock.Now += TimeSpan.FromHours(2);
        SegmentStorage taken = StandbySeam.Take(writer.Rotation)!;
        taken.DeleteIfStillNamed();
        taken.Dispose();
        writer.Rotation.PrepareStandbyIfNeeded();

        string deleted = "deleted " + Path.GetFileName(first);
        string created = "created " + Path.GetFileName(naming.PathFor(4));
        Assert.True(TestSupport.WaitUntil(() => { lock (order) return order.Contains(deleted) && order.Contains(created); }),
            "expected segment 1 deleted and segment 4 created; saw: " + string.Join(", ", order));
        lock (order)
        {
            Assert.True(order.IndexOf(deleted) < order.IndexOf(created), "the new segment was made before the old one went: " + string.Join(", ", order));
        }
    }
}
