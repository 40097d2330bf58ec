using System;
using NLog.Targets;
using Xunit;
using Xunit.Abstractions;

namespace NLog.Targets.Mmap.Tests;

/// <summary>Does what NLog's <c>${message}</c> costs and nothing else: the baseline the Mmap target is held to.</summary>
internal sealed class FormattedMessageOnlyTarget : TargetWithLayout
{
    protected override void Write(LogEventInfo logEvent) => _ = logEvent.FormattedMessage;
}

public class AllocationTests
{
    private readonly ITestOutputHelper _output;

    public AllocationTests(ITestOutputHelper output) => _output = output;

    private static long BytesPerEvent(Target target)
    {
        var factory = new LogFactory();
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(target));
        try
        {
            Logger logger = factory.GetLogger("Bench");
            for (int i = 0; i < 2000; i++) logger.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);
            const int count = 20_000;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < count; i++) logger.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);
            return (GC.GetAllocatedBytesForCurrentThread() - before) / count;
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void Writing_a_structured_event_with_scalar_parameters_allocates_nothing_beyond_what_NLog_allocates_for_a_NullTarget()
    {
        using var dir = new TempLogDir();
        long nullTarget = BytesPerEvent(new NullTarget("null"));
        long formatted = BytesPerEvent(new FormattedMessageOnlyTarget());
        long mmap = BytesPerEvent(new MmapTarget("mmap") { FileName = dir.LogPath });
        long mmapNoLayout = BytesPerEvent(new MmapTarget("mmap2") { FileName = dir.Directory + "/nolayout.mlog", Layout = "" });
        _output.WriteLine($"NullTarget {nullTarget} B, FormattedMessage only {formatted} B, Mmap {mmap} B, Mmap with empty layout {mmapNoLayout} B per event");
        // Averages over 20,000 events; a few bytes of slack for one-off allocations (a segment's string table growing).
        Assert.InRange(mmap - nullTarget, -8, 8);
        Assert.True(formatted > nullTarget + 64, "formatting the message is what the target avoids, so it must cost something to avoid");
        Assert.InRange(mmapNoLayout - nullTarget, -8, 8);
    }

    [Fact]
    public void With_an_empty_layout_structured_messages_keep_only_template_and_plain_messages_keep_their_text()
    {
        using var dir = new TempLogDir();
        var factory = new LogFactory();
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = dir.LogPath, Layout = "" }));
        try
        {
            var logger = factory.GetLogger("L");
            logger.Info("Hello {Name}", "Ann");
            logger.Info("plain {text}");
            var events = System.Linq.Enumerable.ToList(new Sinks.Mmap.MmapLogReader(dir.LogPath).ReadEvents());
            Assert.Equal("Hello {Name}", events[0].MessageTemplate);
            Assert.Null(events[0].RenderedMessage);
            Assert.Equal("Hello \"Ann\"", Sinks.Mmap.Rendering.MmapEventRenderer.RenderMessage(events[0]));
            Assert.Null(events[1].MessageTemplate);
            Assert.Equal("plain {text}", events[1].RenderedMessage);
        }
        finally
        {
            factory.Shutdown();
        }
    }
}
