using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sinks.Mmap.Format;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

public class RotationTests
{
    // With 4096-byte segments and FixedSizeEvent: header 128, definitions "T {A}" (40) and "A" (32),
    // events of 37 bytes padded to 40, and 32 bytes kept for the seal: (4096 - 128 - 72 - 32) / 40 = 96.6.
    private const int EventsPerSegment = 96;
    private const int SealedLength = 128 + 72 + EventsPerSegment * 40 + 32;
    private static readonly long T0 = TestSupport.Ticks(2026, 11, 21, 10);

    private static MmapLogOptions FourKiBSegmentsKeptAll(TestLog log)
    {
        MmapLogOptions options = log.Options(4096);
        options.RetainedFileCountLimit = null;
        return options;
    }

    [Fact]
    public void An_event_keeps_its_turn_while_other_writes_fill_segment_after_segment_ahead_of_it()
    {
        // Many threads on small segments: between a thread's look at the segment and its claim, the others
        // can fill it, round after round. Here the event's own encoding stands in for those threads: each
        // of its first 40 passes logs events (nested calls) until the segment it encodes for is full.
        using var log = new TestLog();
        MmapLogOptions options = FourKiBSegmentsKeptAll(log);
        long t0 = T0;
        const int crowdedRounds = 40;
        short others = 0;
        using (var writer = new MmapLogWriter(options))
        {
            int passes = 0;
            var late = new CustomEvent(new EventHeader { MessageTemplate = "late {A}", PropertyCount = 1 }, (ref EventWriter w) =>
            {
                if (passes++ < crowdedRounds)
                {
                    string? before = writer.CurrentSegmentPath;
                    while (writer.CurrentSegmentPath == before)
                    {
                        var other = new FixedSizeEvent(others++);
                        Assert.True(writer.Append(t0, MmapLevel.Information, ref other));
                    }
                }
                w.WritePropertyName("A");
                w.WriteInt16(-1);
            });
            Assert.True(writer.Append(t0 + 1, MmapLevel.Information, ref late));
            Assert.True(passes > crowdedRounds, $"the event was encoded {passes} times");
            Assert.Equal(0, writer.DroppedEvents);
        }
        Assert.Empty(log.Errors);
        var reader = new MmapLogReader(log.Path_);
        Assert.True(reader.Validate().IsClean);
        List<short> values = reader.ReadEvents().Select(e => (short)((LogScalar)e.Properties[0].Value).Value!).ToList();
        Assert.Equal(others + 1, values.Count);
        Assert.Equal(-1, values[^1]);
        Assert.Equal(Enumerable.Range(0, others).Select(i => (short)i), values.Take(others));
    }

    [Fact]
    public void An_event_whose_strings_never_fit_a_fresh_segment_is_dropped_after_a_bounded_number_of_segments()
    {
        // 150 distinct property names of 30 characters: their definitions alone are larger than a 4 KiB
        // segment, so every segment the event tries is sealed holding nothing but its definitions.
        using var log = new TestLog();
        MmapLogOptions options = FourKiBSegmentsKeptAll(log);
        long t0 = T0;
        string[] names = Enumerable.Range(0, 150).Select(i => $"Property{i:D4}_" + new string('n', 17)).ToArray();
        using (var writer = new MmapLogWriter(options))
        {
            var wide = new CustomEvent(new EventHeader { MessageTemplate = "wide", PropertyCount = names.Length }, (ref EventWriter w) =>
            {
                foreach (string name in names)
                {
                    w.WritePropertyName(name);
                    w.WriteInt16(1);
                }
            });
            Assert.False(writer.Append(t0, MmapLevel.Information, ref wide));
            Assert.Equal(1, writer.DroppedEvents);
            var ok = new FixedSizeEvent(7);
            Assert.True(writer.Append(t0 + 1, MmapLevel.Information, ref ok));
        }
        string[] files = log.SegmentFiles();
        Assert.True(files.Length is > 2 and <= 18, $"{files.Length} segment files");
        var reader = new MmapLogReader(log.Path_);
        Assert.True(reader.Validate().IsClean);
        Assert.Equal((short)7, reader.ReadEvents().Select(e => (short)((LogScalar)e.Properties[0].Value).Value!).Single());
    }

    [Fact]
    public void Rotation_by_size_fills_each_segment_to_the_event_that_no_longer_fits()
    {
        using var log = new TestLog();
        MmapLogOptions options = FourKiBSegmentsKeptAll(log);
        long t0 = T0;
        const int total = 1000;
        using (var writer = new MmapLogWriter(options))
        {
            for (short i = 0; i < total; i++)
            {
                var e = new FixedSizeEvent(i);
                Assert.True(writer.Append(t0 + i, MmapLevel.Information, ref e));
            }
        }
        Assert.Empty(log.Errors);
        string[] files = log.SegmentFiles().OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.Equal((total + EventsPerSegment - 1) / EventsPerSegment, files.Length);

        var reader = new MmapLogReader(log.Path_);
        ValidationReport report = reader.Validate();
        Assert.True(report.IsClean);
        for (int s = 0; s < files.Length; s++)
        {
            SegmentReport segment = report.Segments[s];
            Assert.Equal(s + 1, segment.SegmentNumber);
            Assert.Equal(s < files.Length - 1 ? EventsPerSegment : total % EventsPerSegment, segment.Events);
            byte[] bytes = File.ReadAllBytes(files[s]);
            if (s < files.Length - 1) Assert.Equal(SealedLength, bytes.Length);
            Assert.True(bytes.Length < 4096, "a sealed segment is trimmed");
            // The file ends with the seal record, whose sequence the next segment continues from.
            Span<byte> tail = bytes.AsSpan(bytes.Length - 32);
            Assert.True(RecordFrame.IsValid(tail, out _));
            Assert.Equal(RecordKind.EndOfSegment, RecordFrame.Kind(tail));
            if (s + 1 < report.Segments.Count)
            {
                Assert.Equal(RecordFrame.Sequence(tail) + 1, report.Segments[s + 1].FirstSequence);
            }
        }

        // Every record lies inside its segment's file: none spans two segments.
        foreach (MmapRecord r in reader.ReadRecords())
        {
            Assert.True(r.Next.Offset <= new FileInfo(r.SegmentPath).Length);
        }
        List<short> values = reader.ReadEvents().Select(e => (short)((LogScalar)e.Properties[0].Value).Value!).ToList();
        Assert.Equal(Enumerable.Range(0, total).Select(i => (short)i), values);
    }

    private static List<(string File, List<MmapEvent> Events)> WriteAcross(SegmentInterval interval, DateTime clockStart, DateTime[] timestamps, TimeZoneInfo? zone = null)
    {
        using var log = new TestLog();
        var clock = new FakeTimeProvider(new DateTimeOffset(clockStart, TimeSpan.Zero), zone);
        MmapLogOptions options = log.Options(64 * 1024);
        options.RetainedFileCountLimit = null;
        options.RollingInterval = interval;
        options.TimeProvider = clock;
        using (var writer = new MmapLogWriter(options))
        {
            for (int i = 0; i < timestamps.Length; i++)
            {
                clock.Now = new DateTimeOffset(timestamps[i], TimeSpan.Zero);
                var e = new FixedSizeEvent((short)i);
                Assert.True(writer.Append(timestamps[i].Ticks, MmapLevel.Information, ref e));
            }
        }
        Assert.Empty(log.Errors);
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
        return log.SegmentFiles().OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), new MmapLogReader(f).ReadEvents().ToList()))
            .ToList();
    }

    /// <summary>Appends an event at each timestamp with the writer's clock set to the time given with it.</summary>
    private static List<(string File, List<MmapEvent> Events)> WriteWithClock(SegmentInterval interval, (DateTime Clock, long TimestampTicks)[] events)
    {
        using var log = new TestLog();
        var clock = new FakeTimeProvider(new DateTimeOffset(events[0].Clock, TimeSpan.Zero));
        MmapLogOptions options = log.Options(64 * 1024);
        options.RetainedFileCountLimit = null;
        options.RollingInterval = interval;
        options.TimeProvider = clock;
        using (var writer = new MmapLogWriter(options))
        {
            for (int i = 0; i < events.Length; i++)
            {
                clock.Now = new DateTimeOffset(events[i].Clock, TimeSpan.Zero);
                var e = new FixedSizeEvent((short)i);
                Assert.True(writer.Append(events[i].TimestampTicks, MmapLevel.Information, ref e));
            }
        }
        Assert.Empty(log.Errors);
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
        return log.SegmentFiles().OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), new MmapLogReader(f).ReadEvents().ToList()))
            .ToList();
    }

    [Fact]
    public void Timestamps_far_in_the_future_land_in_the_current_segment_and_daily_rolling_goes_on_by_the_clock()
    {
        var b = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc);
        var segments = WriteWithClock(SegmentInterval.Day, new[]
        {
            (b, b.Ticks),
            (b.AddHours(1), new DateTime(3000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks), // a lying clock in the producer
            (b.AddHours(2), DateTime.MaxValue.Ticks - 1),                              // the end of time: no period ends after it
            (b.AddHours(3), DateTime.MaxValue.Ticks),
            (b.AddDays(1), b.AddDays(1).Ticks),                                        // the next day, by the clock too
            (b.AddDays(1).AddHours(1), DateTime.MaxValue.Ticks),
            (b.AddDays(2), b.AddDays(2).Ticks),
        });
        AssertSegmentsStartAt(segments, new[] { 0, 1, 2, 3 }, new[] { 4, 5 }, new[] { 6 });
        Assert.Equal(DateTime.MaxValue.Ticks - 1, segments[0].Events[2].Timestamp.UtcTicks);
    }

    [Fact]
    public void An_event_stamped_past_midnight_before_the_clock_gets_there_stays_in_the_day_the_clock_is_in()
    {
        var midnight = new DateTime(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc);
        var segments = WriteWithClock(SegmentInterval.Day, new[]
        {
            (midnight.AddHours(-1), midnight.AddHours(-1).Ticks),
            (midnight.AddSeconds(-1), midnight.AddSeconds(1).Ticks), // stamped tomorrow, logged today
            (midnight.AddSeconds(-1), midnight.AddDays(-3).Ticks),   // far in the past: the current segment too
            (midnight.AddSeconds(2), midnight.AddSeconds(2).Ticks),
        });
        AssertSegmentsStartAt(segments, new[] { 0, 1, 2 }, new[] { 3 });
    }

    [Fact]
    public void The_end_of_a_period_past_the_calendars_end_is_never_and_never_an_exception()
    {
        TimeZoneInfo[] zones =
        {
            TimeZoneInfo.Utc,
            TimeZoneInfo.CreateCustomTimeZone("Test+14", TimeSpan.FromHours(14), "Test+14", "Test+14"),
            TimeZoneInfo.CreateCustomTimeZone("Test-12", TimeSpan.FromHours(-12), "Test-12", "Test-12"),
        };
        foreach (SegmentInterval interval in Enum.GetValues<SegmentInterval>())
        {
            foreach (TimeZoneInfo zone in zones)
            {
                foreach (long ticks in new[] { DateTime.MaxValue.Ticks, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - 1, long.MaxValue, -1, 0 })
                {
                    long next = RollingBoundary.NextUtcTicks(interval, ticks, zone);
                    Assert.True(next == long.MaxValue || next > ticks, $"{interval} in {zone.Id} from {ticks}: {next}");
                }
            }
        }
        Assert.Equal(long.MaxValue, RollingBoundary.NextUtcTicks(SegmentInterval.Year, DateTime.MaxValue.Ticks - 1, TimeZoneInfo.Utc));
        Assert.Equal(new DateTime(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc).Ticks,
            RollingBoundary.NextUtcTicks(SegmentInterval.Day, new DateTime(2026, 11, 21, 13, 0, 0, DateTimeKind.Utc).Ticks, TimeZoneInfo.Utc));
    }

    private static void AssertSegmentsStartAt(List<(string File, List<MmapEvent> Events)> segments, params int[][] eventIndexesPerSegment)
    {
        Assert.Equal(eventIndexesPerSegment.Length, segments.Count);
        for (int s = 0; s < segments.Count; s++)
        {
            Assert.Equal(eventIndexesPerSegment[s], segments[s].Events.Select(e => (int)(short)((LogScalar)e.Properties[0].Value).Value!).ToArray());
        }
    }

    [Fact]
    public void Rolling_by_minute_starts_a_new_segment_at_each_minute_boundary()
    {
        var b = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc);
        var segments = WriteAcross(SegmentInterval.Minute, b.AddSeconds(10), new[]
        {
            b.AddSeconds(10), b.AddSeconds(59).AddTicks(9_999_999), // minute 10:00
            b.AddMinutes(1), b.AddMinutes(1).AddSeconds(30),         // minute 10:01, from its first tick
            b.AddMinutes(5).AddSeconds(1),                           // minutes with no events start no segments
        });
        AssertSegmentsStartAt(segments, new[] { 0, 1 }, new[] { 2, 3 }, new[] { 4 });
    }

    [Fact]
    public void Rolling_by_hour_starts_a_new_segment_at_each_hour_boundary()
    {
        var b = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc);
        var segments = WriteAcross(SegmentInterval.Hour, b, new[]
        {
            b, b.AddMinutes(59).AddSeconds(59),
            b.AddHours(1), b.AddHours(1).AddMinutes(1),
            b.AddHours(2).AddTicks(-1),
            b.AddHours(2),
        });
        AssertSegmentsStartAt(segments, new[] { 0, 1 }, new[] { 2, 3, 4 }, new[] { 5 });
    }

    [Fact]
    public void Rolling_by_day_starts_a_new_segment_at_midnight_and_across_a_month_end()
    {
        var b = new DateTime(2026, 11, 29, 23, 0, 0, DateTimeKind.Utc);
        var segments = WriteAcross(SegmentInterval.Day, b, new[]
        {
            b, b.AddMinutes(59),                       // Nov 29
            b.AddHours(1), b.AddHours(20),             // Nov 30
            b.AddHours(25), b.AddHours(25).AddSeconds(1), // Dec 1
        });
        AssertSegmentsStartAt(segments, new[] { 0, 1 }, new[] { 2, 3 }, new[] { 4, 5 });
    }

    [Fact]
    public void The_first_segment_rolls_at_the_boundary_after_the_clock_time_it_was_opened()
    {
        // The clock says 10:00:30; an event stamped 10:01:00 belongs to the next minute's segment.
        var b = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc);
        var segments = WriteAcross(SegmentInterval.Minute, b.AddSeconds(30), new[] { b.AddSeconds(45), b.AddMinutes(1) });
        AssertSegmentsStartAt(segments, new[] { 0 }, new[] { 1 });
    }

    [Fact]
    public void Rolling_by_day_follows_local_midnight_in_the_clock_time_zone()
    {
        // UTC+2: local midnight is 22:00 UTC.
        TimeZoneInfo plusTwo = TimeZoneInfo.CreateCustomTimeZone("Test+2", TimeSpan.FromHours(2), "Test+2", "Test+2");
        var b = new DateTime(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
        var segments = WriteAcross(SegmentInterval.Day, b, new[]
        {
            b, b.AddHours(9).AddMinutes(59), // 21:59 UTC = 23:59 local, Nov 21
            b.AddHours(10),                  // 22:00 UTC = 00:00 local, Nov 22
            b.AddHours(23),                  // 11:00 UTC Nov 22 = 13:00 local, still Nov 22
        }, plusTwo);
        AssertSegmentsStartAt(segments, new[] { 0, 1 }, new[] { 2, 3 });
    }

    [Fact]
    public void Rolling_by_day_moves_past_a_local_midnight_that_daylight_saving_skips()
    {
        // A zone at UTC-3 that springs forward at local midnight on 2026-09-06: 00:00-00:59 local does not exist.
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
            new DateTime(2026, 1, 1), new DateTime(2026, 12, 31), TimeSpan.FromHours(1),
            TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1, 0, 0, 0), 9, 6),
            TimeZoneInfo.TransitionTime.CreateFixedDateRule(new DateTime(1, 1, 1, 0, 0, 0), 12, 20));
        TimeZoneInfo zone = TimeZoneInfo.CreateCustomTimeZone("Test-3dst", TimeSpan.FromHours(-3), "Test-3dst", "Test-3", "Test-2", new[] { rule });
        Assert.True(zone.IsInvalidTime(new DateTime(2026, 9, 6, 0, 30, 0)));
        // Local midnight Sep 5 -> Sep 6 never happens: 23:59:59 local (02:59:59 UTC) is followed by 01:00 local (03:00 UTC).
        var b = new DateTime(2026, 9, 5, 12, 0, 0, DateTimeKind.Utc);
        var segments = WriteAcross(SegmentInterval.Day, b, new[]
        {
            b, new DateTime(2026, 9, 6, 2, 59, 59, DateTimeKind.Utc),
            new DateTime(2026, 9, 6, 3, 0, 0, DateTimeKind.Utc),
            new DateTime(2026, 9, 6, 20, 0, 0, DateTimeKind.Utc),
        }, zone);
        AssertSegmentsStartAt(segments, new[] { 0, 1 }, new[] { 2, 3 });
    }
}
