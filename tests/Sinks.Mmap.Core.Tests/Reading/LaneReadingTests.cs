using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Reading;

/// <summary>
/// A log two writers shared is two lanes (FORMAT.md, Lanes): every reader presents it as one log,
/// merged by time, resumes every lane where it stopped, and checks each lane's sequence on its own.
/// </summary>
public class LaneReadingTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    private static short ValueOf(MmapEvent e) => (short)((LogScalar)e.Properties[0].Value).Value!;

    /// <summary>Two writers on one path, taking turns in uneven runs, each event one tick later than the last: values are timestamps.</summary>
    private static void WriteTwoLanes(TestLog log, int count)
    {
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        MmapLogOptions second = log.Options(4096);
        second.RetainedFileCountLimit = null;
        using var first = new MmapLogWriter(options);
        using var other = new MmapLogWriter(second);
        Assert.Equal(2, other.Lane);
        for (short i = 0; i < count; i++)
        {
            var e = new FixedSizeEvent(i);
            // Runs of 1 to 7 events in each lane, so neither lane's order is the other's.
            MmapLogWriter writer = (i / (1 + i % 7)) % 2 == 0 ? first : other;
            Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
        }
    }

    [Fact]
    public void A_log_of_two_lanes_reads_back_as_one_log_in_time_order_from_its_path_and_its_folder()
    {
        using var log = new TestLog();
        WriteTwoLanes(log, 1000);
        Assert.Contains(log.SegmentFiles(), f => f.Contains("app~2-", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (short)i), new MmapLogReader(log.Path_).ReadEvents().Select(ValueOf));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (short)i), new MmapLogReader(log.Directory).ReadEvents().Select(ValueOf));
        List<MmapRecord> records = new MmapLogReader(log.Path_).ReadRecords().ToList();
        Assert.Equal(new[] { "", "app~2" }, records.Select(r => r.Lane).Distinct().OrderBy(l => l, StringComparer.Ordinal));
    }

    [Fact]
    public void Each_lane_is_validated_on_its_own_sequence_and_a_two_lane_log_is_clean()
    {
        using var log = new TestLog();
        WriteTwoLanes(log, 1000);
        ValidationReport report = new MmapLogReader(log.Path_).Validate();
        Assert.True(report.IsClean, string.Join("\n", report.Segments.Select(s => $"{s.Path}: {string.Join(",", s.Gaps)}")));
        Assert.Contains(report.Segments, s => s.Lane == "app~2");
        Assert.Contains(report.Segments, s => s.Lane == "" && s.FirstSequence == 1);
        Assert.Contains(report.Segments, s => s.Lane == "app~2" && s.FirstSequence == 1);
    }

    [Fact]
    public void Reading_from_any_saved_position_of_a_two_lane_log_yields_exactly_the_events_after_it()
    {
        using var log = new TestLog();
        WriteTwoLanes(log, 600);
        var reader = new MmapLogReader(log.Path_);
        List<MmapEvent> all = reader.ReadEvents().ToList();
        foreach (int k in new[] { 0, 1, 7, 100, 301, 598, 599 })
        {
            string saved = all[k].Position!.Value.ToString();
            // Once both lanes have been read from, the position holds both places.
            if (k >= 100) Assert.Matches("^(app~2@[0-9:]+,[0-9:]+|[0-9:]+,app~2@[0-9:]+)$", saved);
            List<short> rest = reader.ReadEvents(LogPosition.Parse(saved)).Select(ValueOf).ToList();
            Assert.Equal(Enumerable.Range(k + 1, 599 - k).Select(i => (short)i), rest);
        }
    }

    [Fact]
    public void A_position_of_a_log_of_one_lane_keeps_its_plain_text_and_a_plain_position_resumes_the_first_lane()
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            for (short i = 0; i < 10; i++)
            {
                var e = new FixedSizeEvent(i);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }
        MmapEvent fifth = new MmapLogReader(log.Path_).ReadEvents().ElementAt(4);
        Assert.Matches("^[0-9]+:[0-9]+:[0-9]+$", fifth.Position!.Value.ToString());
        Assert.Equal(Enumerable.Range(5, 5).Select(i => (short)i), new MmapLogReader(log.Path_).ReadEvents(fifth.Position).Select(ValueOf));
    }

    [Fact]
    public void A_position_of_several_lanes_round_trips_through_its_text_and_bad_ones_are_refused()
    {
        LogPosition position = LogPosition.Parse("3:4096:1200,app~2@1:8192:77");
        Assert.Equal(3, position.SegmentNumber);
        Assert.Equal("", position.Lane);
        Assert.Equal(new[] { "", "app~2" }, position.Lanes.Select(l => l.Lane));
        Assert.Equal(77, position.Lanes[1].NextSequence);
        Assert.Equal("3:4096:1200,app~2@1:8192:77", position.ToString());
        Assert.Equal(position, LogPosition.Parse(position.ToString()));
        Assert.NotEqual(position, LogPosition.Parse("3:4096:1200,app~2@1:8192:78"));
        Assert.False(LogPosition.TryParse("3:4096:1200,3:4096:1200", out _));
        Assert.False(LogPosition.TryParse("3:4096:1200,@1:1:1", out _));
        Assert.False(LogPosition.TryParse("3:4096:1200,", out _));
    }

    [Fact]
    public async Task A_follower_yields_the_events_of_both_lanes_as_they_are_written_and_resumes_from_a_saved_position()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        using var first = new MmapLogWriter(options);
        using var second = new MmapLogWriter(log.Options(4096));
        var reader = new MmapLogReader(log.Path_);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<MmapEvent>();
        Task follow = Task.Run(async () =>
        {
            await foreach (MmapEvent e in reader.FollowAsync(pollInterval: TimeSpan.FromMilliseconds(10), cancellationToken: cts.Token))
            {
                lock (seen) seen.Add(e);
                if (seen.Count == 400) break;
            }
        });
        for (short i = 0; i < 400; i++)
        {
            var e = new FixedSizeEvent(i);
            Assert.True((i % 3 == 0 ? second : first).Append(T0 + i, MmapLevel.Information, ref e));
            if (i % 50 == 49) await Task.Delay(20);
        }
        await follow;
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (short)i), seen.Select(ValueOf).OrderBy(v => v));
        // Each lane's events come in that lane's order.
        Assert.Equal(Enumerable.Range(0, 400).Where(i => i % 3 == 0).Select(i => (short)i), seen.Select(ValueOf).Where(v => v % 3 == 0));

        // Resuming from the 250th event yields exactly the ones not seen before it.
        MmapEvent resumeAfter = seen[249];
        var seenBefore = new HashSet<short>(seen.Take(250).Select(ValueOf));
        var rest = new List<short>();
        using var cts2 = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (MmapEvent e in reader.FollowAsync(resumeAfter.Position, TimeSpan.FromMilliseconds(10), cts2.Token))
        {
            rest.Add(ValueOf(e));
            if (rest.Count == 150) break;
        }
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (short)i).Where(v => !seenBefore.Contains(v)).OrderBy(v => v), rest.OrderBy(v => v));
    }
}
