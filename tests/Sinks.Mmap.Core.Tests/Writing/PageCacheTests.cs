using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

/// <summary>
/// What closing a segment leaves in the kernel's page cache, read with the cachestat system call
/// (Linux 6.5+): dirty pages are the ones not yet written to disk.
/// </summary>
public class PageCacheTests
{
    [Fact]
    public void A_closed_segment_is_left_to_the_kernel_when_no_durability_option_asks_for_disk()
    {
        if (!PageCache.IsAvailable) return;
        using var log = new TestLog();
        MmapLogOptions options = log.Options(segmentSize: 1 << 20);
        options.FlushToDiskLevel = null;
        using var writer = new MmapLogWriter(options);

        string closed = FillFirstSegmentAndWaitForItsClose(writer, log);

        // Written back only when the kernel decides (after ~30 s): closing forced nothing to disk.
        long pages = (new FileInfo(closed).Length + 4095) / 4096;
        long dirty = PageCache.DirtyPages(closed);
        Assert.True(dirty * 2 >= pages, $"{dirty} of the closed segment's {pages} pages are still dirty in the page cache");
        Assert.Equal(0, writer.DiskFlushes);
    }

    [Fact]
    public void A_closed_segment_is_on_disk_when_a_durability_interval_is_set()
    {
        if (!PageCache.IsAvailable) return;
        using var log = new TestLog();
        MmapLogOptions options = log.Options(segmentSize: 1 << 20);
        options.FlushToDiskLevel = null;
        options.FlushToDiskInterval = TimeSpan.FromHours(1);
        using var writer = new MmapLogWriter(options);

        string closed = FillFirstSegmentAndWaitForItsClose(writer, log);

        // The maintainer trims the file, then fsyncs it: wait for the fsync, well short of the
        // kernel's own ~30 s write-back, which would otherwise clean the pages too.
        var deadline = Stopwatch.StartNew();
        long dirty;
        while ((dirty = PageCache.DirtyPages(closed)) != 0 && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(5);
        }
        Assert.Equal(0, dirty);
    }

    private static string FillFirstSegmentAndWaitForItsClose(MmapLogWriter writer, TestLog log)
    {
        string first = writer.CurrentSegmentPath!;
        int i = 0;
        while (writer.CurrentSegmentPath == first)
        {
            var e = new SimpleEvent("Event {Number} {Text} {Elapsed}", i++, "some text to fill the segment faster", 1.5);
            Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
        }
        // The maintainer trims a closed segment to just past its seal, last.
        var deadline = Stopwatch.StartNew();
        while (new FileInfo(first).Length == (1 << 20) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(5);
        }
        Assert.True(new FileInfo(first).Length < (1 << 20), "the first segment was closed and trimmed");
        Assert.Empty(log.Errors);
        return first;
    }

    internal static class PageCache
    {
        private const long SysCachestat = 451; // the same number on x86-64 and arm64

        [StructLayout(LayoutKind.Sequential)]
        private struct Range
        {
            public ulong Offset;
            public ulong Length;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct Stat
        {
            public ulong Cache;
            public ulong Dirty;
            public ulong Writeback;
            public ulong Evicted;
            public ulong RecentlyEvicted;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern unsafe long syscall(long number, int fd, Range* range, Stat* stat, uint flags);

        [DllImport("libc", SetLastError = true)]
        private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc")]
        private static extern int close(int fd);

        public static bool IsAvailable =>
            OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64 && Environment.OSVersion.Version >= new Version(6, 5);

        /// <summary>Dirty plus under-writeback pages of the whole file.</summary>
        public static long DirtyPages(string path) => DirtyPages(path, 0, 0);

        /// <summary>Dirty plus under-writeback pages of [offset, offset + length) (length 0: to the end).</summary>
        public static long DirtyPages(string path, long offset, long length)
        {
            return Read(path, offset, length);
        }

        private static unsafe long Read(string path, long offset, long length)
        {
            int fd = open(path, 0);
            Assert.True(fd >= 0, $"open {path}: errno {Marshal.GetLastPInvokeError()}");
            try
            {
                Range range = new() { Offset = (ulong)offset, Length = (ulong)length };
                Stat stat = default;
                long rc = syscall(SysCachestat, fd, &range, &stat, 0);
                Assert.True(rc == 0, $"cachestat: errno {Marshal.GetLastPInvokeError()}");
                return (long)(stat.Dirty + stat.Writeback);
            }
            finally
            {
                close(fd);
            }
        }
    }
}
