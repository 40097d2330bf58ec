using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

/// <summary>
/// The pages just ahead of the segment's tail are kept faulted in and writable by the maintainer
/// (PageWindow), whatever the kernel did to them since: written back (and so write-protected) or reclaimed.
/// </summary>
public class PageWindowTests
{
    [Fact]
    public void Pages_ahead_of_the_tail_that_the_kernel_wrote_back_are_made_writable_again_by_the_maintainer()
    {
        if (!PageCacheTests.PageCache.IsAvailable) return;
        using var log = new TestLog();
        using var writer = new MmapLogWriter(log.Options(segmentSize: 16 << 20));
        for (int i = 0; i < 100; i++)
        {
            var e = new SimpleEvent("Event {Number} {Text} {Elapsed}", i, "text", 1.5);
            Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
        }
        string path = writer.CurrentSegmentPath!;
        // What the kernel's flusher does to pages dirty for 30 s: written back, each one write-protected
        // until it is written again (a page fault for whoever writes it first).
        const long Near = 256 << 10;
        // The maintainer may write them again at any moment: written back is seen at least once.
        bool seenClean = false;
        for (int attempt = 0; attempt < 100 && !seenClean; attempt++)
        {
            WriteBack(path);
            seenClean = PageCacheTests.PageCache.DirtyPages(path, 0, Near) == 0;
        }
        Assert.True(seenClean, "fdatasync wrote the pages back");

        // The maintainer walks the pages near the tail each round and writes them again (with no change).
        var deadline = Stopwatch.StartNew();
        long dirty;
        // The 100 events fill the first page or two (behind the tail: not touched again).
        const long Ahead = Near / 4096 - 2;
        while ((dirty = PageCacheTests.PageCache.DirtyPages(path, 0, Near)) < Ahead && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(10);
        }
        Assert.Empty(log.Errors);
        Assert.InRange(dirty, Ahead, Near / 4096);
    }

    [Fact]
    public void Preparing_pages_that_already_hold_records_leaves_every_record_as_written()
    {
        using var log = new TestLog();
        const int Count = 5000;
        using (var writer = new MmapLogWriter(log.Options(segmentSize: 4 << 20)))
        {
            for (int i = 0; i < Count; i++)
            {
                var e = new SimpleEvent("Event {Number} {Text} {Elapsed}", i, "text " + i, i / 2.0);
                Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
            }
        }
        string[] segments = log.SegmentFiles();
        Assert.Single(segments);
        // Again over the written bytes, through a storage of the same file: what the maintainer does to the tail's page.
        using (var file = new FileStream(segments[0], FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        using (var storage = new MappedSegmentStorage(segments[0], file, file.Length))
        {
            storage.Prefault(0, storage.Capacity);
            Assert.Equal(storage.Capacity, storage.PrefaultedTo);
        }
        var events = new MmapLogReader(log.Path_).ReadEvents().ToList();
        Assert.Equal(Count, events.Count);
        Assert.Equal(Enumerable.Range(0, Count), events.Select(e => Convert.ToInt32(((LogScalar)e.Properties[0].Value).Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }

    [Fact]
    public void Touching_reads_each_prepared_page_through_the_mapping_and_goes_no_further_than_what_was_prepared()
    {
        if (!ReferencedPages.IsAvailable) return;
        using var log = new TestLog();
        string path = Path.Combine(log.Directory, "touched.bin");
        const long Size = 4 << 20;
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
        file.SetLength(Size);
        using var storage = new MappedSegmentStorage(path, file, Size);
        // Nothing prepared: touching would read past what is known to be there (SIGBUS on a cut file).
        storage.Touch(0, Size);
        Assert.Equal(0, storage.TouchedTo);

        storage.Prefault(0, Size / 2);
        ReferencedPages.Clear();
        Assert.Equal(0, ReferencedPages.KiB(storage));
        storage.Touch(0, Size);
        Assert.Equal(Size / 2, storage.TouchedTo);
        // The CPU used the mapping for each prepared page (the hardware set each one's accessed bit), and for no other.
        Assert.Equal(Size / 2 / 1024, ReferencedPages.KiB(storage));
    }

    [Fact]
    public unsafe void The_maintainer_touches_the_pages_just_ahead_of_the_tail_each_round_and_is_woken_before_they_run_out()
    {
        if (!ReferencedPages.IsAvailable) return;
        using var log = new TestLog();
        using var writer = new MmapLogWriter(log.Options(segmentSize: 16 << 20));
        for (int i = 0; i < 100; i++)
        {
            var e = new SimpleEvent("Event {Number} {Text} {Elapsed}", i, "text", 1.5);
            Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
        }
        ActiveSegment segment = writer.Rotation.Current!;
        // The first round: half the smallest window (2 MiB) touched ahead of the tail.
        Assert.True(SpinWait.SpinUntil(() => segment.Storage.TouchedTo >= segment.ClaimedEnd + PageWindow.MinimumBytes / 2 - 4096, TimeSpan.FromSeconds(10)),
            $"touched to {segment.Storage.TouchedTo}, tail {segment.ClaimedEnd}");
        // A logging thread passing the mark wakes the maintainer while touched pages are still ahead of it.
        int mark = segment.PrefaultMark;
        Assert.InRange(mark, segment.ClaimedEnd + 1, segment.Storage.TouchedTo - PageWindow.MinimumBytes / 8);

        // Nothing writes now, yet the pages nearest the tail are touched again by the next rounds:
        // a page is never left untouched for long just because it was touched once.
        ReferencedPages.Clear();
        long referenced = 0;
        var deadline = Stopwatch.StartNew();
        while ((referenced = ReferencedPages.KiB(segment.Storage)) < PageWindow.MinimumBytes / 4 / 1024 - 8 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(20);
        }
        Assert.InRange(referenced, PageWindow.MinimumBytes / 4 / 1024 - 8, segment.Storage.Capacity / 1024);
        Assert.Empty(log.Errors);
    }

    /// <summary>
    /// The kernel's count of a mapping's pages whose accessed bit is set (smaps' Referenced), and the
    /// means to clear those bits for the whole process (clear_refs).
    /// </summary>
    private static class ReferencedPages
    {
        public static bool IsAvailable => Smaps.IsAvailable && File.Exists("/proc/self/clear_refs");

        public static void Clear() => File.WriteAllText("/proc/self/clear_refs", "1");

        public static long KiB(SegmentStorage storage) => Smaps.KiB(storage, "Referenced:");
    }

    private static void WriteBack(string path)
    {
        // Plain open: .NET's FileStream takes the advisory lock the writer holds.
        int fd = open(path, 2 /* O_RDWR */);
        Assert.True(fd >= 0, $"open {path}: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            Assert.Equal(0, fdatasync(fd));
        }
        finally
        {
            close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(int fd);

    [DllImport("libc")]
    private static extern int close(int fd);
}
