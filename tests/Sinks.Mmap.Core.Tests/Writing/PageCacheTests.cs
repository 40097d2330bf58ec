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
        var hooks = new SealedHooks();
        options.Hooks = hooks;
        using var writer = new MmapLogWriter(options);

        string closed = FillFirstSegmentAndWaitForItsClose(writer, log, hooks);

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
        var hooks = new SealedHooks();
        options.Hooks = hooks;
        using var writer = new MmapLogWriter(options);

        string closed = FillFirstSegmentAndWaitForItsClose(writer, log, hooks);

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

    [Fact]
    public void A_closed_segment_is_on_disk_once_sealed_with_the_default_flush_level()
    {
        if (!PageCache.IsAvailable) return;
        using var log = new TestLog();
        MmapLogOptions options = log.Options(segmentSize: 1 << 20);
        var hooks = new SealedHooks();
        options.Hooks = hooks;
        using var writer = new MmapLogWriter(options);

        string closed = FillFirstSegmentAndWaitForItsClose(writer, log, hooks);

        // README, Durability: with any durability option set, the default Fatal level included, a sealed segment is flushed.
        Assert.Equal(0, PageCache.DirtyPages(closed));
    }

    private static string FillFirstSegmentAndWaitForItsClose(MmapLogWriter writer, TestLog log, SealedHooks sealedHooks)
    {
        string first = writer.CurrentSegmentPath!;
        int i = 0;
        while (writer.CurrentSegmentPath == first)
        {
            var e = new SimpleEvent("Event {Number} {Text} {Elapsed}", i++, "some text to fill the segment faster", 1.5);
            Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
        }
        // Sealed is reported once the maintainer has unmapped, trimmed, fsynced (when asked) and closed the file.
        var deadline = Stopwatch.StartNew();
        while (!sealedHooks.Sealed.ContainsKey(first) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(5);
        }
        Assert.True(sealedHooks.Sealed.ContainsKey(first), "the first segment was closed");
        Assert.True(new FileInfo(first).Length < (1 << 20), "the first segment was trimmed");
        Assert.Empty(log.Errors);
        return first;
    }

    private sealed class SealedHooks : SegmentLifecycleHooks
    {
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Sealed = new();

        public override void OnSegmentSealed(string path) => Sealed[path] = true;
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
