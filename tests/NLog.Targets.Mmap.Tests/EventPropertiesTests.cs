using System.Linq;
using Sinks.Mmap;
using NLog.Targets.Mmap.Translation;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

/// <summary>
/// The target skips NLog's per-event properties dictionary when an event has none of its own; these
/// check that properties an event does have still arrive, with nothing else rendering the message first.
/// </summary>
public class EventPropertiesTests
{
    [Fact]
    public void The_fast_check_for_an_events_own_properties_works_with_this_NLog_version()
    {
        Assert.True(EventPropertiesProbe.IsAvailable);
        var plain = LogEventInfo.Create(LogLevel.Info, "L", null, "Hello {Name}", new object[] { "Ann" });
        Assert.False(EventPropertiesProbe.MayHaveOwnProperties(plain));
        plain.Properties["Extra"] = 1;
        Assert.True(EventPropertiesProbe.MayHaveOwnProperties(plain));
    }

    [Fact]
    public void With_an_empty_layout_properties_from_WithProperty_and_from_the_event_are_kept_beside_the_template_parameters()
    {
        using var dir = new TempLogDir();
        var factory = new LogFactory();
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = dir.LogPath, Layout = "" }));
        try
        {
            Logger logger = factory.GetLogger("Orders");
            logger.WithProperty("Tenant", "acme").Info("Order {OrderId} placed", 42);
            var e = LogEventInfo.Create(LogLevel.Warn, "Orders", null, "Order {OrderId} late", new object[] { 43 });
            e.Properties["Attempts"] = 3L;
            logger.Log(e);
            logger.Info("Order {OrderId} shipped", 44);
            factory.Flush();

            var events = new MmapLogReader(dir.LogPath).ReadEvents().ToList();
            Assert.Equal(new[] { "OrderId", "Tenant" }, events[0].Properties.Select(p => p.Name));
            Assert.Equal(new object?[] { 42, "acme" }, events[0].Properties.Select(p => ((LogScalar)p.Value).Value));
            Assert.Equal(new[] { "OrderId", "Attempts" }, events[1].Properties.Select(p => p.Name));
            Assert.Equal(new object?[] { 43, 3L }, events[1].Properties.Select(p => ((LogScalar)p.Value).Value));
            Assert.Equal(new[] { "OrderId" }, events[2].Properties.Select(p => p.Name));
        }
        finally
        {
            factory.Shutdown();
        }
    }
}
