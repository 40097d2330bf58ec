using System;
using System.Threading;

namespace NLog.Targets.Mmap.TestChild;

/// <summary>
/// Logs "Event {Index}" through NLog and the Mmap target for ever, printing "ACK n" after each
/// event's log call has returned, until it is killed. Arguments: the log path and the segment size.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: NLog.Targets.Mmap.TestChild <log path> <segment bytes>");
            return 2;
        }
        var factory = new LogFactory();
        factory.ThrowConfigExceptions = true;
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(
            new MmapTarget("mmap") { FileName = args[0], ArchiveAboveSize = long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) }));
        Logger logger = factory.GetLogger("Child");
        Console.Out.Flush();
        for (long i = 0; ; i++)
        {
            logger.Info("Event {Index} from {Pid} with {Payload}", i, Environment.ProcessId, "some text to fill the segments faster");
            // The event is in the page cache now: acknowledge it. Console.Out autoflushes each line.
            Console.WriteLine("ACK " + i);
            if (i % 1000 == 999)
            {
                Thread.Yield();
            }
        }
    }
}
