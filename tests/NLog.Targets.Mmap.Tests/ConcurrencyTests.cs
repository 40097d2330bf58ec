using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading;
using NLog.Config;
using Sinks.Mmap;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

/// <summary>
/// The target writes without NLog's per-target lock (as NLog's NullTarget does), so its Write runs
/// on several threads at once. These tests log from many threads through every rendering route and
/// check each event against what its own thread logged: any state shared by mistake mixes events up.
/// </summary>
public class ConcurrencyTests
{
    private static readonly CultureInfo German = CultureInfo.GetCultureInfo("de-DE");

    private static object? Scalar(MmapEvent e, string name)
    {
        Assert.True(e.TryGetProperty(name, out LogValue value), $"property {name} missing");
        return Assert.IsType<LogScalar>(value).Value;
    }

    private static (LogFactory Factory, MmapTarget Target) Start(TempLogDir dir, Action<MmapTarget>? configure = null)
    {
        var target = new MmapTarget("mmap") { FileName = dir.LogPath };
        configure?.Invoke(target);
        var factory = new LogFactory { ThrowExceptions = true };
        var config = new LoggingConfiguration(factory);
        config.AddRuleForAllLevels(target);
        factory.Configuration = config;
        return (factory, target);
    }

    [Fact]
    public void Logging_with_the_default_layout_does_not_wait_for_the_targets_lock()
    {
        using var dir = new TempLogDir();
        var (factory, target) = Start(dir);
        try
        {
            object syncRoot = typeof(Target).GetProperty("SyncRoot", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(target)!;
            using var held = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            var holder = new Thread(() =>
            {
                lock (syncRoot)
                {
                    held.Set();
                    release.Wait();
                }
            });
            holder.Start();
            held.Wait();
            try
            {
                var logging = new Thread(() => factory.GetLogger("Free").Info("Order {OrderId} shipped in {Days} days", 42, 2.5));
                logging.Start();
                // Under NLog's lock this would wait for the holder, which waits for the test.
                Assert.True(logging.Join(TimeSpan.FromSeconds(10)), "the log call waited for the target's lock");
            }
            finally
            {
                release.Set();
                holder.Join();
            }
            factory.Flush();
            MmapEvent read = Assert.Single(new MmapLogReader(dir.LogPath).ReadEvents());
            Assert.Equal("Order 42 shipped in 2.5 days", read.RenderedMessage);
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void Threads_logging_different_templates_cultures_and_properties_at_once_each_read_back_as_logged()
    {
        using var dir = new TempLogDir();
        var (factory, target) = Start(dir, t => t.IncludeScopeProperties = true);
        const int threads = 4, perThread = 4000;
        try
        {
            RunThreads(threads, perThread, (logger, t, i) =>
            {
                // Four shapes in turn: plain (not stored), rendered by the target (German decimal comma),
                // pre-parsed parameters with an extra event property, and a scope property.
                switch (i % 4)
                {
                    case 0:
                        logger.Info("Thread {Thread} item {Index} weighs {Weight}", t, i, i + 0.5);
                        break;
                    case 1:
                        logger.Log(LogEventInfo.Create(LogLevel.Info, logger.Name, German, "Thread {Thread} item {Index} costs {Price}", new object[] { t, i, i + 0.25 }));
                        break;
                    case 2:
                        var e = LogEventInfo.Create(LogLevel.Warn, logger.Name, null, "Thread {Thread} item {Index} flagged", new object[] { t, i });
                        e.Properties["Check"] = t * 100_000 + i;
                        logger.Log(e);
                        break;
                    default:
                        using (ScopeContext.PushProperty("Check", t * 100_000 + i))
                        {
                            logger.Info("Thread {Thread} item {Index} scoped", t, i);
                        }
                        break;
                }
            }, factory);
            factory.Flush();

            var events = ReadBack(dir, threads * perThread);
            foreach (var (read, t, i) in events)
            {
                Assert.Equal("T" + t, read.LoggerName);
                switch (i % 4)
                {
                    case 0:
                        Assert.Equal(i + 0.5, Scalar(read, "Weight"));
                        Assert.Equal($"Thread {t} item {i} weighs {(i + 0.5).ToString(CultureInfo.InvariantCulture)}", read.RenderedMessage);
                        break;
                    case 1:
                        Assert.Equal(i + 0.25, Scalar(read, "Price"));
                        Assert.Equal($"Thread {t} item {i} costs {(i + 0.25).ToString(German)}", read.RenderedMessage);
                        break;
                    case 2:
                        Assert.Equal(t * 100_000 + i, Scalar(read, "Check"));
                        Assert.Equal($"Thread {t} item {i} flagged", read.RenderedMessage);
                        break;
                    default:
                        Assert.Equal(t * 100_000 + i, Scalar(read, "Check"));
                        Assert.Equal($"Thread {t} item {i} scoped", read.RenderedMessage);
                        break;
                }
            }
            Assert.Equal(threads * perThread, events.Select(e => (e.Thread, e.Index)).Distinct().Count());
            Assert.Equal(0, target.DroppedEvents);
        }
        finally
        {
            factory.Shutdown();
        }
    }

    [Fact]
    public void A_layout_rendered_by_nlog_is_right_for_every_event_when_threads_log_at_once()
    {
        using var dir = new TempLogDir();
        var (factory, target) = Start(dir, t => t.Layout = "${logger}|${message}|${event-properties:Check}");
        const int threads = 4, perThread = 3000;
        try
        {
            RunThreads(threads, perThread, (logger, t, i) =>
            {
                var e = LogEventInfo.Create(LogLevel.Info, logger.Name, null, "Thread {Thread} item {Index}", new object[] { t, i });
                e.Properties["Check"] = t * 100_000 + i;
                logger.Log(e);
            }, factory);
            factory.Flush();

            foreach (var (read, t, i) in ReadBack(dir, threads * perThread))
            {
                Assert.Equal($"T{t}|Thread {t} item {i}|{t * 100_000 + i}", read.RenderedMessage);
            }
            Assert.Equal(0, target.DroppedEvents);
        }
        finally
        {
            factory.Shutdown();
        }
    }

    /// <summary>Every event of the log with the thread and index it says it was logged with; there must be <paramref name="expected"/>.</summary>
    private static (MmapEvent Read, int Thread, int Index)[] ReadBack(TempLogDir dir, int expected)
    {
        var events = new MmapLogReader(dir.LogPath).ReadEvents().Select(e => (e, (int)Scalar(e, "Thread")!, (int)Scalar(e, "Index")!)).ToArray();
        Assert.Equal(expected, events.Length);
        return events;
    }

    private static void RunThreads(int threads, int perThread, Action<Logger, int, int> log, LogFactory factory)
    {
        using var start = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            Logger logger = factory.GetLogger("T" + t);
            start.Wait();
            for (int i = 0; i < perThread; i++)
            {
                log(logger, t, i);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        start.Set();
        workers.ForEach(w => w.Join());
    }
}
