using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Running;
using NLog.Targets.Mmap.Translation;
using Sinks.Mmap;

namespace NLog.Targets.Mmap.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project tests/NLog.Targets.Mmap.Benchmarks -- --filter '*' [--job short]
    // dotnet run -c Release --project tests/NLog.Targets.Mmap.Benchmarks -- quick [events] [case]
    //   a plain timing loop without BenchmarkDotNet, reporting thread CPU time too (robust on a busy machine)
    // dotnet run -c Release --project tests/NLog.Targets.Mmap.Benchmarks -- big [properties]
    //   one log call of an event with 100,000 properties, and of a template with 100,000 holes (BigEvents)
    private static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "big")
        {
            BigEvents.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000);
            return;
        }
        if (args.Length > 0 && args[0] == "quick")
        {
            Quick(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000, args.Length > 2 ? args[2] : null);
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

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRusage(int who, long[] usage);

    /// <summary>The calling thread's system (kernel) time in ns and minor page faults; zeros off Linux.</summary>
    private static (long SysNs, long MinorFaults) ThreadKernelUsage()
    {
        const int RusageThread = 1;
        var usage = new long[18]; // struct rusage: two timevals, then fourteen longs (ru_minflt is the fifth)
        if (!OperatingSystem.IsLinux() || GetRusage(RusageThread, usage) != 0) return (0, 0);
        return (usage[2] * 1_000_000_000 + usage[3] * 1000, usage[8]);
    }

    /// <summary>CPU time of the calling thread (user + kernel), so a busy machine's waiting is not counted; 0 off Linux.</summary>
    private static long ThreadCpuNanoseconds()
    {
        const int ClockThreadCpuTimeId = 3;
        if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTimeId, out Timespec t) != 0) return 0;
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }

    private static void Quick(int events, string? only)
    {
        var b = new SingleThreadBenchmarks();
        b.Setup();
        string coreDir = Path.Combine(Path.GetTempPath(), "nlog-mmap-bench-core-" + Guid.NewGuid().ToString("N"));
        var core = new MmapLogWriter(new MmapLogOptions { Path = Path.Combine(coreDir, "core.mlog"), SegmentSizeBytes = 256L << 20 });
        const string Template = "User {UserId} logged in from {Ip} after {Elapsed} ms";
        TemplateInfo template = MessageTemplateCache.Get(Template);
        object?[] parameters = { 42, "10.0.0.1", 12.5 };
        var header = new EventHeader { MessageTemplate = Template, LoggerName = "Bench", PropertyCount = parameters.Length };
        void CoreOnly()
        {
            var payload = new NLogEventPayload { Header = header, Template = template, Parameters = parameters };
            core.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref payload);
        }
        var probeFactory = new LogFactory();
        probeFactory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(new RenderOnlyContextTarget()));
        Logger probe = probeFactory.GetLogger("Bench");
        void ContextRender() => probe.Info("User {UserId} logged in from {Ip} after {Elapsed} ms", 42, "10.0.0.1", 12.5);
        var headerWithText = header;
        headerWithText.RenderedMessage = "User 42 logged in from 10.0.0.1 after 12.5 ms";
        void CoreOnlyWithText()
        {
            var payload = new NLogEventPayload { Header = headerWithText, Template = template, Parameters = parameters };
            core.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref payload);
        }
        try
        {
            var cases = new (string, Action)[]
            {
                ("Null", b.NullTarget), ("NullFormat", b.NullTargetFormatMessage), ("File", b.FileTarget), ("Mmap", b.MmapTarget),
                ("MmapNoProps", b.MmapTargetNoEventProperties), ("MmapNoLayout", b.MmapTargetNoLayout), ("CoreAppendOnly", CoreOnly), ("CoreAppendWithText", CoreOnlyWithText), ("ContextRender", ContextRender),
            };
            // Two rounds; the first warms up (tiered JIT, page cache), only the second is printed.
            for (int round = 0; round < 2; round++)
            {
                foreach (var (name, action) in cases)
                {
                    if (only is not null && name != only) continue;
                    int n = name == "File" ? events / 10 : events;
                    for (int i = 0; i < 20_000; i++) action();
                    long bytes = GC.GetAllocatedBytesForCurrentThread();
                    long cpu0 = ThreadCpuNanoseconds();
                    var (sys0, faults0) = ThreadKernelUsage();
                    var sw = Stopwatch.StartNew();
                    for (int i = 0; i < n; i++) action();
                    sw.Stop();
                    long cpu = ThreadCpuNanoseconds() - cpu0;
                    var (sys1, faults1) = ThreadKernelUsage();
                    if (round == 1)
                    {
                        Console.WriteLine($"{name,-15} {sw.Elapsed.TotalMilliseconds * 1e6 / n,9:F1} ns/event wall {(double)cpu / n,8:F1} ns/event thread CPU (of which kernel {(double)(sys1 - sys0) / n,6:F1}) {(faults1 - faults0) * 1000.0 / n,6:F2} page faults/1000 events {(GC.GetAllocatedBytesForCurrentThread() - bytes) / n,5} B/event");
                    }
                }
            }
        }
        finally
        {
            b.Cleanup();
            probeFactory.Shutdown();
            core.Dispose();
            try { Directory.Delete(coreDir, recursive: true); } catch (IOException) { }
        }
    }
}
