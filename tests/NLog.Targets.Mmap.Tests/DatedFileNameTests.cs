using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NLog.Config;
using Sinks.Mmap;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

/// <summary>
/// A dated fileName (<c>logs/${shortdate}/app.mlog</c>, FileTarget's most common set-up) starts a new log
/// when the date in the name changes: each event is in the log its own date names, none lost.
/// </summary>
public class DatedFileNameTests
{
    // Days after today: the target names its first log for the clock's date, and moves forward only.
    private static readonly DateTime Day1 = DateTime.Today.AddDays(2).AddHours(23).AddMinutes(58);

    private static LogFactory Factory(string fileName)
    {
        var factory = new LogFactory();
        var config = new LoggingConfiguration(factory);
        config.AddRuleForAllLevels(new MmapTarget("mmap") { FileName = fileName });
        factory.ThrowConfigExceptions = true;
        factory.Configuration = config;
        return factory;
    }

    private static void Log(Logger logger, DateTime time, long counter) =>
        logger.Log(new LogEventInfo(LogLevel.Info, logger.Name, CultureInfo.InvariantCulture, "Event {Counter}", new object[] { counter }) { TimeStamp = time });

    private static List<long> Counters(string path) =>
        new MmapLogReader(path).ReadEvents().Select(e => e.TryGetProperty("Counter", out LogValue v) ? Convert.ToInt64(((LogScalar)v).Value, CultureInfo.InvariantCulture) : -1).ToList();

    private static string Dated(string folder, DateTime day) => Path.Combine(folder, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "app.mlog");

    [Fact]
    public void Events_go_to_the_log_their_date_names_and_a_new_log_starts_when_the_date_changes()
    {
        using var dir = new TempLogDir();
        LogFactory factory = Factory(Path.Combine(dir.Directory, "${shortdate}", "app.mlog"));
        MmapTarget target = factory.Configuration!.FindTargetByName<MmapTarget>("mmap")!;
        try
        {
            Logger logger = factory.GetLogger("Dated");
            for (int i = 0; i < 100; i++) Log(logger, Day1.AddSeconds(i), i);            // 23:58 to 23:59:39 on day 1
            Assert.Equal(Dated(dir.Directory, Day1), target.ResolvedFileName);
            for (int i = 100; i < 200; i++) Log(logger, Day1.AddSeconds(i), i);          // on into day 2 (00:00:20 on)
            Assert.Equal(Dated(dir.Directory, Day1.AddDays(1)), target.ResolvedFileName);
            for (int i = 200; i < 300; i++) Log(logger, Day1.AddDays(1).AddHours(1).AddSeconds(i), i);   // day 3, 00:58 on
            Assert.Equal(0, target.DroppedEvents);
        }
        finally
        {
            factory.Shutdown();
        }

        List<long> day1 = Counters(Dated(dir.Directory, Day1));
        List<long> day2 = Counters(Dated(dir.Directory, Day1.AddDays(1)));
        List<long> day3 = Counters(Dated(dir.Directory, Day1.AddDays(2)));
        // Day 1 ends at counter 119 (23:58:00 + 120 s is midnight).
        Assert.Equal(Enumerable.Range(0, 120).Select(i => (long)i), day1);
        Assert.Equal(Enumerable.Range(120, 80).Select(i => (long)i), day2);
        Assert.Equal(Enumerable.Range(200, 100).Select(i => (long)i), day3);
        // Each dated log was sealed: the one left for the next day, and the last one at shutdown.
        Assert.All(new[] { Day1, Day1.AddDays(1), Day1.AddDays(2) }, day =>
            Assert.All(new MmapLogReader(Dated(dir.Directory, day)).Validate().Segments, s => Assert.True(s.Sealed)));
    }

    [Fact]
    public void Threads_logging_across_date_changes_lose_no_event_and_write_none_twice()
    {
        using var dir = new TempLogDir();
        LogFactory factory = Factory(Path.Combine(dir.Directory, "${date:format=yyyy-MM-dd}", "app.mlog"));
        const int Threads = 4, PerDay = 5_000, Days = 3;
        try
        {
            Logger logger = factory.GetLogger("Dated");
            for (int day = 0; day < Days; day++)
            {
                DateTime start = Day1.Date.AddDays(day);
                Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
                {
                    for (int i = 0; i < PerDay; i++)
                    {
                        long counter = ((long)day * Threads + t) * PerDay + i;
                        Log(logger, start.AddMilliseconds(i), counter);
                    }
                });
            }
        }
        finally
        {
            factory.Shutdown();
        }

        var all = new List<long>();
        for (int day = 0; day < Days; day++) all.AddRange(Counters(Dated(dir.Directory, Day1.Date.AddDays(day))));
        Assert.Equal(Threads * PerDay * Days, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Theory]
    [InlineData("${date:format=yyyy-MM-dd_HH}")]
    [InlineData("${shortdate}-${processname}")]
    public void A_name_of_the_date_with_the_hour_or_fixed_parts_is_followed_too(string layout)
    {
        using var dir = new TempLogDir();
        LogFactory factory = Factory(Path.Combine(dir.Directory, layout, "app.mlog"));
        MmapTarget target = factory.Configuration!.FindTargetByName<MmapTarget>("mmap")!;
        string first, second;
        try
        {
            Logger logger = factory.GetLogger("Dated");
            Log(logger, Day1, 1);
            first = target.ResolvedFileName!;
            Log(logger, Day1.AddDays(1).AddHours(1), 2);
            second = target.ResolvedFileName!;
        }
        finally
        {
            factory.Shutdown();
        }
        Assert.NotEqual(first, second);
        Assert.Equal(new long[] { 1 }, Counters(first));
        Assert.Equal(new long[] { 2 }, Counters(second));
    }
}
