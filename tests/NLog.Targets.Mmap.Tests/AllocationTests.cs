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

    private static long BytesPerEvent(Target target) =>
        BytesPerEvent(target, logger => logger.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5));

    private static long BytesPerEvent(Target target, Action<Logger> log)
    {
        var factory = new LogFactory();
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(target));
        try
        {
            Logger logger = factory.GetLogger("Bench");
            for (int i = 0; i < 2000; i++) log(logger);
            const int count = 20_000;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < count; i++) log(logger);
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

    public sealed class Customer
    {
        public string Name { get; init; } = "";
        public int Tier { get; init; }
    }

    public sealed class Order
    {
        public int Id { get; init; }
        public double Total { get; init; }
        public string Currency { get; init; } = "";
        public Customer Customer { get; init; } = new();
    }

    [Fact]
    public void An_event_with_a_repeated_exception_and_a_destructured_object_allocates_nothing_beyond_what_NLog_allocates_for_a_NullTarget()
    {
        using var dir = new TempLogDir();
        var order = new Order { Id = 1234, Total = 99.95, Currency = "EUR", Customer = new Customer { Name = "Ada Lovelace", Tier = 3 } };
        Exception exception;
        try
        {
            throw new InvalidOperationException("Payment gateway timed out", new TimeoutException("no answer within 30 s"));
        }
        catch (InvalidOperationException ex)
        {
            exception = ex;
        }
        void Log(Logger logger) => logger.Error(exception, "Order {@Order} failed for user {UserId}", order, 42);
        long nullTarget = BytesPerEvent(new NullTarget("null"), Log);
        long mmap = BytesPerEvent(new MmapTarget("mmap") { FileName = dir.LogPath }, Log);
        _output.WriteLine($"NullTarget {nullTarget} B, Mmap {mmap} B per event");
        // NLog has formatted such an event already (an object parameter) and keeps its parameters as properties:
        // the target reads NLog's list of them, not MessageTemplateParameters (a new 32-byte object). The
        // destructuring, the exception's text and the names cost nothing either (328 bytes an event before).
        Assert.InRange(mmap - nullTarget, -8, 8);
    }
}
