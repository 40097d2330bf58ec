using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Mmap.Reading;
using Serilog.Sinks.Mmap.Sinks;
using Sinks.Mmap;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Fallback;

/// <summary>
/// Serilog 4's failure handling: the events Mmap drops (a full disk, a record too large) reach the
/// fallback sink, exactly those and no others, on a real full tmpfs.
/// </summary>
public class FallbackChainTests
{
    private const int Events = 20_000;
    // Larger than a record may be in a 256 KiB segment: dropped as EventRejected, whatever the disk.
    private static readonly string Oversized = new('x', 300_000);

    [Fact]
    public void A_fallback_chain_gets_exactly_the_events_a_full_disk_dropped_and_none_is_lost()
    {
        using Tmpfs? disk = Tmpfs.TryMount("size=512k");
        if (disk is null) return; // Mounting needs root; CI runs as root.
        using var fallback = new TempFolder();
        string fallbackFile = Path.Combine(fallback.Path, "fallback.txt");
        string mmapPath = Path.Combine(disk.Directory, "app.mlog");

        MmapSink? sink = null;
        MmapSink.CreatedForTests.Value = s => sink = s;
        try
        {
            using (Logger logger = new LoggerConfiguration()
                .WriteTo.FallbackChain(
                    wt => wt.Mmap(mmapPath, fileSizeLimitBytes: 256 * 1024, retainedFileCountLimit: null),
                    wt => wt.File(fallbackFile, outputTemplate: "{Counter}{NewLine}"))
                .CreateLogger())
            {
                LogNumbered(logger);
                long dropped = sink!.Writer.DroppedEvents;
                logger.Dispose();
                AssertPartition(mmapPath, fallbackFile, dropped);
            }
        }
        finally
        {
            MmapSink.CreatedForTests.Value = null;
        }
    }

    [Fact]
    public void A_level_restricted_mmap_sink_in_a_fallback_chain_still_hands_its_drops_on()
    {
        using Tmpfs? disk = Tmpfs.TryMount("size=512k");
        if (disk is null) return;
        using var fallback = new TempFolder();
        string fallbackFile = Path.Combine(fallback.Path, "fallback.txt");
        string mmapPath = Path.Combine(disk.Directory, "app.mlog");

        MmapSink? sink = null;
        MmapSink.CreatedForTests.Value = s => sink = s;
        try
        {
            using Logger logger = new LoggerConfiguration()
                .MinimumLevel.Verbose()
                .WriteTo.FallbackChain(
                    wt => wt.Mmap(mmapPath, restrictedToMinimumLevel: LogEventLevel.Information, fileSizeLimitBytes: 256 * 1024, retainedFileCountLimit: null),
                    wt => wt.File(fallbackFile, outputTemplate: "{Counter}{NewLine}"))
                .CreateLogger();
            for (int i = 0; i < 100; i++)
            {
                // Below the restriction: neither written nor handed on.
                logger.Debug("Filtered {Counter}", -1 - i);
            }
            LogNumbered(logger);
            long dropped = sink!.Writer.DroppedEvents;
            logger.Dispose();
            AssertPartition(mmapPath, fallbackFile, dropped);
        }
        finally
        {
            MmapSink.CreatedForTests.Value = null;
        }
    }

    [Fact]
    public void An_async_wrapped_mmap_sink_in_a_fallback_chain_hands_its_drops_on()
    {
        using Tmpfs? disk = Tmpfs.TryMount("size=512k");
        if (disk is null) return;
        using var fallback = new TempFolder();
        string fallbackFile = Path.Combine(fallback.Path, "fallback.txt");
        string mmapPath = Path.Combine(disk.Directory, "app.mlog");

        MmapSink? sink = null;
        MmapSink.CreatedForTests.Value = s => sink = s;
        try
        {
            Logger logger = new LoggerConfiguration()
                .WriteTo.FallbackChain(
                    wt => wt.Async(a => a.Mmap(mmapPath, fileSizeLimitBytes: 256 * 1024, retainedFileCountLimit: null), bufferSize: Events * 2),
                    wt => wt.File(fallbackFile, outputTemplate: "{Counter}{NewLine}"))
                .CreateLogger();
            LogNumbered(logger);
            // Disposing drains the async buffer into Mmap (and its drops into the fallback) first.
            logger.Dispose();
            AssertPartition(mmapPath, fallbackFile, sink!.Writer.DroppedEvents);
        }
        finally
        {
            MmapSink.CreatedForTests.Value = null;
        }
    }

    [Fact]
    public void Fallible_reports_each_dropped_event_as_a_permanent_failure_with_the_event_itself()
    {
        using Tmpfs? disk = Tmpfs.TryMount("size=512k");
        if (disk is null) return;
        var listener = new CollectingListener();
        string mmapPath = Path.Combine(disk.Directory, "app.mlog");
        var logged = new List<LogEvent>();

        using (Logger logger = new LoggerConfiguration()
            .WriteTo.Fallible(wt => wt.Mmap(mmapPath, fileSizeLimitBytes: 256 * 1024, retainedFileCountLimit: null), listener)
            .WriteTo.Sink(new CollectingSink(logged))
            .CreateLogger())
        {
            LogNumbered(logger);
        }

        HashSet<long> written = ReadMmapCounters(mmapPath);
        Assert.NotEmpty(written);
        Assert.All(listener.Failures, f => Assert.Equal(LoggingFailureKind.Permanent, f.Kind));
        Assert.All(listener.Failures, f => Assert.Single(f.Events!));
        // The very LogEvent objects the application logged: nothing re-created or lost on the way.
        var reported = new HashSet<LogEvent>(listener.Failures.SelectMany(f => f.Events!), ReferenceEqualityComparer.Instance);
        Assert.Equal(Events + 1, written.Count + reported.Count);
        foreach (LogEvent e in logged)
        {
            Assert.True(written.Contains(Counter(e)) ^ reported.Contains(e), $"event {Counter(e)} is in exactly one place");
        }
        Assert.Contains(listener.Failures, f => f.Message.Contains("too large", StringComparison.Ordinal));
        Assert.Contains(listener.Failures, f => f.Message.Contains("disk full", StringComparison.Ordinal));
    }

    [Fact]
    public void A_written_event_reports_no_failure()
    {
        using var log = new TempFolder();
        var listener = new CollectingListener();
        using (Logger logger = new LoggerConfiguration().WriteTo.Fallible(wt => wt.Mmap(log.LogPath), listener).CreateLogger())
        {
            for (int i = 0; i < 100; i++) logger.Information("Event {Counter}", i);
        }
        Assert.Empty(listener.Failures);
        Assert.Equal(100, ReadMmapCounters(log.LogPath).Count);
    }

    [Fact]
    public void AuditTo_Mmap_still_throws_when_the_disk_is_full()
    {
        using Tmpfs? disk = Tmpfs.TryMount("size=64k");
        if (disk is null) return;
        using Logger logger = new LoggerConfiguration()
            .AuditTo.Mmap(Path.Combine(disk.Directory, "audit.mlog"), fileSizeLimitBytes: 256 * 1024)
            .CreateLogger();
        Assert.ThrowsAny<Exception>(() => logger.Information("Audited {Counter}", 1));
    }

    private static void LogNumbered(ILogger logger)
    {
        for (int i = 0; i < Events; i++)
        {
            if (i == 100)
            {
                // While the disk still has room: this one is dropped for its size alone.
                logger.Information("Oversized {Counter} {Payload}", -100, Oversized);
            }
            logger.Information("Event {Counter} {Text}", i, "text that fills the disk sooner " + i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void AssertPartition(string mmapPath, string fallbackFile, long dropped)
    {
        HashSet<long> written = ReadMmapCounters(mmapPath);
        List<long> fellBack = System.IO.File.ReadAllLines(fallbackFile).Select(long.Parse).ToList();
        Assert.True(written.Count > 0, "some events fit on the disk");
        Assert.True(dropped > 1, "the disk filled up");
        Assert.Contains(-100L, fellBack);
        Assert.Equal(dropped, fellBack.Count);
        Assert.Equal(fellBack.Count, fellBack.Distinct().Count());
        Assert.Empty(written.Intersect(fellBack));
        var all = new HashSet<long>(written.Concat(fellBack));
        Assert.Equal(Events + 1, all.Count);
        for (int i = 0; i < Events; i++) Assert.Contains((long)i, all);
    }

    private static HashSet<long> ReadMmapCounters(string mmapPath)
    {
        var counters = new HashSet<long>();
        foreach (LogEvent e in MmapLogEventReader.ReadLogEvents(mmapPath))
        {
            Assert.True(counters.Add(Counter(e)));
        }
        return counters;
    }

    private static long Counter(LogEvent e) => Convert.ToInt64(((ScalarValue)e.Properties["Counter"]).Value, System.Globalization.CultureInfo.InvariantCulture);

    private sealed record Failure(LoggingFailureKind Kind, string Message, IReadOnlyCollection<LogEvent>? Events, Exception? Exception);

    private sealed class CollectingListener : ILoggingFailureListener
    {
        public List<Failure> Failures { get; } = new();

        public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception)
        {
            lock (Failures) Failures.Add(new Failure(kind, message, events?.ToArray(), exception));
        }
    }

    private sealed class CollectingSink(List<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Add(logEvent);
    }
}

public class FailureListenerAllocationTests
{
    [Fact]
    public void A_written_event_allocates_nothing_in_a_sink_that_has_a_failure_listener_and_a_level_switch()
    {
        using var log = new TempFolder();
        var options = MmapLoggerConfigurationExtensions.BuildOptions(log.LogPath, 4 << 20, global::Sinks.Mmap.SegmentInterval.Infinite, null, null, null, null, "Off", null);
        using var sink = new MmapSink(options, audit: false, new LoggingLevelSwitch(LogEventLevel.Debug));
        sink.SetFailureListener(new ThrowingListener());
        LogEvent logEvent = new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null,
            new Serilog.Parsing.MessageTemplateParser().Parse("Order {OrderId} placed for {Amount}"),
            new[] { new LogEventProperty("OrderId", new ScalarValue(1001)), new LogEventProperty("Amount", new ScalarValue(99.95m)) });
        for (int i = 0; i < 1000; i++) sink.Emit(logEvent);

        const int Events = 10_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Events; i++) sink.Emit(logEvent);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Per event, as the NLog allocation test and the benchmarks count it: a byte an event is 10,000 here,
        // while the thread's count can jump once by part of an allocation quantum (5,968 bytes in one CI run)
        // when a collection that other tests' threads caused retires its allocation context.
        Assert.True(allocated / Events == 0, $"{allocated:N0} bytes for {Events:N0} events");
        Assert.Equal(0, sink.Writer.DroppedEvents);
    }

    private sealed class ThrowingListener : ILoggingFailureListener
    {
        public void OnLoggingFailed(object sender, LoggingFailureKind kind, string message, IReadOnlyCollection<LogEvent>? events, Exception? exception) =>
            throw new InvalidOperationException("no event should fail here: " + message);
    }
}
