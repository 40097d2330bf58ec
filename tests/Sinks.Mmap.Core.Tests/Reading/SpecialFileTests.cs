using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Reading;

/// <summary>
/// Files named like segments that are not regular files: a FIFO would make a plain open() wait for a
/// writer forever, a device never ends. Readers skip them, say so, and go on.
/// </summary>
public sealed class SpecialFileTests
{
    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    /// <summary>Makes a FIFO at <paramref name="path"/> (a real one, with mkfifo(3)).</summary>
    internal static void MakeFifo(string path)
    {
        Assert.True(mkfifo(path, Convert.ToUInt32("644", 8)) == 0, $"mkfifo failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>
    /// Runs <paramref name="read"/>, and if it is still blocked after a minute (on the FIFO), opens the FIFO
    /// for writing so the reader's open() returns, then fails: the test cleans up after itself either way.
    /// </summary>
    private static T WithoutBlocking<T>(string fifo, Func<T> read)
    {
        Task<T> task = Task.Run(read);
        if (task.Wait(TimeSpan.FromMinutes(1))) return task.Result;
        using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
        {
        }
        task.Wait(TimeSpan.FromSeconds(10));
        Assert.Fail("the reader blocked on a FIFO named like a segment");
        return default!;
    }

    private static void WriteSegment(string folder, long number, long firstSequence)
    {
        var segment = new SegmentBuilder(segmentNumber: number, firstSequence: firstSequence, createdTicks: HostileShapes.Ticks);
        segment.Event(HostileShapes.SmallEvent(), HostileShapes.Ticks);
        segment.Seal(HostileShapes.Ticks);
        segment.WriteTo(Path.Combine(folder, $"app-{number:D6}.mlog"));
    }

    [Fact]
    public void A_fifo_named_like_a_segment_is_skipped_and_reported_by_reading_and_validating()
    {
        if (OperatingSystem.IsWindows()) return;
        using var log = new TestLog();
        WriteSegment(log.Directory, 1, 1);
        string fifo = Path.Combine(log.Directory, "app-000002.mlog");
        MakeFifo(fifo);
        WriteSegment(log.Directory, 3, 3);

        var reader = new MmapLogReader(log.Path_);
        int events = WithoutBlocking(fifo, () => reader.ReadEvents().Count());
        ValidationReport report = WithoutBlocking(fifo, reader.Validate);

        Assert.Equal(2, events);
        SegmentReport skipped = Assert.Single(report.Segments, s => s.Path == fifo);
        Assert.Equal("app-000002.mlog: not a regular file (a FIFO); skipped", skipped.Problem);
        Assert.False(report.IsClean);
    }

    [Fact]
    public void A_follower_of_a_log_whose_only_segment_is_a_fifo_waits_without_blocking_and_stops_when_cancelled()
    {
        if (OperatingSystem.IsWindows()) return;
        using var log = new TestLog();
        string fifo = Path.Combine(log.Directory, "app-000001.mlog");
        MakeFifo(fifo);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        int yielded = WithoutBlocking(fifo, () =>
        {
            int count = 0;
            Task follow = Task.Run(async () =>
            {
                await foreach (MmapEvent _ in new MmapLogReader(log.Path_).FollowAsync(pollInterval: TimeSpan.FromMilliseconds(20), cancellationToken: cts.Token)) count++;
            });
            follow.Wait();
            return count;
        });

        Assert.Equal(0, yielded);
    }

    [Fact]
    public void A_device_named_like_a_segment_is_skipped_and_reported()
    {
        if (OperatingSystem.IsWindows()) return;
        using var log = new TestLog();
        WriteSegment(log.Directory, 1, 1);
        string device = Path.Combine(log.Directory, "app-000002.mlog");
        File.CreateSymbolicLink(device, "/dev/zero");

        var reader = new MmapLogReader(log.Path_);
        ValidationReport report = reader.Validate();

        Assert.Single(reader.ReadEvents());
        Assert.Equal("app-000002.mlog: not a regular file (a character device); skipped", Assert.Single(report.Segments, s => s.Path == device).Problem);
    }
}
