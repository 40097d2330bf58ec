using System;
using System.Globalization;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Threading;
using Serilog;

namespace Serilog.Sinks.Mmap.TestChild;

/// <summary>
/// Usage: child LOG_PATH ACK_FILE THREADS SEGMENT_BYTES. Each thread logs events numbered 1, 2, 3, …
/// and, after each log call returns, stores that number in its slot of ACK_FILE (a shared mapping,
/// so the parent can read it after a SIGKILL). Runs until killed, or exits after 20 s.
/// Or: child --scenario deep LOG_PATH. An enricher adds a structure nested 100,000 levels deep to the
/// first event; then 200 events "Event {Index}" follow, the logger is closed, "done" is printed and
/// the child exits 0.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 3 && args[0] == "--scenario" && args[1] == "deep")
        {
            return Deep(args[2]);
        }
        string logPath = args[0];
        string ackPath = args[1];
        int threads = int.Parse(args[2], CultureInfo.InvariantCulture);
        long segmentBytes = long.Parse(args[3], CultureInfo.InvariantCulture);

        using var ackFile = MemoryMappedFile.CreateFromFile(ackPath, FileMode.OpenOrCreate, null, 8 * 64);
        using MemoryMappedViewAccessor acks = ackFile.CreateViewAccessor();
        Log.Logger = new LoggerConfiguration().WriteTo.Mmap(logPath, fileSizeLimitBytes: segmentBytes, retainedFileCountLimit: null).CreateLogger();
        Console.WriteLine("ready");
        Console.Out.Flush();

        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int thread = t;
            workers[t] = new Thread(() =>
            {
                for (long counter = 1; ; counter++)
                {
                    Log.Information("Thread {Thread} event {Counter} with {Padding}", thread, counter, "some text to fill segments");
                    // Acknowledge only after the call returned: this is the promise under test.
                    acks.Write(thread * 64, counter);
                }
            }) { IsBackground = true };
            workers[t].Start();
        }
        // A safety net: a parent that fails before killing us must not leave us filling the disk.
        Thread.Sleep(TimeSpan.FromSeconds(20));
        Environment.Exit(3);
        return 3;
    }

    private static int Deep(string logPath)
    {
        Events.LogEventPropertyValue deep = new Events.ScalarValue(0);
        for (int i = 0; i < 100_000; i++)
        {
            deep = new Events.StructureValue(new[] { new Events.LogEventProperty("Child", deep) }, "Node");
        }
        var enricher = new OnceEnricher(new Events.LogEventProperty("Deep", deep));
        using (Core.Logger logger = new LoggerConfiguration().Enrich.With(enricher).WriteTo.Mmap(logPath).CreateLogger())
        {
            logger.Information("An enricher nested a structure {Levels} levels deep", 100_000);
            for (int i = 0; i < 200; i++)
            {
                logger.Information("Event {Index}", i);
            }
        }
        Console.WriteLine("done");
        return 0;
    }

    /// <summary>Adds its property to the first event only.</summary>
    private sealed class OnceEnricher : Core.ILogEventEnricher
    {
        private Events.LogEventProperty? _property;

        public OnceEnricher(Events.LogEventProperty property) => _property = property;

        public void Enrich(Events.LogEvent logEvent, Core.ILogEventPropertyFactory propertyFactory)
        {
            if (Interlocked.Exchange(ref _property, null) is { } property)
            {
                logEvent.AddPropertyIfAbsent(property);
            }
        }
    }
}
