using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using NLog.Extensions.Logging;
using NLog.Targets.Mmap;
using Sinks.Mmap;
using Sinks.Mmap.Rendering;

namespace NLogAppSettingsSample;

internal static class Program
{
    private static int Main()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: false)
            .Build();

        string logPath;
        using (ILoggerFactory loggerFactory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Debug)
            .AddNLog(configuration)))   // reads the "NLog" section
        {
            ILogger logger = loggerFactory.CreateLogger("Sample.Orders");
            using (logger.BeginScope(new Dictionary<string, object> { ["Tenant"] = "acme" }))
            {
                logger.LogInformation("Order {OrderId} placed for {Amount} EUR", 1001, 99.95m);
                logger.LogWarning("Stock for {Sku} is down to {Remaining}", "SKU-7", 3);
            }

            var target = NLog.LogManager.Configuration!.FindTargetByName<MmapTarget>("mmap")!;
            logPath = target.ResolvedFileName!;
            Console.WriteLine($"Log: {logPath}");
        }
        // Disposing the logger factory does not shut NLog down: Shutdown() seals the segment.
        NLog.LogManager.Shutdown();

        int count = 0;
        var formatter = new OutputTemplateFormatter("[{Level:u3}] {SourceContext}: {Message:lj} {Properties}{NewLine}");
        foreach (MmapEvent e in new MmapLogReader(logPath).ReadEvents())
        {
            Console.Write(formatter.Format(e));
            count++;
        }
        return count > 0 ? 0 : 1;
    }
}
