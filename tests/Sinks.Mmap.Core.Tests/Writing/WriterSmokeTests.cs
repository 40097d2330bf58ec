using System;
using System.Linq;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

public class WriterSmokeTests
{
    [Fact]
    public void Events_written_are_read_back_in_order_with_their_properties()
    {
        using var log = new TestLog();
        var t0 = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).Ticks;
        using (var writer = new MmapLogWriter(log.Options()))
        {
            for (int i = 0; i < 100; i++)
            {
                var e = new SimpleEvent("User {Number} said {Text} after {Elapsed} ms", i, "hi " + i, i * 1.5);
                Assert.True(writer.Append(t0 + i, MmapLevel.Information, ref e));
            }
        }
        var events = new MmapLogReader(log.Path_).ReadEvents().ToList();
        Assert.Equal(100, events.Count);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal("User {Number} said {Text} after {Elapsed} ms", events[i].MessageTemplate);
            Assert.True(events[i].TryGetProperty("Number", out var n));
            Assert.Equal(i, ((LogScalar)n).Value);
            Assert.True(events[i].TryGetProperty("Text", out var t));
            Assert.Equal("hi " + i, ((LogScalar)t).Value);
        }
        Assert.Empty(log.Errors);
        Assert.True(new MmapLogReader(log.Path_).Validate().IsClean);
    }
}

public class CalendarEdgeTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(3155378975999999999L)]
    public void Events_stamped_at_the_ends_of_the_calendar_read_back(long ticks)
    {
        using var log = new TestLog();
        using (var writer = new MmapLogWriter(log.Options()))
        {
            var e = new SimpleEvent("edge", 1, "x", 0);
            Assert.True(writer.Append(ticks, MmapLevel.Information, ref e));
        }
        MmapEvent read = Assert.Single(new MmapLogReader(log.Path_).ReadEvents());
        Assert.Equal(ticks, read.Timestamp.UtcTicks);
    }
}
