using System;
using System.IO;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Sinks.Mmap.Reading;

// appsettings.json's relative "logs/app.mlog" is resolved against the working directory.
Directory.SetCurrentDirectory(AppContext.BaseDirectory);
IConfiguration configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json")
    .Build();

Serilog.Core.Logger serilog = new LoggerConfiguration().ReadFrom.Configuration(configuration).CreateLogger();
using (ILoggerFactory factory = LoggerFactory.Create(builder => builder.AddSerilog(serilog, dispose: true)))
{
    ILogger<Program> logger = factory.CreateLogger<Program>();
    logger.LogInformation("Order {OrderId} placed by {Customer} for {Total:C}", 1001, "ada", 42.50m);
    using (logger.BeginScope("Request {RequestId}", "r-17"))
    {
        logger.LogWarning("Stock for {Sku} is low: {Left} left", "PEAR-1", 3);
    }
    logger.LogError("Payment {PaymentId} was declined", "p-9");
}

string path = Path.Combine(AppContext.BaseDirectory, "logs", "app.mlog");
Console.WriteLine($"Logged through Microsoft.Extensions.Logging to {Path.GetDirectoryName(path)}");
foreach (Serilog.Events.LogEvent e in MmapLogEventReader.ReadLogEvents(path))
{
    Console.WriteLine($"{e.Timestamp:HH:mm:ss.fff} [{e.Level}] {e.RenderMessage()}  ({string.Join(", ", e.Properties.Keys)})");
}

internal sealed partial class Program
{
}
