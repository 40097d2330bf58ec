using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Sinks.Mmap.Core.Tests.Crash;
using Sinks.Mmap.Format;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Faults;

/// <summary>
/// Another process cuts the segment being written (logrotate's copytruncate, a truncate by hand). A
/// write past the cut is SIGBUS, which .NET cannot catch: the process would die.
/// </summary>
public class CutSegmentTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 12, 7, 10);

    [DllImport("libc", SetLastError = true)]
    private static extern int truncate([MarshalAs(UnmanagedType.LPUTF8Str)] string path, long length);

    [Fact]
    public void A_segment_cut_short_ahead_of_its_records_is_sealed_and_the_log_goes_on_in_the_next_one()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4L << 20);
        options.RetainedFileCountLimit = null;
        const int before = 100, after = 40_000;
        using (var writer = new MmapLogWriter(options))
        {
            for (int i = 0; i < before; i++)
            {
                var e = new SimpleEvent("Event {Number} with {Text}", i, "before the cut", i);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
            string cut = writer.CurrentSegmentPath!;
            // 1 MiB of the 4 MiB left, well past the first events. The writer's background thread had
            // prepared and touched pages past it; reading or writing them now would kill this process.
            Assert.Equal(0, truncate(cut, 1L << 20));
            Poll.Until(() => Reported(log, "was cut to 1048576 bytes"), TimeSpan.FromSeconds(10), () => "the cut reported; errors: " + string.Join(" | ", log.Errors));

            // About 4 MB of events: in the cut segment they would pass the cut.
            for (int i = before; i < before + after; i++)
            {
                var e = new SimpleEvent("Event {Number} with {Text}", i, "after the cut, and long enough to fill a few megabytes of segments", i);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
            Assert.NotEqual(cut, writer.CurrentSegmentPath);
            Assert.Equal(0, writer.DroppedEvents);
        }
        LogContents contents = LogContents.ReadAndCheck(log.Path_);
        Assert.Equal(Enumerable.Range(0, before + after), contents.Records.Where(r => r.Kind == MmapRecordKind.Event)
            .Select(r => (int)((LogScalar)r.Event!.Properties[0].Value).Value!));
    }

    [Fact]
    public void A_cut_segment_is_sealed_only_where_the_seal_ends_before_the_cut()
    {
        using var log = new TestLog();
        ActiveSegment segment = log.StandaloneSegment("seal", T0);
        Assert.True(segment.TryClaim(4096, T0, out _, out _));
        int tail = segment.ClaimedEnd;

        // The seal would end past the cut: writing it there would be SIGBUS.
        Assert.False(segment.TrySealWithin(tail + FormatConstants.SealReserve - 1, T0));
        Assert.False(segment.IsSealed);
        Assert.True(segment.TrySealWithin(tail + FormatConstants.SealReserve, T0));
        Assert.True(segment.IsSealed);
        Assert.Equal(tail, segment.SealOffset);
    }

    [Fact]
    public void Preparing_the_pages_of_a_file_cut_short_under_its_mapping_stops_at_the_cut_instead_of_crashing()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var log = new TestLog();
        using MappedSegmentStorage storage = MapThenCut(log, prefaultFirst: false);

        // Touching the pages the kernel refused to prepare would kill this process here.
        storage.Prefault(0, MappedSize);

        Assert.Equal(CutAt, storage.PrefaultedTo);
        if (Smaps.IsAvailable)
        {
            // The pages before the cut were still prepared.
            Assert.Equal(CutAt / 1024, Smaps.KiB(storage, "Rss:"));
        }
    }

    [Fact]
    public void Touching_the_pages_of_a_file_cut_after_they_were_prepared_stops_at_the_cut()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var log = new TestLog();
        using MappedSegmentStorage storage = MapThenCut(log, prefaultFirst: true);
        Assert.Equal(MappedSize, storage.PrefaultedTo);

        // Prepared, but past the file's end now: reading those pages would kill this process.
        storage.Touch(0, MappedSize);

        Assert.Equal(CutAt, storage.TouchedTo);
    }

    private const long MappedSize = 1L << 20, CutAt = 256 * 1024;

    /// <summary>A 1 MiB mapping whose file another process then cuts to 256 KiB: a page past the cut is SIGBUS.</summary>
    private static MappedSegmentStorage MapThenCut(TestLog log, bool prefaultFirst)
    {
        string path = Path.Combine(log.Directory, "cut.bin");
        var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, MappedSize), MappedSize);
        if (prefaultFirst)
        {
            storage.Prefault(0, MappedSize);
        }
        Assert.Equal(0, truncate(path, CutAt));
        return storage;
    }

    private static bool Reported(TestLog log, string text)
    {
        lock (log.Errors)
        {
            return log.Errors.Any(e => e.Kind == MmapLogErrorKind.Io && e.Message.Contains(text, StringComparison.Ordinal));
        }
    }
}
