using System;
using System.IO;
using System.Threading;
using BenchmarkDotNet.Attributes;
using Serilog;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Sinks.Async;

namespace Sinks.Mmap.Benchmarks.Peers;

/// <summary>
/// Issue 7's Serilog comparison: Serilog → Mmap against Serilog with an empty sink (the baseline:
/// Serilog's own cost), File with its defaults (a flush to the OS per event), File(buffered: true)
/// and Async(File). File size limits are off: File's default 1 GB limit would silently stop
/// writing part-way through a run. Async blocks when full (its default drops events, which would
/// measure nothing), and every invocation waits until its queue is empty, so Async's number is
/// sustained throughput, not the cost of an enqueue.
/// </summary>
public class SerilogPeerBenchmarks : PeerBenchmark
{
    private Logger _logger = null!;
    private IAsyncLogEventSinkInspector? _asyncQueue;
    private int _selfLogLines;
    private string? _firstSelfLog;

    [GlobalSetup(Target = nameof(EmptySink))]
    public void SetupEmptySink() => Start("serilog-empty", c => c.WriteTo.Sink(new NullSink()));

    [GlobalSetup(Target = nameof(Mmap))]
    public void SetupMmap()
    {
        HasFaultBudget = true;
        // Default 64 MiB segments (so rotations happen during the run); keep 2 to bound disk and page cache.
        Start("serilog-mmap", c => c.WriteTo.Mmap(Path.Combine(Folder, "app.mlog"), retainedFileCountLimit: 2));
    }

    [GlobalSetup(Target = nameof(FileDefault))]
    public void SetupFileDefault() => Start("serilog-file", c => c.WriteTo.File(Path.Combine(Folder, "app.log"), fileSizeLimitBytes: null));

    [GlobalSetup(Target = nameof(FileBuffered))]
    public void SetupFileBuffered() => Start("serilog-filebuf", c => c.WriteTo.File(Path.Combine(Folder, "app.log"), fileSizeLimitBytes: null, buffered: true));

    [GlobalSetup(Target = nameof(AsyncFile))]
    public void SetupAsyncFile()
    {
        var monitor = new QueueMonitor(this);
        Start("serilog-async", c => c.WriteTo.Async(a => a.File(Path.Combine(Folder, "app.log"), fileSizeLimitBytes: null), blockWhenFull: true, monitor: monitor));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _logger.Dispose();
        StopThreads();
        SelfLog.Disable();
        // A sink that dropped events or failed (reported through SelfLog) measured nothing useful.
        if (_selfLogLines > 0)
        {
            throw new InvalidOperationException($"{_selfLogLines} SelfLog message(s); the first: {_firstSelfLog}");
        }
        if (_asyncQueue is { DroppedMessagesCount: > 0 } queue)
        {
            throw new InvalidOperationException($"Async dropped {queue.DroppedMessagesCount} event(s)");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventsPerInvocation)]
    public void EmptySink() => RunThreads();

    [Benchmark(OperationsPerInvoke = EventsPerInvocation)]
    public void Mmap() => RunThreads();

    [Benchmark(OperationsPerInvoke = EventsPerInvocation)]
    public void FileDefault() => RunThreads();

    [Benchmark(OperationsPerInvoke = EventsPerInvocation)]
    public void FileBuffered() => RunThreads();

    [Benchmark(OperationsPerInvoke = EventsPerInvocation)]
    public void AsyncFile()
    {
        RunThreads();
        // Sustained throughput: the invocation ends when the background writer has taken everything.
        SpinWait spin = default;
        while (_asyncQueue!.Count > 0)
        {
            spin.SpinOnce(sleep1Threshold: 1);
        }
    }

    private void Start(string name, Action<LoggerConfiguration> configure)
    {
        CreateFolder(name);
        SelfLog.Enable(message =>
        {
            if (Interlocked.Increment(ref _selfLogLines) == 1)
            {
                _firstSelfLog = message;
            }
        });
        var configuration = new LoggerConfiguration().MinimumLevel.Verbose();
        configure(configuration);
        _logger = configuration.CreateLogger();
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
                logger.Information(PeerEvents.Template, first + i, PeerEvents.Ip, PeerEvents.Elapsed);
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

    private sealed class NullSink : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
        }
    }

    private sealed class QueueMonitor : IAsyncLogEventSinkMonitor
    {
        private readonly SerilogPeerBenchmarks _owner;

        public QueueMonitor(SerilogPeerBenchmarks owner) => _owner = owner;

        public void StartMonitoring(IAsyncLogEventSinkInspector inspector) => _owner._asyncQueue = inspector;

        public void StopMonitoring(IAsyncLogEventSinkInspector inspector)
        {
        }
    }
}
