using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sinks.Mmap;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

public class LifecycleTests
{
    [Fact]
    public void Flush_makes_events_readable_and_Shutdown_seals_the_segment()
    {
        using var dir = new TempLogDir();
        var factory = NLogConfigs.FromXml(new Dictionary<string, string> { ["fileName"] = dir.LogPath, ["archiveAboveSize"] = "1048576" });
        MmapTarget target = factory.Target();
        var logger = factory.GetLogger("Life");
        for (int i = 0; i < 10; i++)
        {
            logger.Info("Event {Index}", i);
        }
        factory.Flush(TimeSpan.FromSeconds(5));
        // The writer may already have prepared the next segment beside it: the one being written is the current one.
        string segment = target.CurrentSegmentPath!;
        Assert.Contains(segment, dir.SegmentFiles());
        Assert.Equal(10, new MmapLogReader(dir.LogPath).ReadEvents().Count());
        SegmentReport open = Assert.Single(new MmapLogReader(dir.LogPath).Validate().Segments);
        Assert.False(open.Sealed);
        Assert.Equal(1048576, new FileInfo(segment).Length);

        factory.Shutdown();

        SegmentReport report = Assert.Single(new MmapLogReader(dir.LogPath).Validate().Segments);
        Assert.True(report.Sealed);
        Assert.True(report.IsClean);
        Assert.Equal(10, report.Events);
        Assert.True(new FileInfo(segment).Length < 1048576, "a sealed segment is trimmed");
        Assert.Null(target.CurrentSegmentPath);
        Assert.Equal(0, target.DroppedEvents);
    }

    [Fact]
    public void LogManager_Shutdown_seals_the_segment()
    {
        using var dir = new TempLogDir();
        try
        {
            LogManager.Setup()
                .SetupExtensions(e => e.RegisterTarget<MmapTarget>("Mmap"))
                .LoadConfiguration(c => c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = dir.LogPath, ArchiveAboveSize = 65536 }));
            LogManager.GetLogger("Static").Info("via {Api}", "LogManager");
            LogManager.Flush();
            Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
        }
        finally
        {
            LogManager.Shutdown();
        }
        SegmentReport report = Assert.Single(new MmapLogReader(dir.LogPath).Validate().Segments);
        Assert.True(report.Sealed);
        Assert.Equal(1, report.Events);
    }

    [Fact]
    public void Closing_and_reopening_the_configuration_continues_the_log_in_a_new_segment()
    {
        using var dir = new TempLogDir();
        var options = new Dictionary<string, string> { ["fileName"] = dir.LogPath, ["archiveAboveSize"] = "65536" };
        var first = NLogConfigs.FromXml(options);
        first.GetLogger("A").Info("one");
        first.Shutdown();
        var second = NLogConfigs.FromXml(options);
        second.GetLogger("A").Info("two");
        second.Shutdown();
        Assert.Equal(new[] { "one", "two" }, new MmapLogReader(dir.LogPath).ReadEvents().Select(e => e.RenderedMessage));
        Assert.All(new MmapLogReader(dir.LogPath).Validate().Segments, s => Assert.True(s.Sealed));
    }

    [TmpfsFact]
    public void A_full_disk_goes_to_the_InternalLogger_and_counts_dropped_events_without_throwing()
    {
        using Tmpfs disk = Tmpfs.Mount("size=1m");
        using var capture = new InternalLogCapture(LogLevel.Warn);
        string path = Path.Combine(disk.Directory, "app.mlog");
        var factory = NLogConfigs.FromXml(new Dictionary<string, string>
        {
            ["fileName"] = path,
            ["archiveAboveSize"] = (4 * 1024 * 1024).ToString(),
            ["retryInterval"] = "00:00:00.050",
        });
        try
        {
            var logger = factory.GetLogger("Full");
            MmapTarget target = factory.Target();
            for (int i = 0; i < 200; i++)
            {
                logger.Info("Event {Index} with some text to fill {Filler}", i, new string('x', 100));
            }
            factory.Flush(TimeSpan.FromSeconds(5));
            Assert.True(target.DroppedEvents > 0, "events were dropped");
            Assert.Contains("Mmap target 'mmap'", capture.Text, StringComparison.Ordinal);
            Assert.Contains("Error", capture.Text, StringComparison.Ordinal);
        }
        finally
        {
            factory.Shutdown();
        }
    }
}
