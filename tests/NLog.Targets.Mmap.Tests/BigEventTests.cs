using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Sinks.Mmap;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

/// <summary>
/// Events far larger than usual keep every property. How long they take is measured by the
/// benchmarks' <c>big</c> harness (tests/NLog.Targets.Mmap.Benchmarks), not here.
/// </summary>
public class BigEventTests
{
    private const int Count = 100_000;

    private static List<MmapEvent> LogAndRead(System.Action<Logger> log)
    {
        using var dir = new TempLogDir();
        var factory = new LogFactory();
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = dir.LogPath, ArchiveAboveSize = 64L << 20 }));
        log(factory.GetLogger("Big"));
        factory.Shutdown();
        var reader = new MmapLogReader(dir.LogPath);
        Assert.True(reader.Validate().IsClean);
        return reader.ReadEvents().ToList();
    }

    private static void AssertEveryProperty(MmapEvent e)
    {
        Assert.Equal(Count, e.Properties.Count);
        for (int i = 0; i < Count; i++)
        {
            Assert.Equal("P" + i.ToString(CultureInfo.InvariantCulture), e.Properties[i].Name);
            Assert.Equal(i, ((LogScalar)e.Properties[i].Value).Value);
        }
    }

    [Fact]
    public void An_event_with_100000_properties_reads_back_with_every_one()
    {
        List<MmapEvent> events = LogAndRead(logger =>
        {
            var e = new LogEventInfo(LogLevel.Info, "Big", "Many properties");
            for (int i = 0; i < Count; i++) e.Properties["P" + i.ToString(CultureInfo.InvariantCulture)] = i;
            // A few names twice: the first value is kept.
            e.Properties["P7"] = 7;
            logger.Log(e);
        });
        AssertEveryProperty(Assert.Single(events));
    }

    [Fact]
    public void A_template_with_100000_holes_reads_back_with_every_property_and_its_message()
    {
        var template = new StringBuilder();
        var parameters = new object[Count];
        for (int i = 0; i < Count; i++)
        {
            template.Append("{P").Append(i.ToString(CultureInfo.InvariantCulture)).Append("} ");
            parameters[i] = i;
        }
        string expected = string.Concat(Enumerable.Range(0, Count).Select(i => i.ToString(CultureInfo.InvariantCulture) + " "));
        List<MmapEvent> events = LogAndRead(logger =>
        {
            logger.Info(template.ToString(), parameters);
            logger.Info(template.ToString(), parameters);
        });
        Assert.Equal(2, events.Count);
        foreach (MmapEvent e in events)
        {
            AssertEveryProperty(e);
            Assert.Equal(expected, e.RenderedMessage);
        }
    }
}
