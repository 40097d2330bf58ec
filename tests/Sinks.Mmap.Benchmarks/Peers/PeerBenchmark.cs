using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace Sinks.Mmap.Benchmarks.Peers;

/// <summary>
/// What the Serilog and NLog comparisons share: the parameters (logging threads, workload), the
/// persistent logging threads and a temporary folder. Each invocation logs
/// <see cref="EventsPerInvocation"/> events in total, split evenly over the threads, so the Mean
/// (per event, OperationsPerInvoke) is wall time / all events: the inverse of total throughput.
/// Each benchmark method has its own [GlobalSetup], so a case's process holds only the logger it
/// measures (no other sink's background work runs beside it).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PeerConfig))]
public abstract class PeerBenchmark
{
    public const int EventsPerInvocation = 100_000;

    /// <summary>
    /// The page faults an Mmap case's logging threads may take per 1,000 events over the measured
    /// iterations. A segment page that is not resident when the logging thread reaches it costs that
    /// thread 1–13 µs; at 2 per 1,000 events that is at most ~26 ns an event. On the development
    /// machine (Linux 6.18 with DAMON's proactive pageout) the Mmap cases take 1.65–1.75 a thousand,
    /// the builds before and after the page window alike; a window that fell behind took 1.7–5.2 and
    /// failed here. A case over budget fails (its process throws at cleanup).
    /// </summary>
    public const double FaultBudgetPerThousandEvents = 2;

    private LoggingThreads? _threads;

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    [ParamsSource(nameof(Workloads))]
    public PeerWorkload Workload { get; set; }

    /// <summary>1, 2 and 4 threads; <c>PEER_THREADS=1,2</c> runs fewer (the child processes inherit it).</summary>
    public static IEnumerable<int> ThreadCounts() =>
        Environment.GetEnvironmentVariable("PEER_THREADS") is { Length: > 0 } list
            ? list.Split(',').Select(int.Parse)
            : new[] { 1, 2, 4 };

    /// <summary>Both workloads; <c>PEER_WORKLOAD=Template3</c> runs one.</summary>
    public static IEnumerable<PeerWorkload> Workloads() =>
        Environment.GetEnvironmentVariable("PEER_WORKLOAD") is { Length: > 0 } list
            ? list.Split(',').Select(Enum.Parse<PeerWorkload>)
            : Enum.GetValues<PeerWorkload>();

    /// <summary>Set by a case that is held to <see cref="FaultBudgetPerThousandEvents"/> (the Mmap cases).</summary>
    protected bool HasFaultBudget { get; set; }

    /// <summary>Where this case's logs go (deleted at cleanup).</summary>
    protected string Folder { get; private set; } = "";

    protected int EventsPerThread => EventsPerInvocation / Threads;

    /// <summary>Starts the persistent logging threads; call at the end of each [GlobalSetup], once the logger exists.</summary>
    protected void StartThreads()
    {
        _threads = new LoggingThreads(Threads, LogPart);
    }

    /// <summary>Creates this case's folder under <c>$TMPDIR/sinks-mmap-bench</c>.</summary>
    protected void CreateFolder(string name)
    {
        Folder = Path.Combine(Path.GetTempPath(), "sinks-mmap-bench", name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    /// <summary>One invocation: all threads log their share concurrently; returns when all are done.</summary>
    protected void RunThreads() => _threads!.Run();

    /// <summary>Logs <see cref="EventsPerThread"/> events of <see cref="Workload"/> as thread <paramref name="part"/>.</summary>
    protected abstract void LogPart(int part);

    /// <summary>Stops the logging threads and deletes the folder; call from [GlobalCleanup] after the logger is closed.</summary>
    protected void StopThreads()
    {
        double? faultsPerThousand = MeasuredFaultsPerThousandEvents();
        if (faultsPerThousand is { } measured)
        {
            Console.WriteLine($"// page faults on the logging threads: {measured:0.###} per 1,000 events over the last {PeerConfig.MeasuredIterations} invocations" +
                (HasFaultBudget ? $" (budget {FaultBudgetPerThousandEvents})" : ""));
        }
        _threads?.Dispose();
        _threads = null;
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        if (HasFaultBudget && faultsPerThousand > FaultBudgetPerThousandEvents)
        {
            throw new InvalidOperationException(
                $"the logging threads took {faultsPerThousand:0.###} page faults per 1,000 events, over the budget of {FaultBudgetPerThousandEvents}: pages first touched by the logging threads, the writer's (the maintainer fell behind) or the runtime's (fresh GC memory, cleared by memset); `perf record -e page-faults -g` on this case tells which");
        }
    }

    /// <summary>Faults per 1,000 events over the measured iterations (the last invocations); null when there were none.</summary>
    private double? MeasuredFaultsPerThousandEvents()
    {
        if (_threads is null) return null;
        var faults = _threads.InvocationFaults;
        int take = Math.Min(PeerConfig.MeasuredIterations, faults.Count);
        if (take == 0) return null;
        long total = 0;
        for (int i = faults.Count - take; i < faults.Count; i++)
        {
            total += faults[i];
        }
        return total * 1000.0 / ((double)take * EventsPerThread * Threads);
    }
}
