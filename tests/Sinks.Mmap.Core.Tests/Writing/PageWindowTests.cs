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
