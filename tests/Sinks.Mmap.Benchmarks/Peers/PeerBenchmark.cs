using System;
using System.IO;
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

    private LoggingThreads? _threads;

    [Params(1, 2, 4)]
    public int Threads { get; set; }

    [ParamsAllValues]
    public PeerWorkload Workload { get; set; }

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
        _threads?.Dispose();
        _threads = null;
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
