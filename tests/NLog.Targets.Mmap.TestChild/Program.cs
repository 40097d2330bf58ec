using System;
using System.Collections.Generic;
using System.Threading;

namespace NLog.Targets.Mmap.TestChild;

/// <summary>
/// Logs "Event {Index}" through NLog and the Mmap target for ever, printing "ACK n" after each
/// event's log call has returned, until it is killed. Arguments: the log path and the segment size.
/// With a third argument, a scenario, it first logs one hostile event, prints <c>hostile done</c>,
/// then logs 200 events as above, shuts NLog down and exits 0:
/// <c>selflist</c> logs a <c>List&lt;object&gt;</c> that holds itself four times and a 128 KiB string
/// (2.9 GB when written out to NLog's collection depth); <c>far-future</c> logs an event stamped
/// <see cref="DateTime.MaxValue"/> with daily archiving.
/// </summary>
internal static class Program
{
    private const int EventsAfterHostile = 200;

    private static int Main(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: NLog.Targets.Mmap.TestChild <log path> <segment bytes> [selflist|far-future]");
            return 2;
        }
        string? scenario = args.Length > 2 ? args[2] : null;
        var factory = new LogFactory();
        factory.ThrowConfigExceptions = true;
        var target = new MmapTarget("mmap") { FileName = args[0], ArchiveAboveSize = long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) };
        if (scenario == "far-future")
        {
            target.ArchiveEvery = FileArchivePeriod.Day;
        }
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(target));
        Logger logger = factory.GetLogger("Child");
        Console.Out.Flush();
        if (scenario is not null)
        {
            LogHostile(logger, scenario);
            Console.WriteLine("hostile done");
        }
        for (long i = 0; scenario is null || i < EventsAfterHostile; i++)
        {
            logger.Info("Event {Index} from {Pid} with {Payload}", i, Environment.ProcessId, "some text to fill the segments faster");
            // The event is in the page cache now: acknowledge it. Console.Out autoflushes each line.
            Console.WriteLine("ACK " + i);
            if (i % 1000 == 999)
            {
                Thread.Yield();
            }
        }
        Console.WriteLine("dropped " + target.DroppedEvents);
        factory.Shutdown();
        return 0;
    }

    private static void LogHostile(Logger logger, string scenario)
    {
        if (scenario == "selflist")
        {
            var list = new List<object>();
            for (int i = 0; i < 4; i++) list.Add(list);
            list.Add(new string('s', 128 * 1024));
            logger.Info("A list that holds itself: {List}", list);
        }
        else
        {
            logger.Log(new LogEventInfo(LogLevel.Info, "Child", "From the end of time") { TimeStamp = DateTime.MaxValue });
        }
    }
}
