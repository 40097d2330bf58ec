using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Reading;

public class PositionAndFollowTests
{
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    private static short ValueOf(MmapEvent e) => (short)((LogScalar)e.Properties[0].Value).Value!;

    /// <summary>Appends the events valued <paramref name="from"/> up to <paramref name="to"/> − 1, stamped T0 + value.</summary>
    private static void AppendValues(MmapLogWriter writer, short from, short to)
    {
        for (short i = from; i < to; i++)
        {
            var e = new FixedSizeEvent(i);
            writer.Append(T0 + i, MmapLevel.Information, ref e);
        }
    }

    [Fact]
    public void A_position_round_trips_through_its_text()
    {
        var position = new LogPosition(12, 4096, 1234567890123);
        Assert.Equal("12:4096:1234567890123", position.ToString());
        Assert.Equal(position, LogPosition.Parse(position.ToString()));
        Assert.True(LogPosition.TryParse(" 3:128:1 ", out LogPosition trimmed));
        Assert.Equal(new LogPosition(3, 128, 1), trimmed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1:2")]
    [InlineData("1:2:3:4")]
    [InlineData("0:128:1")]
    [InlineData("1:-1:1")]
    [InlineData("1:128:0")]
    [InlineData("a:b:c")]
    [InlineData("+1:128:1")]
    public void Text_that_is_not_a_position_is_refused(string? text)
    {
        Assert.False(LogPosition.TryParse(text, out _));
        if (text is not null) Assert.Throws<FormatException>(() => LogPosition.Parse(text));
    }

    [Fact]
    public void Reading_from_a_saved_position_yields_exactly_the_events_after_it_across_segments()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        using (var writer = new MmapLogWriter(options))
        {
            for (short i = 0; i < 300; i++)
            {
                var e = new FixedSizeEvent(i);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }
        var reader = new MmapLogReader(log.Path_);
        List<MmapEvent> all = reader.ReadEvents().ToList();
        Assert.True(log.SegmentFiles().Length >= 3);
        foreach (int k in new[] { 0, 50, 95, 96, 150, 298 })
        {
            LogPosition saved = LogPosition.Parse(all[k].Position!.Value.ToString());
            List<short> rest = reader.ReadEvents(saved).Select(ValueOf).ToList();
            Assert.Equal(Enumerable.Range(k + 1, 299 - k).Select(i => (short)i), rest);
        }
        Assert.Empty(reader.ReadEvents(all[^1].Position));
        // The last event of a segment resumes at the first event of the next.
        MmapEvent lastOfFirst = all.Last(e => e.Position!.Value.SegmentNumber == 1);
        Assert.Equal(ValueOf(lastOfFirst) + 1, ValueOf(reader.ReadEvents(lastOfFirst.Position).First()));
    }

    [Fact]
    public async Task Following_yields_events_as_they_are_written_across_rotations_and_stops_when_cancelled()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        const int total = 400;
        using var writer = new MmapLogWriter(options);
        var reader = new MmapLogReader(log.Path_);
        var received = new List<MmapEvent>();
        using var cancel = new CancellationTokenSource();
        Task follower = Task.Run(async () =>
        {
            await foreach (MmapEvent e in reader.FollowAsync(pollInterval: TimeSpan.FromMilliseconds(5), cancellationToken: cancel.Token))
            {
                lock (received) received.Add(e);
            }
        });

        int Received() { lock (received) return received.Count; }
        for (short i = 0; i < total; i++)
        {
            var e = new FixedSizeEvent(i);
            Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            if (i % 50 == 49)
            {
                // Let the follower catch up now and then, so it really reads while writing goes on.
                int expected = i + 1;
                Assert.True(TestSupport.WaitUntil(() => Received() >= expected), $"the follower saw {Received()} of {expected} events");
            }
        }
        Assert.True(TestSupport.WaitUntil(() => Received() >= total), $"the follower saw {Received()} of {total} events");
        Assert.True(log.SegmentFiles().Length >= 4, "the events span several segments");

        cancel.Cancel();
        // WaitAsync throws TimeoutException when the follower does not stop.
        await follower.WaitAsync(TimeSpan.FromSeconds(5));
        lock (received)
        {
            Assert.Equal(Enumerable.Range(0, total).Select(i => (short)i), received.Select(ValueOf));
            Assert.Equal(received.Select(e => e.Sequence).OrderBy(s => s), received.Select(e => e.Sequence));
        }
    }

    [Fact]
    public async Task Following_from_a_saved_position_starts_after_it()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        using var writer = new MmapLogWriter(options);
        AppendValues(writer, 0, 150);
        var reader = new MmapLogReader(log.Path_);
        LogPosition saved = reader.ReadEvents().ElementAt(120).Position!.Value;
        var received = new List<short>();
        using var cancel = new CancellationTokenSource();
        Task follower = FollowValues(reader, saved, received, cancel.Token);
        AppendValues(writer, 150, 160);
        Assert.True(TestSupport.WaitUntil(() => { lock (received) return received.Count >= 39; }));
        cancel.Cancel();
        await follower.WaitAsync(TimeSpan.FromSeconds(5));
        lock (received)
        {
            Assert.Equal(Enumerable.Range(121, 39).Select(i => (short)i), received);
        }
    }

    [Fact]
    public async Task A_follower_of_an_empty_folder_waits_and_stops_when_cancelled()
    {
        using var log = new TestLog();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var reader = new MmapLogReader(log.Path_);
        Task<int> follower = Task.Run(async () =>
        {
            int n = 0;
            await foreach (MmapEvent _ in reader.FollowAsync(pollInterval: TimeSpan.FromMilliseconds(5), cancellationToken: cancel.Token)) n++;
            return n;
        });
        Assert.Equal(0, await follower.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_follower_skips_a_hole_a_crashed_writer_left_after_the_hole_timeout()
    {
        using var log = new TestLog();
        string path;
        byte[] image;
        using (var writer = new MmapLogWriter(log.Options(64 * 1024)))
        {
            AppendValues(writer, 0, 30);
            path = writer.CurrentSegmentPath!;
            image = TestSupport.ReadShared(path);
        }
        // The crashed writer's segment: unsealed, with the 11th event claimed but never published.
        int hole = TestSupport.FrameOffsets(image).Where(o => TestSupport.FrameKind(image, o) == Sinks.Mmap.Format.RecordKind.Event).ElementAt(10);
        image.AsSpan(hole, 4).Clear();
        System.IO.File.WriteAllBytes(path, image);

        var reader = new MmapLogReader(log.Path_) { HoleTimeout = TimeSpan.FromMilliseconds(50) };
        var received = new List<short>();
        using var cancel = new CancellationTokenSource();
        Task follower = FollowValues(reader, null, received, cancel.Token);
        Assert.True(TestSupport.WaitUntil(() => { lock (received) return received.Count >= 29; }), "the follower stayed at the hole");
        cancel.Cancel();
        await follower.WaitAsync(TimeSpan.FromSeconds(5));
        lock (received)
        {
            Assert.Equal(Enumerable.Range(0, 30).Where(i => i != 10).Select(i => (short)i), received);
        }
    }

    [Fact]
    public async Task A_follower_of_a_crashed_log_moves_on_when_the_next_writer_recovers_it()
    {
        using var log = new TestLog();
        string path;
        byte[] image;
        using (var writer = new MmapLogWriter(log.Options(64 * 1024)))
        {
            AppendValues(writer, 0, 20);
            path = writer.CurrentSegmentPath!;
            image = TestSupport.ReadShared(path);
        }
        System.IO.File.WriteAllBytes(path, image); // as a killed writer leaves it: unsealed, full size

        var reader = new MmapLogReader(log.Path_) { HoleTimeout = TimeSpan.FromMilliseconds(50) };
        var received = new List<short>();
        int Received() { lock (received) return received.Count; }
        using var cancel = new CancellationTokenSource();
        Task follower = FollowValues(reader, null, received, cancel.Token);
        Assert.True(TestSupport.WaitUntil(() => Received() >= 20));
        using (var writer = new MmapLogWriter(log.Options(64 * 1024)))
        {
            Assert.Single(writer.Recovery!.Repaired);
            AppendValues(writer, 20, 30);
            Assert.True(TestSupport.WaitUntil(() => Received() >= 30), $"the follower saw {Received()} of 30 events");
        }
        cancel.Cancel();
        await follower.WaitAsync(TimeSpan.FromSeconds(5));
        lock (received)
        {
            Assert.Equal(Enumerable.Range(0, 30).Select(i => (short)i), received);
        }
    }
    [Fact]
    public async Task A_follower_stays_with_a_writer_that_pauses_past_the_hole_timeout_while_its_next_segment_is_prepared()
    {
        using var log = new TestLog();
        using var writer = new MmapLogWriter(log.Options(64 * 1024));
        // The maintainer prepares the next segment at once: a file numbered after the one being written, not yet started.
        Assert.True(TestSupport.WaitUntil(() => log.SegmentFiles().Length >= 2), "no standby segment was prepared");
        var reader = new MmapLogReader(log.Path_) { HoleTimeout = TimeSpan.FromMilliseconds(50) };
        var received = new List<short>();
        int Received() { lock (received) return received.Count; }
        using var cancel = new CancellationTokenSource();
        Task follower = FollowValues(reader, null, received, cancel.Token);
        AppendValues(writer, 0, 10);
        Assert.True(TestSupport.WaitUntil(() => Received() >= 10));
        // A pause many hole timeouts long (a busy machine, a quiet application): the writer is not gone.
        Thread.Sleep(500);
        AppendValues(writer, 10, 20);
        Assert.True(TestSupport.WaitUntil(() => Received() >= 20), $"the follower saw {Received()} of 20 events");
        cancel.Cancel();
        await follower.WaitAsync(TimeSpan.FromSeconds(5));
        lock (received)
        {
            Assert.Equal(Enumerable.Range(0, 20).Select(i => (short)i), received);
        }
    }
    /// <summary>Follows <paramref name="reader"/> from <paramref name="from"/> on a pool thread, adding each event's value to <paramref name="received"/> (under its lock).</summary>
    private static Task FollowValues(MmapLogReader reader, LogPosition? from, List<short> received, CancellationToken token) => Task.Run(async () =>
    {
        await foreach (MmapEvent e in reader.FollowAsync(from, TimeSpan.FromMilliseconds(5), token))
        {
            lock (received) received.Add(ValueOf(e));
        }
    });
}
