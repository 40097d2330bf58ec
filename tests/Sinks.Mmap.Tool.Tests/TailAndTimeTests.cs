using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>
/// Logs whose segments were created while their events were logged (the writer's clock set to each
/// event's time), so the segment headers' times match the events', as in a real log.
/// </summary>
internal static class TimedLog
{
    /// <summary>Writes events stamped <paramref name="start"/> + i × <paramref name="step"/>; event i says "Event i" (property N = i), level i % 6.</summary>
    public static void Write(string path, DateTimeOffset start, TimeSpan step, int count, long segmentSize = 8192, int firstNumber = 0)
    {
        var clock = new FakeTimeProvider(start);
        using var writer = new MmapLogWriter(new MmapLogOptions { Path = path, SegmentSizeBytes = segmentSize, RetainedFileCountLimit = null, TimeProvider = clock });
        for (int i = 0; i < count; i++)
        {
            clock.Now = start + step * i;
            var e = new Numbered(firstNumber + i);
            Assert.True(writer.Append(clock.Now.UtcTicks, (MmapLevel)((firstNumber + i) % 6), ref e));
        }
    }

    /// <summary>Two writers on one path (lanes app and app~2), event i stamped T0 + i s, in the second lane when <paramref name="toSecond"/> says so.</summary>
    public static void WriteTwoLanes(string path, DateTimeOffset start, int count, Func<int, bool> toSecond)
    {
        var clock = new FakeTimeProvider(start);
        using var first = new MmapLogWriter(new MmapLogOptions { Path = path, SegmentSizeBytes = 8192, RetainedFileCountLimit = null, TimeProvider = clock });
        using var second = new MmapLogWriter(new MmapLogOptions { Path = path, SegmentSizeBytes = 8192, RetainedFileCountLimit = null, TimeProvider = clock });
        Assert.Equal(2, second.Lane);
        for (int i = 0; i < count; i++)
        {
            clock.Now = start.AddSeconds(i);
            var e = new Numbered(i);
            Assert.True((toSecond(i) ? second : first).Append(clock.Now.UtcTicks, MmapLevel.Information, ref e));
        }
    }

    /// <summary>The N of each CLEF line.</summary>
    public static List<int> Numbers(ChildResult result) =>
        result.Lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("N").GetInt32()).ToList();

    /// <summary>Overwrites 64 bytes in the middle of a segment's records with garbage: a damaged range every full read reports.</summary>
    public static void Damage(string segment)
    {
        using FileStream file = File.Open(segment, FileMode.Open, FileAccess.ReadWrite);
        file.Position = Math.Min(2048, file.Length / 2) & ~7L;
        file.Write(Enumerable.Repeat((byte)0xA5, 64).ToArray());
    }

    /// <summary>"Event {N}" with N = the number.</summary>
    internal readonly struct Numbered : IEventPayload
    {
        private readonly int _number;

        public Numbered(int number) => _number = number;

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = "Event {N}", PropertyCount = 1 });
            writer.WritePropertyName("N");
            writer.WriteInt32(_number);
        }
    }
}

/// <summary>Seeking inside a segment (hopping frames on their length words) never changes what is read.</summary>
public sealed class SeekTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    /// <summary>One segment of 3000 events, event i stamped T0 + i s.</summary>
    private static string OneSegment(TempFolder folder)
    {
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromSeconds(1), 3000, segmentSize: 1 << 20);
        return Assert.Single(folder.Segments());
    }

    /// <summary>The byte offset of event <paramref name="n"/>'s record (where the position after event n − 1 points).</summary>
    private static long OffsetOf(string log, int n)
    {
        string line = ToolRun.Run("cat", log, "--format", "json", "--where", $"N = {n - 1}").Lines.Single();
        string position = JsonDocument.Parse(line).RootElement.GetProperty("position").GetString()!;
        return long.Parse(position.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Overwrite(string segment, long offset, byte[] bytes)
    {
        using FileStream file = File.Open(segment, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        file.Write(bytes);
    }

    private static List<int> Since(string log, int n) =>
        TimedLog.Numbers(ToolRun.Run("cat", log, "--format", "clef", "--since", T0.AddSeconds(n).ToString("o")));

    [Fact]
    public void Since_inside_a_segment_prints_exactly_the_events_from_that_time()
    {
        using var folder = new TempFolder();
        OneSegment(folder);
        Assert.Equal(Enumerable.Range(2000, 1000), Since(folder.LogPath, 2000));
        Assert.Equal(Enumerable.Range(0, 3000), Since(folder.LogPath, -5));
        Assert.Empty(Since(folder.LogPath, 5000));
        LogPosition place = new MmapLogReader(folder.LogPath).TimeStart(T0.AddSeconds(2000))!.Value;
        Assert.Equal(OffsetOf(folder.LogPath, 2000), place.Offset);
    }

    [Fact]
    public void Damage_before_the_time_makes_the_seek_read_and_check_the_frames_instead()
    {
        using var folder = new TempFolder();
        string segment = OneSegment(folder);
        // A corrupt length word: hopping cannot get past it, so the segment is read frame by frame.
        Overwrite(segment, OffsetOf(folder.LogPath, 500), new byte[] { 0xFF, 0xFF, 0x00, 0x00 });
        Assert.Equal(Enumerable.Range(2000, 1000), Since(folder.LogPath, 2000));
        Assert.Equal(Enumerable.Range(400, 2600).Where(i => i != 500), Since(folder.LogPath, 400));
    }

    [Fact]
    public void A_hole_before_the_time_leaves_every_event_after_it_readable()
    {
        using var folder = new TempFolder();
        string segment = OneSegment(folder);
        // A zero length word (a record a killed writer claimed and never published) in front of valid records.
        Overwrite(segment, OffsetOf(folder.LogPath, 1000), new byte[4]);
        Assert.Equal(Enumerable.Range(2000, 1000), Since(folder.LogPath, 2000));
        Assert.Equal(Enumerable.Range(900, 2100).Where(i => i != 1000), Since(folder.LogPath, 900));
        Assert.Equal(Enumerable.Range(2990, 10), TimedLog.Numbers(ToolRun.Run("cat", folder.LogPath, "-n", "10", "--format", "clef")));
    }

    [Fact]
    public void A_position_that_is_not_a_record_start_reads_as_before_by_sequence()
    {
        using var folder = new TempFolder();
        OneSegment(folder);
        long offset = OffsetOf(folder.LogPath, 1500);
        string exact = ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--from", $"1:{offset}:{1500 + 3}").Stdout;
        Assert.Equal(1500, exact.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // Eight bytes off: the hops cannot land there, so the frames are read and records before the sequence skipped.
        Assert.Equal(exact, ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--from", $"1:{offset + 8}:{1500 + 3}").Stdout);
        Assert.Equal(exact, ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--from", $"1:{offset - 8}:{1500 + 3}").Stdout);
    }

    [Fact]
    public void Since_over_two_lanes_seeks_in_each_lane()
    {
        using var folder = new TempFolder();
        TimedLog.WriteTwoLanes(folder.LogPath, T0, 2000, i => i % 3 == 0);
        LogPosition start = new MmapLogReader(folder.LogPath).TimeStart(T0.AddSeconds(1500))!.Value;
        Assert.Equal(2, start.Lanes.Count);
        Assert.Equal(Enumerable.Range(1500, 500), Since(folder.LogPath, 1500));
    }
}

/// <summary><c>cat --tail N</c>: the last events, read from the newest segments backwards.</summary>
public sealed class TailTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(LogProducer.All), MemberType = typeof(LogProducer))]
    internal void Tail_prints_the_last_n_events_of_every_producer_in_order(LogProducer producer)
    {
        using var folder = new TempFolder();
        IReadOnlyList<ExpectedEvent> expected = producer.Write(folder.LogPath, 1500, segmentSize: 16 * 1024);
        Assert.True(folder.Segments().Length > 3, "the log should span several segments");

        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--tail", "7", "--format", "clef");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.Equal(7, result.Lines.Length);
        for (int i = 0; i < 7; i++) CatTests.AssertClef(expected[1493 + i], result.Lines[i], producer.LoggerName);

        ChildResult json = ToolRun.Run("cat", folder.LogPath, "-n", "2", "--format", "json");
        Assert.Equal(2, json.Lines.Length);
        Assert.Contains("key-1499", json.Lines[1]);
    }

    [Fact]
    public void Tail_of_more_events_than_the_log_holds_prints_them_all_and_tail_0_prints_nothing()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromSeconds(1), 300);
        Assert.Equal(Enumerable.Range(0, 300), TimedLog.Numbers(ToolRun.Run("cat", folder.LogPath, "-n", "1000", "--format", "clef")));
        ChildResult none = ToolRun.Run("cat", folder.LogPath, "-n", "0");
        Assert.Equal(0, none.ExitCode);
        Assert.Equal("", none.Stdout);
        ChildResult negative = ToolRun.Run("cat", folder.LogPath, "-n", "-3");
        Assert.Equal(2, negative.ExitCode);
        Assert.Contains("--tail", negative.Stderr);
    }

    [Fact]
    public void Tail_reads_only_the_newest_segments_so_damage_in_old_ones_is_never_read()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromSeconds(1), 3000);
        string[] segments = folder.Segments().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        Assert.True(segments.Length > 10);
        TimedLog.Damage(segments[0]);

        ChildResult whole = ToolRun.Run("cat", folder.LogPath, "--format", "clef");
        Assert.Contains("damaged range", whole.Stderr);

        ChildResult tail = ToolRun.Run("cat", folder.LogPath, "-n", "5", "--format", "clef");
        Assert.Equal(0, tail.ExitCode);
        Assert.Equal("", tail.Stderr);
        Assert.Equal(Enumerable.Range(2995, 5), TimedLog.Numbers(tail));

        // The reader's tail start is in the newest segment.
        LogPosition? start = new MmapLogReader(folder.LogPath).TailStart(5);
        Assert.NotNull(start);
        Assert.Equal(segments.Length, start!.Value.SegmentNumber);
    }

    [Fact]
    public void Tail_with_a_level_filter_looks_further_back_until_it_has_n_matches()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromSeconds(1), 3000);
        // Fatal is every 6th event: 20 of them span far more than the newest segment.
        List<int> numbers = TimedLog.Numbers(ToolRun.Run("cat", folder.LogPath, "-n", "200", "--level", "Fatal", "--format", "clef"));
        Assert.Equal(Enumerable.Range(0, 3000).Where(i => i % 6 == 5).TakeLast(200), numbers);
        List<int> where = TimedLog.Numbers(ToolRun.Run("cat", folder.LogPath, "-n", "3", "--where", "N % 1000 = 0", "--format", "clef"));
        Assert.Equal(new[] { 0, 1000, 2000 }, where);
    }

    [Fact]
    public void Tail_over_two_lanes_prints_the_latest_events_of_the_merged_log()
    {
        using var folder = new TempFolder();
        // The second lane stops writing early: its newest events are old, and must not be taken as the last.
        TimedLog.WriteTwoLanes(folder.LogPath, T0, 2000, i => i % 5 < 2 && i < 1200);
        Assert.True(File.Exists(folder.File("app~2-000001.mlog")));
        Assert.Equal(Enumerable.Range(1990, 10), TimedLog.Numbers(ToolRun.Run("cat", folder.LogPath, "-n", "10", "--format", "clef")));
        Assert.Equal(Enumerable.Range(1150, 850), TimedLog.Numbers(ToolRun.Run("cat", folder.LogPath, "-n", "850", "--format", "clef")));
    }

    [Fact]
    public async Task Tail_with_follow_prints_the_last_n_then_what_the_writer_adds()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromSeconds(1), 500);
        var stdout = new LineCollector();
        using var cts = new CancellationTokenSource();
        Task<int> follower = Program.RunAsync(new[] { "cat", folder.LogPath, "-n", "3", "-f", "--format", "clef" }, stdout, new StringWriter(), cts.Token);
        await stdout.WaitForLinesAsync(3, TimeSpan.FromSeconds(30));
        TimedLog.Write(folder.LogPath, T0.AddSeconds(500), TimeSpan.FromSeconds(1), 4, firstNumber: 500);
        await stdout.WaitForLinesAsync(7, TimeSpan.FromSeconds(30));
        await Task.Delay(200);
        cts.Cancel();
        Assert.Equal(0, await follower.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(new[] { 497, 498, 499, 500, 501, 502, 503 },
            stdout.Lines().Select(l => JsonDocument.Parse(l).RootElement.GetProperty("N").GetInt32()));
    }
}
