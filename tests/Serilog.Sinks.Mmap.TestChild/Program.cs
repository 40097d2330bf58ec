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
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
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
}
