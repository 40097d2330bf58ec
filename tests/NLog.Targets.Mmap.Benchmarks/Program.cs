using System;
using System.Diagnostics;
using System.IO;
using BenchmarkDotNet.Running;

namespace NLog.Targets.Mmap.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project tests/NLog.Targets.Mmap.Benchmarks -- --filter '*' [--job short]
    // dotnet run -c Release --project tests/NLog.Targets.Mmap.Benchmarks -- quick [events]   (a plain timing loop, no BenchmarkDotNet)
    private static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick")
        {
            Quick(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static void Quick(int events)
    {
        var b = new SingleThreadBenchmarks();
        b.Setup();
        try
        {
            foreach (var (name, action) in new (string, Action)[] { ("Null", b.NullTarget), ("File", b.FileTarget), ("Mmap", b.MmapTarget), ("MmapNoLayout", b.MmapTargetNoLayout), ("Mmap", b.MmapTarget) })
            {
                for (int i = 0; i < 10_000; i++) action();
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                int n = name == "File" ? events / 10 : events;
                for (int i = 0; i < n; i++) action();
                sw.Stop();
                Console.WriteLine($"{name,-14} {sw.Elapsed.TotalMilliseconds * 1e6 / n,8:F1} ns/event {(GC.GetAllocatedBytesForCurrentThread() - bytes) / n,5} B/event");
            }
        }
        finally
        {
            b.Cleanup();
        }
    }
}
