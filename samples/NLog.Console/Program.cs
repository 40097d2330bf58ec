using System;
using System.Diagnostics;
using NLog;
using NLog.Targets.Mmap;
using Sinks.Mmap;
using Sinks.Mmap.Rendering;

namespace NLogSample;

internal static class Program
{
    private static int Main()
    {
        // nlog.config (copied next to the executable) names the target; LogManager loads it on first use.
        Logger logger = LogManager.GetCurrentClassLogger();
        var target = LogManager.Configuration!.FindTargetByName<MmapTarget>("mmap")!;

        using (var activity = new Activity("checkout").SetIdFormat(ActivityIdFormat.W3C).Start())
        using (ScopeContext.PushProperty("RequestId", "req-" + Environment.ProcessId))
        {
            logger.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);
            logger.Debug("Basket {@Items} holds {Count} items", new[] { "apple", "pear" }, 2);
            try
            {
                throw new InvalidOperationException("payment service unavailable");
            }
            catch (Exception ex)
            {
                logger.Error(ex, "Order {OrderId} failed after {Attempts} attempts", Guid.NewGuid(), 3);
            }
        }

        string log = target.ResolvedFileName!;
        Console.WriteLine($"Log: {log} (writing {target.CurrentSegmentPath}, dropped {target.DroppedEvents})");

        // Sealing happens on shutdown; every event above was already safe once its log call returned.
        LogManager.Shutdown();

        var formatter = new OutputTemplateFormatter("{Timestamp:HH:mm:ss.fff} [{Level:u3}] {SourceContext} {Message:lj} {Properties}{NewLine}{Exception}");
        Console.WriteLine("Read back:");
        foreach (MmapEvent e in new MmapLogReader(log).ReadEvents())
        {
            Console.Write(formatter.Format(e));
        }
        return 0;
    }
}
