using System.IO;
using BenchmarkDotNet.Attributes;
using NLog;
using NLog.Targets;
using NLog.Targets.Mmap;
using NLog.Targets.Wrappers;

namespace Sinks.Mmap.Benchmarks.Peers;

/// <summary>
/// Issue 7's NLog comparison: NLog → Mmap against NullTarget (the baseline: NLog's own cost),
/// FileTarget with AutoFlush (its default: a write per event), FileTarget without AutoFlush, and
/// AsyncWrapper over FileTarget (AutoFlush). The wrapper blocks when full (its default discards,
/// which would measure nothing) and each invocation ends with <c>LogFactory.Flush()</c>, so its
/// number is sustained throughput, not the cost of an enqueue.
/// </summary>
public class NLogPeerBenchmarks : PeerBenchmark
{
    private LogFactory _factory = null!;
    private Logger _logger = null!;
    private MmapTarget? _mmapTarget;

    [GlobalSetup(Target = nameof(NullTarget))]
    public void SetupNullTarget() => Start("nlog-null", _ => new NullTarget("null"));

    [GlobalSetup(Target = nameof(Mmap))]
    public void SetupMmap()
    {
        HasFaultBudget = true;
        // Default 64 MiB segments (so rotations happen during the run); keep 2 archives to bound disk and page cache.
        Start("nlog-mmap", folder => _mmapTarget = new MmapTarget("mmap") { FileName = Path.Combine(folder, "app.mlog"), MaxArchiveFiles = 2 });
    }

    [GlobalSetup(Target = nameof(FileAutoFlush))]
    public void SetupFileAutoFlush() => Start("nlog-file", folder => new FileTarget("file") { FileName = Path.Combine(folder, "app.log"), AutoFlush = true });

    [GlobalSetup(Target = nameof(FileNoAutoFlush))]
    public void SetupFileNoAutoFlush() => Start("nlog-filenf", folder => new FileTarget("file") { FileName = Path.Combine(folder, "app.log"), AutoFlush = false });

    [GlobalSetup(Target = nameof(AsyncFile))]
    public void SetupAsyncFile() => Start("nlog-async", folder => new AsyncTargetWrapper("async", new FileTarget("file") { FileName = Path.Combine(folder, "app.log"), AutoFlush = true })
    {
        OverflowAction = AsyncTargetWrapperOverflowAction.Block,
    });

    [GlobalCleanup]
    public void Cleanup()
    {
        long dropped = _mmapTarget?.DroppedEvents ?? 0;
        _factory.Shutdown();
        StopThreads();
        // A target that dropped events measured nothing useful (the other targets throw: ThrowExceptions).
        if (dropped > 0)
        {
            throw new System.InvalidOperationException($"the Mmap target dropped {dropped} event(s)");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventsPerInvocation)]
    public void NullTarget() => RunThreads();

    [Benchmark(OperationsPerInvoke = EventsPerInvocation)]
    public void Mmap() => RunThreads();

    [Benchmark(OperationsPerInvoke = EventsPerInvocation)]
    public void FileAutoFlush() => RunThreads();

    [Benchmark(OperationsPerInvoke = EventsPerInvocation)]
    public void FileNoAutoFlush() => RunThreads();

    [Benchmark(OperationsPerInvoke = EventsPerInvocation)]
    public void AsyncFile()
    {
        RunThreads();
        // Sustained throughput: the invocation ends when the wrapper has written everything.
        _factory.Flush();
    }

    private void Start(string name, System.Func<string, Target> target)
    {
        CreateFolder(name);
        _factory = new LogFactory { ThrowExceptions = true };
        Target created = target(Folder);
        _factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(created));
        _logger = _factory.GetLogger("Bench");
        StartThreads();
    }

    protected override void LogPart(int part)
    {
        Logger logger = _logger;
        int count = EventsPerThread;
        int first = part * count;
        if (Workload == PeerWorkload.Template3)
        {
            for (int i = 0; i < count; i++)
            {
                logger.Info(PeerEvents.Template, first + i, PeerEvents.Ip, PeerEvents.Elapsed);
            }
        }
        else
        {
            var exception = PeerEvents.SampleException;
            var order = PeerEvents.SampleOrder;
            for (int i = 0; i < count; i++)
            {
                logger.Error(exception, PeerEvents.OrderTemplate, order, first + i);
            }
        }
    }
}
