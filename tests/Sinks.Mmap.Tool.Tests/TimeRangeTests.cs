using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>--since/--until: relative times, today/yesterday, local times (time zones, DST), and seeking by segment headers.</summary>
public sealed class TimeRangeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static TimeZoneInfo Zone(string id) => TimeZoneInfo.FindSystemTimeZoneById(id);

    /// <summary>Runs mmaplog in-process in time zone <paramref name="zone"/> at the instant <paramref name="now"/>.</summary>
    private static ChildResult RunAt(TimeZoneInfo zone, DateTimeOffset now, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var context = new ToolContext(stdout, stderr) { TimeZone = zone, Now = () => now };
        int code = Program.RunAsync(args, context, CancellationToken.None).GetAwaiter().GetResult();
        return new ChildResult(code, stdout.ToString(), stderr.ToString());
    }

    private static List<int> Numbers(TimeZoneInfo zone, DateTimeOffset now, params string[] args)
    {
        ChildResult result = RunAt(zone, now, args.Concat(new[] { "--format", "clef" }).ToArray());
        Assert.True(result.ExitCode == 0, result.Stderr);
        return TimedLog.Numbers(result);
    }

    [Fact]
    public void Relative_times_count_back_from_now()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromMinutes(1), 300);
        DateTimeOffset now = T0.AddMinutes(300);
        Assert.Equal(Enumerable.Range(285, 15), Numbers(TimeZoneInfo.Utc, now, "cat", folder.LogPath, "--since", "15m"));
        Assert.Equal(Enumerable.Range(180, 120), Numbers(TimeZoneInfo.Utc, now, "cat", folder.LogPath, "--since", "2h"));
        Assert.Equal(Enumerable.Range(0, 240), Numbers(TimeZoneInfo.Utc, now, "cat", folder.LogPath, "--until", "1h"));
        Assert.Equal(Enumerable.Range(0, 300), Numbers(TimeZoneInfo.Utc, now, "cat", folder.LogPath, "--since", "1d"));
        Assert.Equal(Enumerable.Range(299, 1), Numbers(TimeZoneInfo.Utc, now, "cat", folder.LogPath, "--since", "90s"));
    }

    [Fact]
    public void Today_and_yesterday_are_local_days_unless_utc_is_asked()
    {
        using var folder = new TempFolder();
        // From 2026-11-20T12:00Z, one event an hour, for 48 hours.
        DateTimeOffset start = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
        TimedLog.Write(folder.LogPath, start, TimeSpan.FromHours(1), 48);
        DateTimeOffset now = new(2026, 11, 22, 11, 30, 0, TimeSpan.Zero);
        TimeZoneInfo tokyo = Zone("Asia/Tokyo"); // UTC+9: 2026-11-22 starts at 2026-11-21T15:00Z
        Assert.Equal(Enumerable.Range(27, 21), Numbers(tokyo, now, "cat", folder.LogPath, "--since", "today"));
        Assert.Equal(Enumerable.Range(3, 24), Numbers(tokyo, now, "cat", folder.LogPath, "--since", "yesterday", "--until", "today"));
        // In UTC, today starts at 2026-11-22T00:00Z.
        Assert.Equal(Enumerable.Range(36, 12), Numbers(tokyo, now, "cat", folder.LogPath, "--since", "today", "--utc"));
    }

    [Fact]
    public void A_time_without_an_offset_is_local_time_and_utc_reads_it_as_utc()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromMinutes(1), 120);
        TimeZoneInfo newYork = Zone("America/New_York"); // UTC-5 in November
        DateTimeOffset now = T0.AddHours(3);
        // 05:30 in New York is 10:30Z: event 30.
        Assert.Equal(Enumerable.Range(30, 90), Numbers(newYork, now, "cat", folder.LogPath, "--since", "2026-11-21T05:30"));
        Assert.Equal(Enumerable.Range(30, 90), Numbers(newYork, now, "cat", folder.LogPath, "--since", "2026-11-21 05:30:00"));
        Assert.Equal(Enumerable.Range(30, 90), Numbers(newYork, now, "cat", folder.LogPath, "--since", "10:30", "--utc"));
        Assert.Equal(Enumerable.Range(30, 90), Numbers(newYork, now, "cat", folder.LogPath, "--since", "2026-11-21T10:30:00Z"));
        Assert.Equal(Enumerable.Range(30, 90), Numbers(newYork, now, "cat", folder.LogPath, "--since", "2026-11-21T11:30:00+01:00"));
        Assert.Equal(Enumerable.Range(0, 30), Numbers(newYork, now, "cat", folder.LogPath, "--until", "05:30"));
        ChildResult bad = RunAt(newYork, now, "cat", folder.LogPath, "--since", "last tuesday");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--since: 'last tuesday' is not a time", bad.Stderr);
    }

    [Fact]
    public void Local_times_on_a_log_spanning_the_start_and_end_of_summer_time_name_the_right_instants()
    {
        TimeZoneInfo berlin = Zone("Europe/Berlin");
        using var folder = new TempFolder();
        // Summer time starts 2026-03-29 at 01:00Z (02:00 CET becomes 03:00 CEST): events every 10 minutes from 00:00Z.
        DateTimeOffset spring = new(2026, 3, 29, 0, 0, 0, TimeSpan.Zero);
        TimedLog.Write(folder.LogPath, spring, TimeSpan.FromMinutes(10), 24);
        DateTimeOffset now = spring.AddHours(6);
        // 01:30 local is CET, 00:30Z (event 3); 03:30 local is CEST, 01:30Z (event 9).
        Assert.Equal(3, Numbers(berlin, now, "cat", folder.LogPath, "--since", "2026-03-29T01:30")[0]);
        Assert.Equal(9, Numbers(berlin, now, "cat", folder.LogPath, "--since", "2026-03-29T03:30")[0]);
        // 02:30 never happened that day: it is read as the clock would have shown it without the jump, 01:30Z.
        Assert.Equal(9, Numbers(berlin, now, "cat", folder.LogPath, "--since", "2026-03-29T02:30")[0]);

        using var autumn = new TempFolder();
        // Summer time ends 2026-10-25 at 01:00Z (03:00 CEST becomes 02:00 CET): 02:30 happens twice, at 00:30Z and 01:30Z.
        DateTimeOffset fall = new(2026, 10, 25, 0, 0, 0, TimeSpan.Zero);
        TimedLog.Write(autumn.LogPath, fall, TimeSpan.FromMinutes(10), 24);
        List<int> between = Numbers(berlin, fall.AddHours(6), "cat", autumn.LogPath, "--since", "2026-10-25T02:30", "--until", "2026-10-25T03:00");
        // The first 02:30 (00:30Z, event 3) until 03:00 CET (02:00Z, event 12).
        Assert.Equal(Enumerable.Range(3, 9), between);
    }

    [Fact]
    public void The_TZ_of_the_process_decides_local_time()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromMinutes(1), 120);
        var sydney = new Dictionary<string, string> { ["TZ"] = "Australia/Sydney" }; // UTC+11 in November: 20:00 is 09:00Z, before the log; 20:30 is 09:30Z
        ChildResult early = DotnetChild.Run(ToolRun.ToolDll, new[] { "cat", folder.LogPath, "--since", "2026-11-21T20:00", "--format", "clef" }, TimeSpan.FromSeconds(60), sydney);
        Assert.Equal(120, early.Lines.Length);
        ChildResult late = DotnetChild.Run(ToolRun.ToolDll, new[] { "cat", folder.LogPath, "--since", "2026-11-21T21:30", "--format", "clef" }, TimeSpan.FromSeconds(60), sydney);
        Assert.Equal(90, late.Lines.Length);
    }

    [Fact]
    public void Since_starts_at_the_segment_its_header_time_allows_and_never_reads_older_segments()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromSeconds(1), 3000);
        string[] segments = folder.Segments().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        Assert.True(segments.Length > 10);
        TimedLog.Damage(segments[0]);
        string since = T0.AddSeconds(2990).ToString("o");

        ChildResult whole = ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--since", T0.AddSeconds(1).ToString("o"));
        Assert.Contains("damaged range", whole.Stderr);
        ChildResult late = ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--since", since);
        Assert.Equal(0, late.ExitCode);
        Assert.Equal("", late.Stderr);
        Assert.Equal(Enumerable.Range(2990, 10), TimedLog.Numbers(late));

        LogPosition start = new MmapLogReader(folder.LogPath).TimeStart(T0.AddSeconds(2990))!.Value;
        Assert.Equal(segments.Length, start.SegmentNumber);
        Assert.Null(new MmapLogReader(folder.LogPath).TimeStart(T0));
    }

    [Fact]
    public void Since_finds_events_stamped_ahead_of_the_writers_clock()
    {
        // A producer whose clock runs an hour ahead: every segment was created before the events it holds
        // are stamped, so a header time would skip the segment that holds the time asked for.
        using var folder = new TempFolder();
        DateTime ahead = DateTime.UtcNow.AddHours(1);
        using (var writer = new MmapLogWriter(new MmapLogOptions { Path = folder.LogPath, SegmentSizeBytes = 8192, RetainedFileCountLimit = null }))
        {
            for (int i = 0; i < 2000; i++)
            {
                var e = new NumberedEvent(i);
                Assert.True(writer.Append(ahead.AddSeconds(i).Ticks, MmapLevel.Information, ref e));
            }
        }
        Assert.True(folder.Segments().Count() > 10);
        ChildResult since = ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--since", ahead.AddSeconds(1000).ToString("o"));
        Assert.Equal(0, since.ExitCode);
        Assert.Equal(Enumerable.Range(1000, 1000), TimedLog.Numbers(since));
    }

    [Fact]
    public void Until_stops_reading_a_lane_once_its_events_are_well_past_the_end()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromSeconds(1), 3000);
        string[] segments = folder.Segments().OrderBy(s => s, StringComparer.Ordinal).ToArray();
        TimedLog.Damage(segments[^1]);
        ChildResult early = ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--until", T0.AddSeconds(100).ToString("o"));
        Assert.Equal("", early.Stderr);
        Assert.Equal(Enumerable.Range(0, 100), TimedLog.Numbers(early));
        Assert.Contains("damaged range", ToolRun.Run("cat", folder.LogPath, "--format", "clef").Stderr);
    }

    [Fact]
    public void Until_keeps_events_stamped_long_before_their_segments_were_created()
    {
        // Events imported or replayed carry old stamps in segments created now: the headers must not end the read.
        using var folder = new TempFolder();
        IReadOnlyList<ExpectedEvent> expected = new CoreProducer().Write(folder.LogPath, 400, segmentSize: 8192);
        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--until", expected[100].Timestamp.ToString("o"));
        Assert.Equal(100, result.Lines.Length);
        ChildResult since = ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--since", expected[300].Timestamp.ToString("o"));
        Assert.Equal(100, since.Lines.Length);
    }
}
