using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.Extensions.Configuration;
using Serilog.Core;
using Serilog.Settings.Configuration;
using Sinks.Mmap;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Configuration;

/// <summary><c>compress</c> and <c>hooks</c>, from code and from appsettings.json: sealed segments end up compressed, every event reads back.</summary>
public class CompressionConfigurationTests
{
    /// <summary>Hooks set from JSON as a static member (Serilog.Settings.Configuration's <c>Type::Member, Assembly</c>).</summary>
    public sealed class CountingHooks : SegmentLifecycleHooks
    {
        public static readonly CountingHooks Instance = new();
        public ConcurrentQueue<string> Compressed { get; } = new();
        public override void OnSegmentCompressed(string segmentPath, string compressedPath) => Compressed.Enqueue(compressedPath);
    }

    private static void WaitForCompressed(TempFolder log, int count)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (Directory.GetFiles(log.Path, "app-*.mlogz").Length < count)
        {
            Assert.True(DateTime.UtcNow < deadline, "no compressed segments");
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void Compress_and_hooks_from_code_compress_sealed_segments_and_report_each()
    {
        using var log = new TempFolder();
        var hooks = new CountingHooks();
        using (Logger logger = new LoggerConfiguration().WriteTo.Mmap(log.LogPath, fileSizeLimitBytes: 65536, retainedFileCountLimit: null, compress: true, hooks: hooks).CreateLogger())
        {
            for (int i = 0; i < 10_000; i++) logger.Information("Order {OrderId} shipped to {City}", i, "Lyon");
            WaitForCompressed(log, 3);
        }
        Assert.NotEmpty(hooks.Compressed);
        Assert.All(hooks.Compressed, p => Assert.EndsWith(".mlogz", p));
        Assert.Equal(Enumerable.Range(0, 10_000), new MmapLogReader(log.LogPath).ReadEvents().Select(e => (int)((LogScalar)e.Properties[0].Value).Value!));
    }

    [Fact]
    public void Compress_and_hooks_from_appsettings_json_compress_sealed_segments()
    {
        using var log = new TempFolder();
        string json = $$"""
            { "Serilog": {
                "Using": ["Serilog.Sinks.Mmap"],
                "WriteTo": [{ "Name": "Mmap", "Args": {
                    "path": {{log.JsonPath}}, "fileSizeLimitBytes": 65536, "retainedFileCountLimit": null, "compress": true,
                    "hooks": "{{typeof(CountingHooks).FullName}}::Instance, {{typeof(CountingHooks).Assembly.GetName().Name}}" } }]
            } }
            """;
        IConfigurationRoot configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        int before = CountingHooks.Instance.Compressed.Count;
        using (Logger logger = new LoggerConfiguration().ReadFrom.Configuration(configuration, new ConfigurationReaderOptions(typeof(MmapLoggerConfigurationExtensions).Assembly)).CreateLogger())
        {
            for (int i = 0; i < 10_000; i++) logger.Information("Order {OrderId} shipped to {City}", i, "Lyon");
            WaitForCompressed(log, 3);
        }
        Assert.True(CountingHooks.Instance.Compressed.Count > before, "the hooks named in JSON were called");
        Assert.Equal(10_000, new MmapLogReader(log.LogPath).ReadEvents().Count());
        Assert.True(new MmapLogReader(log.LogPath).Validate().IsClean);
    }
}
