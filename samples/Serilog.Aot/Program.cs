using System;
using System.Collections.Generic;
using Serilog;
using Serilog.Events;
using Serilog.Sinks.Mmap.Reading;

// log <path>: logs numbered events until killed, printing "acked N" after event N's log call has returned.
// verify <path> <acked>: reads the log back and checks that events 0..acked are all there, once each.
if (args.Length >= 2 && args[0] == "log")
{
    using var logger = new LoggerConfiguration().WriteTo.Mmap(args[1], fileSizeLimitBytes: 1 << 20, retainedFileCountLimit: null).CreateLogger();
    for (long i = 0; ; i++)
    {
        // An enum too: the writer finds its names at run time, which Native AOT must allow.
        logger.Information("AOT event {Counter} from {Source} at {Ratio:F2} as {Kind}", i, "Serilog.Aot", i / 7.0, LogEventLevel.Warning);
        if (i % 1000 == 0)
        {
            Console.Out.WriteLine($"acked {i}");
            Console.Out.Flush();
        }
    }
}
if (args.Length >= 3 && args[0] == "verify")
{
    long acked = long.Parse(args[2]);
    var seen = new HashSet<long>();
    foreach (LogEvent e in MmapLogEventReader.ReadLogEvents(args[1]))
    {
        if (e.Properties["Counter"] is not ScalarValue { Value: long counter } || !seen.Add(counter))
        {
            Console.Error.WriteLine($"event {e.Properties["Counter"]} unreadable or read twice");
            return 1;
        }
        if (e.Properties["Kind"].ToString() != "Warning")
        {
            Console.Error.WriteLine($"event {counter} read back its enum as {e.Properties["Kind"]}");
            return 1;
        }
    }
    long lost = 0;
    for (long i = 0; i <= acked; i++)
    {
        if (!seen.Contains(i)) lost++;
    }
    Console.WriteLine($"read {seen.Count} events, {lost} of the {acked + 1} acknowledged lost");
    return lost == 0 && seen.Count > acked ? 0 : 1;
}
Console.Error.WriteLine("usage: Serilog.Aot log <path> | verify <path> <acked>");
return 2;
