using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using NLog.Config;
using NLog.Targets.Wrappers;
using Sinks.Mmap;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

/// <summary>
/// A dropped event is a failed write to NLog: a <c>FallbackGroup</c> writes it to its next target. On a
/// real full tmpfs, the events missing from the Mmap log are exactly the events the fallback file holds.
/// </summary>
public class FallbackGroupTests
{
    private const int Events = 20_000;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_fallback_group_gets_exactly_the_events_a_full_disk_dropped_and_none_is_lost(bool returnToFirstOnSuccess)
    {
        using Tmpfs? disk = Tmpfs.TryMount("size=512k");
        if (disk is null)
        {
            // Mounting needs root on Linux; CI runs as root.
            return;
        }
        string mount = disk.Directory;
        using var fallbackDir = new TempLogDir();
        string fallbackFile = Path.Combine(fallbackDir.Directory, "fallback.txt");
        string mmapPath = Path.Combine(mount, "app.mlog");
        var factory = new LogFactory();
        try
        {
            var mmap = new MmapTarget("mmap") { FileName = mmapPath, ArchiveAboveSize = 256 * 1024, MaxArchiveFiles = -1 };
            var file = new FileTarget("file") { FileName = fallbackFile, Layout = "${event-properties:Counter}" };
            var group = new FallbackGroupTarget("fallback", mmap, file) { ReturnToFirstOnSuccess = returnToFirstOnSuccess };
            var config = new LoggingConfiguration(factory);
            config.AddRuleForAllLevels(group);
            factory.Configuration = config;
            Logger logger = factory.GetLogger("Fallback");
            for (int i = 0; i < Events; i++)
            {
                if (i == 100)
                {
                    // Larger than a record may be in a 256 KiB segment: dropped for its size while the disk has room.
                    logger.Info("Oversized {Counter} {Payload}", -100, new string('x', 300_000));
                }
                logger.Info("Event {Counter} {Text}", i, "text that fills the disk sooner " + i.ToString("D8", CultureInfo.InvariantCulture));
            }
            long dropped = mmap.DroppedEvents;
            factory.Shutdown();

            var written = new HashSet<long>();
            foreach (MmapEvent e in new MmapLogReader(mmapPath).ReadEvents())
            {
                Assert.True(e.TryGetProperty("Counter", out LogValue v));
                Assert.True(written.Add(Convert.ToInt64(((LogScalar)v).Value, CultureInfo.InvariantCulture)));
            }
            List<long> fellBack = File.ReadAllLines(fallbackFile).Select(long.Parse).ToList();
            Assert.True(written.Count > 0, "some events fit on the disk");
            Assert.Contains(-100L, fellBack);
            if (returnToFirstOnSuccess)
            {
                // Every event tries Mmap first: the fallback holds exactly what Mmap dropped.
                Assert.Equal(dropped, fellBack.Count);
            }
            Assert.Equal(fellBack.Count, fellBack.Distinct().Count());
            Assert.Empty(written.Intersect(fellBack));
            var all = new HashSet<long>(written.Concat(fellBack));
            Assert.Equal(Events + 1, all.Count);
        }
        finally
        {
            factory.Shutdown();
        }
    }
}
