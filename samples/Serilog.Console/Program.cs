using System;
using System.IO;
using Serilog;
using Serilog.Formatting.Display;
using Serilog.Sinks.Mmap.Reading;

// Where the log goes: logs/app.mlog becomes logs/app-000001.mlog, app-000002.mlog, ...
string path = Path.Combine(AppContext.BaseDirectory, "logs", "app.mlog");

Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Debug()
    .WriteTo.Mmap(path)
    .CreateLogger();

// Each call below returns once the event is in the OS page cache: a kill -9 right after it loses nothing.
Log.Information("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);
Log.Debug("Cart {@Cart} has {Count} items", new { Items = new[] { "apple", "pear" }, Total = 3.20m }, 2);
try
{
    throw new InvalidOperationException("The payment service did not answer");
}
catch (InvalidOperationException ex)
{
    Log.Error(ex, "Checkout {OrderId} failed", Guid.NewGuid());
}
Log.Warning("Disk {Drive} is {Percent:P0} full", "/var", 0.91);

// Seals the segment: writes the end-of-segment record and trims the file.
Log.CloseAndFlush();

Console.WriteLine($"Logged to {Path.GetDirectoryName(path)}{Path.DirectorySeparatorChar}app-*.mlog");
Console.WriteLine("Read back:");
var formatter = new MessageTemplateTextFormatter("{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}");
foreach (var logEvent in MmapLogEventReader.ReadLogEvents(path))
{
    formatter.Format(logEvent, Console.Out);
}
