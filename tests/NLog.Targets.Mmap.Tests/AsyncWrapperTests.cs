using System.Linq;
using NLog.Config;
using NLog.Targets.Wrappers;
using Sinks.Mmap;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

public class AsyncWrapperTests
{
    [Fact]
    public void The_target_works_behind_an_AsyncWrapper_and_every_event_reads_back_in_order()
    {
        using var dir = new TempLogDir();
        var factory = new LogFactory();
        var mmap = new MmapTarget("mmap") { FileName = dir.LogPath, ArchiveAboveSize = 64 * 1024 };
        var async = new AsyncTargetWrapper("async", mmap) { QueueLimit = 100_000, OverflowAction = AsyncTargetWrapperOverflowAction.Block };
        var config = new LoggingConfiguration(factory);
        config.AddRuleForAllLevels(async);
        factory.Configuration = config;
        Logger logger = factory.GetLogger("Async.Test");
        for (int i = 0; i < 5000; i++)
        {
            logger.Info("Event {Counter} from {Source}", i, "async");
        }
        factory.Flush();
        factory.Shutdown();

        MmapEvent[] events = new MmapLogReader(dir.LogPath).ReadEvents().ToArray();
        Assert.Equal(5000, events.Length);
        for (int i = 0; i < events.Length; i++)
        {
            Assert.True(events[i].TryGetProperty("Counter", out LogValue counter));
            Assert.Equal(i, ((LogScalar)counter).Value);
            Assert.Equal("Async.Test", events[i].LoggerName);
        }
        Assert.Equal(0, mmap.DroppedEvents);
        Assert.All(new MmapLogReader(dir.LogPath).Validate().Segments, s => Assert.True(s.Sealed));
    }
}
