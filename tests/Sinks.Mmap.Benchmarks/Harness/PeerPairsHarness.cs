using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using NLog;
using NLog.Targets;
using NLog.Targets.Mmap;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Sinks.Mmap.Benchmarks.Peers;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// The headline ratios (Serilog → Mmap against Serilog's empty sink, NLog → Mmap against
/// NullTarget) measured side by side in one process: each round logs a burst through the baseline
/// and a burst through Mmap, one right after the other (order alternating), so both halves of a ratio
/// see the same machine. Each burst starts once the process is idle again, so the writer's background
/// work left from an Mmap burst does not run in the baseline's. Prints wall and logging-thread CPU
/// time per event, the other threads' CPU during and after each burst, each round's throughput
/// ratio, their median and spread, at 1 and 2 logging threads.
/// </summary>
/// <remarks>
/// BenchmarkDotNet runs each case in a process of its own. On the 2-vCPU VM the figures come from,
/// a process runs at one of two speeds (the append alone measured 60–70 or 100–110 ns an event,
/// process to process) and a ratio of two cases from two processes moved by ±30 % from run to run.
/// Here both cases share a process, and a round's two bursts share a minute of the machine's life.
/// </remarks>
internal static class PeerPairsHarness
{
    public static int Run(string[] args)
    {
        int events = (int)HarnessCommand.Option(args, "events", 1_000_000);
        int rounds = (int)HarnessCommand.Option(args, "rounds", 8);
        string workloadName = HarnessCommand.TextOption(args, "workload") ?? nameof(PeerWorkload.Template3);
        PeerWorkload workload = Enum.Parse<PeerWorkload>(workloadName);
        string threadList = HarnessCommand.TextOption(args, "threads") ?? "1,2";
        // --libraries serilog (or nlog): one library's pairs only, for a profiler.
        string libraries = HarnessCommand.TextOption(args, "libraries") ?? "serilog,nlog";
        // --only baseline (or mmap): both bursts of every round run that one pipeline, so a profiler's
        // sample counts per function, set against another process's with the other, give each
        // function's share of the difference (a ratio printed then is ~100 % and means nothing).
        string? only = HarnessCommand.TextOption(args, "only");
        if (only is not null && only is not "baseline" and not "mmap")
        {
            Console.Error.WriteLine($"peer-pairs: --only is 'baseline' or 'mmap', not '{only}'");
            return 2;
        }
        using var folder = new TempDirectory("peer-pairs");

        int serilogSelfLog = 0;
        Serilog.Debugging.SelfLog.Enable(_ => Interlocked.Increment(ref serilogSelfLog));
        using Serilog.Core.Logger serilogEmpty = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(new EmptySink()).CreateLogger();
        using Serilog.Core.Logger serilogMmap = new LoggerConfiguration().MinimumLevel.Verbose()
            .WriteTo.Mmap(Path.Combine(folder.Path, "serilog", "app.mlog"), retainedFileCountLimit: 2).CreateLogger();
        var nlogNull = new NLog.LogFactory { ThrowExceptions = true };
        nlogNull.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(new NullTarget("null")));
        var mmapTarget = new MmapTarget("mmap") { FileName = Path.Combine(folder.Path, "nlog", "app.mlog"), MaxArchiveFiles = 2 };
        var nlogMmap = new NLog.LogFactory { ThrowExceptions = true };
        nlogMmap.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(mmapTarget));
        try
        {
            var pairs = new (string Library, string Baseline, Action<int, int> Base, Action<int, int> Mmap)[]
            {
                ("Serilog", "empty sink", (first, count) => LogSerilog(serilogEmpty, workload, first, count), (first, count) => LogSerilog(serilogMmap, workload, first, count)),
                ("NLog", "NullTarget", (first, count) => LogNLog(nlogNull.GetLogger("Bench"), workload, first, count), (first, count) => LogNLog(nlogMmap.GetLogger("Bench"), workload, first, count)),
            };
            Console.WriteLine($"// peer-pairs: {workload}, {events:N0} events a burst, {rounds} rounds, threads {threadList}, {Environment.ProcessorCount} cores, load {HarnessCommand.Load()}"
                + (only is null ? "" : $"; --only {only}: both bursts run that pipeline, for a profiler, and the ratios mean nothing"));
            Console.WriteLine();
            Console.WriteLine("| library | threads | round | baseline ns/event | Mmap ns/event | Mmap throughput / baseline | baseline CPU ns/event | Mmap CPU ns/event | baseline, other threads' CPU ns/event | Mmap, other threads' CPU ns/event | baseline, other threads' CPU after the burst | Mmap, other threads' CPU after the burst |");
            Console.WriteLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
            var summary = new List<string>();
            foreach (string part in threadList.Split(','))
            {
                int threads = int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
                foreach (var (library, baselineName, baselinePipeline, mmapPipeline) in pairs)
                {
                    if (!libraries.Contains(library, StringComparison.OrdinalIgnoreCase)) continue;
                    Action<int, int> logBase = only == "mmap" ? mmapPipeline : baselinePipeline;
                    Action<int, int> logMmap = only == "baseline" ? baselinePipeline : mmapPipeline;
                    // Not counted: the JIT's tiers, the first segments.
                    Burst(threads, events / 2, logBase);
                    Burst(threads, events / 2, logMmap);
                    var ratios = new List<double>();
                    for (int round = 0; round < rounds; round++)
                    {
                        (double baseWall, double baseCpu, double baseOther, double baseAfter) = (0, 0, 0, 0);
                        (double mmapWall, double mmapCpu, double mmapOther, double mmapAfter) = (0, 0, 0, 0);
                        if (round % 2 == 0)
                        {
                            (baseWall, baseCpu, baseOther, baseAfter) = Burst(threads, events, logBase);
                            (mmapWall, mmapCpu, mmapOther, mmapAfter) = Burst(threads, events, logMmap);
                        }
                        else
                        {
                            (mmapWall, mmapCpu, mmapOther, mmapAfter) = Burst(threads, events, logMmap);
                            (baseWall, baseCpu, baseOther, baseAfter) = Burst(threads, events, logBase);
                        }
                        ratios.Add(baseWall / mmapWall);
                        Console.WriteLine($"| {library} | {threads} | {round + 1} | {baseWall:F0} | {mmapWall:F0} | {100 * baseWall / mmapWall:F0} % | {baseCpu:F0} | {mmapCpu:F0} | {baseOther:F0} | {mmapOther:F0} | {baseAfter:F0} | {mmapAfter:F0} |");
                    }
                    ratios.Sort();
                    summary.Add($"{library} → Mmap, {threads} thread(s): {100 * HarnessCommand.Median(ratios):F0} % of the {baselineName}'s throughput (median of {rounds} rounds; {100 * ratios[0]:F0}–{100 * ratios[^1]:F0} %)");
                }
            }
            Console.WriteLine();
            foreach (string line in summary) Console.WriteLine(line);
            long dropped = mmapTarget.DroppedEvents;
            if (serilogSelfLog > 0 || dropped > 0)
            {
                Console.WriteLine($"FAILED: Serilog SelfLog lines {serilogSelfLog}, NLog Mmap dropped {dropped}");
                return 1;
            }
            return 0;
        }
        finally
        {
            nlogNull.Shutdown();
            nlogMmap.Shutdown();
            Serilog.Debugging.SelfLog.Disable();
        }
    }


    /// <summary>
    /// Logs <paramref name="events"/> split over <paramref name="threads"/> threads at once; wall ns,
    /// summed logging-thread CPU ns and the other threads' CPU ns per event during the burst, and the
    /// other threads' CPU ns per event after it, until they are idle again (<see cref="Settle"/>).
    /// </summary>
    private static (double WallNs, double CpuNs, double OtherCpuNs, double AfterCpuNs) Burst(int threads, int events, Action<int, int> log)
    {
        int perThread = events / threads;
        long cpuTotal = 0;
        using var go = new ManualResetEventSlim(false);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int first = t * perThread;
            workers[t] = new Thread(() =>
            {
                go.Wait();
                long cpu0 = CpuClock.ThreadNs();
                log(first, perThread);
                Interlocked.Add(ref cpuTotal, CpuClock.ThreadNs() - cpu0);
            }) { Name = "peer-pairs logger " + t };
            workers[t].Start();
        }
        Thread.Sleep(20);
        long start = Stopwatch.GetTimestamp();
        long process0 = CpuClock.ProcessNs();
        go.Set();
        foreach (Thread worker in workers) worker.Join();
        double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1e6;
        long process1 = CpuClock.ProcessNs();
        // Everything else the process did meanwhile: the garbage collector's threads, and the writer's maintainer and lifecycle threads.
        long other = process1 - process0 - cpuTotal;
        long after = Settle(process1);
        double n = perThread * threads;
        return (wall / n, cpuTotal / n, other / n, after / n);
    }

    /// <summary>
    /// Waits until the process's threads are idle (under 5 % of a core over 10 ms; 3 s at most) and
    /// returns the CPU ns they used since <paramref name="processNs"/>. The writer's background thread
    /// prepares a segment's pages ahead (about 5 µs of CPU a page on the development VM, §1 of
    /// BENCHMARKS.md) and goes on after the burst that filled the last segment. Without this wait that
    /// work ran during the next burst, half the time the baseline's: at 2 threads its bursts showed a
    /// median 20–28 ns an event of other threads' CPU, 5–12 with the wait.
    /// </summary>
    private static long Settle(long processNs)
    {
        const long QuietNs = 500_000;
        long deadline = Stopwatch.GetTimestamp() + 3 * Stopwatch.Frequency;
        long previous = CpuClock.ProcessNs();
        while (Stopwatch.GetTimestamp() < deadline)
        {
            Thread.Sleep(10);
            long now = CpuClock.ProcessNs();
            if (now - previous < QuietNs) break;
            previous = now;
        }
        return previous - processNs;
    }

    private static void LogSerilog(Serilog.Core.Logger logger, PeerWorkload workload, int first, int count)
    {
        if (workload == PeerWorkload.Template3)
        {
            for (int i = 0; i < count; i++) logger.Information(PeerEvents.Template, first + i, PeerEvents.Ip, PeerEvents.Elapsed);
        }
        else
        {
            for (int i = 0; i < count; i++) logger.Error(PeerEvents.SampleException, PeerEvents.OrderTemplate, PeerEvents.SampleOrder, first + i);
        }
    }

    private static void LogNLog(NLog.Logger logger, PeerWorkload workload, int first, int count)
    {
        if (workload == PeerWorkload.Template3)
        {
            for (int i = 0; i < count; i++) logger.Info(PeerEvents.Template, first + i, PeerEvents.Ip, PeerEvents.Elapsed);
        }
        else
        {
            for (int i = 0; i < count; i++) logger.Error(PeerEvents.SampleException, PeerEvents.OrderTemplate, PeerEvents.SampleOrder, first + i);
        }
    }

    /// <summary>Serilog's own cost, nothing more: the baseline.</summary>
    private sealed class EmptySink : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
        }
    }
}
