using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

/// <summary>
/// Segments retention gives up while the log rotates fast become the writer's next segments
/// (<see cref="SegmentSpare"/>): zeroed first, and never one that anyone may still read.
/// </summary>
public class SegmentSpareTests
{
    private const int SegmentSize = 4096;

    private static MmapLogOptions FastRotatingLog(TestLog log, int keep = 2)
    {
        MmapLogOptions options = log.Options(SegmentSize);
        options.RetainedFileCountLimit = keep;
        return options;
    }

    private static void Log(MmapLogWriter writer, int first, int count)
    {
        for (int i = first; i < first + count; i++)
        {
            var e = new SimpleEvent("Event {Number} {Text} {Elapsed}", i, "recycled", 1.5);
            Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
        }
    }

    private static List<int> NumbersReadBack(TestLog log) =>
        new MmapLogReader(log.Path_).ReadEvents().Select(e => Convert.ToInt32(((LogScalar)e.Properties[0].Value).Value)).ToList();

    /// <summary>Logs in bursts until retention has made at least <paramref name="recycled"/> segments from spares; returns the events logged.</summary>
    private static int LogUntilRecycled(MmapLogWriter writer, int recycled, int start = 0)
    {
        int next = start;
        Assert.True(TestSupport.WaitUntil(() =>
        {
            Log(writer, next, 200);
            next += 200;
            return writer.RecycledSegments >= recycled;
        }, TimeSpan.FromSeconds(20)), $"only {writer.RecycledSegments} segment(s) recycled");
        return next;
    }

    [Fact]
    public void Segments_retention_gives_up_become_new_segments_and_the_log_reads_back_only_its_own_events()
    {
        if (!SegmentSpare.IsSupported) return;
        using var log = new TestLog();
        int logged;
        using (var writer = new MmapLogWriter(FastRotatingLog(log)))
        {
            logged = LogUntilRecycled(writer, 5);
        }
        Assert.Empty(log.Errors);
        // The newest events, each once and in order, ending with the last one: nothing stale from a recycled file.
        List<int> numbers = NumbersReadBack(log);
        Assert.NotEmpty(numbers);
        Assert.Equal(Enumerable.Range(logged - numbers.Count, numbers.Count), numbers);
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
        Assert.False(File.Exists(SegmentSpare.PathFor(new SegmentNaming(log.Path_))), "the spare is deleted when the writer is disposed");
    }

    [Fact]
    public void A_sealed_segment_a_reader_still_has_open_is_deleted_and_never_overwritten()
    {
        if (!SegmentSpare.IsSupported) return;
        using var log = new TestLog();
        using var writer = new MmapLogWriter(FastRotatingLog(log));
        string first = writer.CurrentSegmentPath!;
        int next = 0;
        while (writer.CurrentSegmentPath == first)
        {
            Log(writer, next++, 1);
        }
        Assert.True(TestSupport.WaitUntil(() => new FileInfo(first).Length < SegmentSize), "the first segment was closed and trimmed");
        using var reader = new FileStream(first, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        byte[] before = ReadAll(reader);

        LogUntilRecycled(writer, 5, next);

        Assert.False(File.Exists(first), "retention removed the first segment's name");
        Assert.Equal(before, ReadAll(reader));
    }

    [Fact]
    public void A_sealed_segment_with_another_name_is_deleted_and_never_overwritten()
    {
        if (!SegmentSpare.IsSupported) return;
        using var log = new TestLog();
        using var writer = new MmapLogWriter(FastRotatingLog(log));
        string first = writer.CurrentSegmentPath!;
        int next = 0;
        while (writer.CurrentSegmentPath == first)
        {
            Log(writer, next++, 1);
        }
        Assert.True(TestSupport.WaitUntil(() => new FileInfo(first).Length < SegmentSize), "the first segment was closed and trimmed");
        // An archiver keeps the segment under a name of its own.
        string archived = Path.Combine(log.Directory, "archived-copy.bin");
        Assert.Equal(0, link(first, archived));
        byte[] before = File.ReadAllBytes(archived);

        LogUntilRecycled(writer, 5, next);

        Assert.False(File.Exists(first), "retention removed the first segment's name");
        Assert.Equal(before, File.ReadAllBytes(archived));
    }

    [Fact]
    public void A_spare_a_killed_writer_left_is_passed_by_readers_and_deleted_when_the_lane_is_taken()
    {
        if (!SegmentSpare.IsSupported) return;
        using var log = new TestLog();
        var naming = new SegmentNaming(log.Path_);
        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            Log(writer, 0, 10);
        }
        // The worst a spare can hold: a copy of a real segment, records and all.
        string spare = SegmentSpare.PathFor(naming);
        File.Copy(naming.PathFor(1), spare);
        Assert.Equal(Enumerable.Range(0, 10), NumbersReadBack(log));

        using (var writer = new MmapLogWriter(log.Options(SegmentSize)))
        {
            Assert.False(File.Exists(spare), "the leftover spare was deleted when the lane was taken");
            Log(writer, 10, 10);
        }
        Assert.Equal(Enumerable.Range(0, 20), NumbersReadBack(log));
    }

    [Fact]
    public void A_spare_is_zeroed_when_taken_and_becomes_a_full_size_segment_file_under_the_new_name()
    {
        if (!SegmentSpare.IsSupported) return;
        using var log = new TestLog();
        var naming = new SegmentNaming(log.Path_);
        string sealedSegment = naming.PathFor(1);
        File.WriteAllBytes(sealedSegment, Enumerable.Repeat((byte)0xAB, 3000).ToArray());
        using var spare = new SegmentSpare();
        spare.NoteSegmentLifetime(5);

        Assert.True(spare.TryAdopt(naming, sealedSegment));

        Assert.False(File.Exists(sealedSegment));
        Assert.All(File.ReadAllBytes(SegmentSpare.PathFor(naming)), b => Assert.Equal(0, b));
        using FileStream? taken = spare.TryTake(naming, naming.PathFor(7), SegmentSize);
        Assert.NotNull(taken);
        Assert.Equal(SegmentSize, taken!.Length);
        Assert.False(File.Exists(SegmentSpare.PathFor(naming)));
        Assert.All(File.ReadAllBytes(naming.PathFor(7)), b => Assert.Equal(0, b));
        Assert.Equal(1, spare.Recycled);
    }

    [Fact]
    public void A_segment_that_lasted_long_is_not_kept_as_a_spare()
    {
        if (!SegmentSpare.IsSupported) return;
        using var log = new TestLog();
        var naming = new SegmentNaming(log.Path_);
        string sealedSegment = naming.PathFor(1);
        File.WriteAllBytes(sealedSegment, new byte[3000]);
        using var spare = new SegmentSpare();
        spare.NoteSegmentLifetime(SegmentSpare.RecycleBelowMilliseconds);

        Assert.False(spare.TryAdopt(naming, sealedSegment));
        Assert.True(File.Exists(sealedSegment));
        Assert.False(File.Exists(SegmentSpare.PathFor(naming)));
    }

    [Fact]
    public void A_spare_never_replaces_a_file_planted_under_the_next_segment_name()
    {
        if (!SegmentSpare.IsSupported) return;
        using var log = new TestLog();
        var naming = new SegmentNaming(log.Path_);
        string sealedSegment = naming.PathFor(1);
        File.WriteAllBytes(sealedSegment, new byte[3000]);
        string planted = naming.PathFor(2);
        File.WriteAllText(planted, "not a segment");
        using var spare = new SegmentSpare();
        spare.NoteSegmentLifetime(5);
        Assert.True(spare.TryAdopt(naming, sealedSegment));

        Assert.Null(spare.TryTake(naming, planted, SegmentSize));

        Assert.Equal("not a segment", File.ReadAllText(planted));
        Assert.False(File.Exists(SegmentSpare.PathFor(naming)), "the spare that could not be used was deleted");
    }

    private static byte[] ReadAll(FileStream stream)
    {
        stream.Position = 0;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);
}
