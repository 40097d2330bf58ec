using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
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

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    /// <summary>CPU time of the calling thread (user + kernel), so a busy machine's waiting is not counted; 0 off Linux.</summary>
    private static long ThreadCpuNanoseconds()
    {
        const int ClockThreadCpuTimeId = 3;
        if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTimeId, out Timespec t) != 0) return 0;
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }

    private static void Quick(int events)
    {
        var b = new SingleThreadBenchmarks();
        b.Setup();
        try
        {
            foreach (var (name, action) in new (string, Action)[]
            {
                ("Null", b.NullTarget), ("NullFormat", b.NullTargetFormatMessage), ("File", b.FileTarget), ("Mmap", b.MmapTarget),
                ("MmapNoProps", b.MmapTargetNoEventProperties), ("MmapNoLayout", b.MmapTargetNoLayout), ("Null", b.NullTarget), ("Mmap", b.MmapTarget),
            })
            {
                for (int i = 0; i < 10_000; i++) action();
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                long cpu0 = ThreadCpuNanoseconds();
                var sw = Stopwatch.StartNew();
                int n = name == "File" ? events / 10 : events;
                for (int i = 0; i < n; i++) action();
                sw.Stop();
                long cpu = ThreadCpuNanoseconds() - cpu0;
                Console.WriteLine($"{name,-14} {sw.Elapsed.TotalMilliseconds * 1e6 / n,8:F1} ns/event wall {(double)cpu / n,8:F1} ns/event thread CPU (user+sys) {(GC.GetAllocatedBytesForCurrentThread() - bytes) / n,5} B/event");
            }
        }
        finally
        {
            b.Cleanup();
        }
    }
}
