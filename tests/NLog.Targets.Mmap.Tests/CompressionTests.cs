using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Sinks.Mmap;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

/// <summary><c>enableArchiveFileCompression</c> from nlog.config and appsettings, and <see cref="MmapTarget.Hooks"/> from code.</summary>
public class CompressionTests
{
    private sealed class CountingHooks : SegmentLifecycleHooks
    {
        public ConcurrentQueue<string> Sealed { get; } = new();
        public override void OnSegmentSealed(string path) => Sealed.Enqueue(path);
    }

    private static void WaitForCompressed(TempLogDir dir, int count)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (Directory.GetFiles(dir.Directory, "app-*.mlogz").Length < count)
        {
            Assert.True(DateTime.UtcNow < deadline, "no compressed segments");
            Thread.Sleep(20);
        }
    }

    [Theory]
    [MemberData(nameof(ConfigurationTests.Sources), MemberType = typeof(ConfigurationTests))]
    public void Sealed_segments_are_compressed_when_configured_and_every_event_reads_back(string source)
    {
        using var dir = new TempLogDir();
        var options = new Dictionary<string, string>
        {
            ["fileName"] = dir.LogPath,
            ["archiveAboveSize"] = "65536",
            ["maxArchiveFiles"] = "-1",
            ["enableArchiveFileCompression"] = "true",
        };
        LogFactory factory = source == "xml" ? NLogConfigs.FromXml(options) : NLogConfigs.FromAppSettings(options);
        try
        {
            Assert.True(factory.Target().EnableArchiveFileCompression);
            Logger logger = factory.GetLogger("Shop");
            logger.Info("warm-up");
            for (int i = 0; i < 10_000; i++) logger.Info("Order {OrderId} shipped to {City}", i, "Lyon");
            WaitForCompressed(dir, 3);
        }
        finally
        {
            factory.Shutdown();
        }
        List<MmapEvent> events = new MmapLogReader(dir.LogPath).ReadEvents().ToList();
        Assert.Equal(10_001, events.Count);
        Assert.True(new MmapLogReader(dir.LogPath).Validate().IsClean);
    }

    [Fact]
    public void Hooks_set_from_code_see_each_sealed_segment()
    {
        using var dir = new TempLogDir();
        var hooks = new CountingHooks();
        var factory = new LogFactory { ThrowExceptions = true };
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = dir.LogPath, ArchiveAboveSize = 65536, MaxArchiveFiles = -1, Hooks = hooks }));
        try
        {
            Logger logger = factory.GetLogger("Shop");
            for (int i = 0; i < 10_000; i++) logger.Info("Order {OrderId} shipped to {City}", i, "Lyon");
        }
        finally
        {
            factory.Shutdown();
        }
        string[] sealedFiles = hooks.Sealed.Select(Path.GetFileName).ToArray()!;
        Assert.True(sealedFiles.Length >= 3, string.Join(", ", sealedFiles));
        Assert.Equal(dir.SegmentFiles().Select(Path.GetFileName), sealedFiles.OrderBy(f => f, StringComparer.Ordinal));
    }
}
