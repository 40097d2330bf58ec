using System;
using System.Globalization;
using System.IO;
using System.Threading;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Sinks.Mmap.Benchmarks;

/// <summary>
/// The job every benchmark here uses: one launch, 3 warmup and 5 measured iterations of ~0.5 s
/// each. A full run of all classes stays well under 10 minutes on 2 cores; pass <c>--job short</c>
/// (3 iterations) or <c>--job dry</c> for a smoke run.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(5)
            .WithId("Bench"));
        // The machine may be shared: Min and Median show the uncontended cost next to the Mean.
        AddColumn(StatisticColumn.Min, StatisticColumn.Median);
    }
}

/// <summary>
/// For <see cref="RawThroughputBenchmarks"/>: one invocation (a ~100 MB batch) per iteration, so an
/// untimed pause can come before each; 3 warmup and 10 measured iterations; plus an MB/s column.
/// </summary>
public sealed class RawThroughputConfig : ManualConfig
{
    public RawThroughputConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("Batch"));
        AddColumn(StatisticColumn.Min, StatisticColumn.Median);
        AddColumn(new ThroughputColumn(RawThroughputBenchmarks.PayloadBytes));
    }
}

/// <summary>MB/s = bytes per operation / mean time per operation (OperationsPerInvoke already applied).</summary>
public sealed class ThroughputColumn : IColumn
{
    private readonly int _bytesPerOperation;

    public ThroughputColumn(int bytesPerOperation) => _bytesPerOperation = bytesPerOperation;

    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"Payload throughput: {_bytesPerOperation} bytes per operation / mean time, in 10^6 bytes a second";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats || stats.Mean <= 0)
        {
            return "NA";
        }
        double bytesPerSecond = _bytesPerOperation / (stats.Mean * 1e-9);
        return (bytesPerSecond / 1e6).ToString("N0", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}

/// <summary>A temporary folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sinks-mmap-bench", prefix + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>
/// Runs the same body on the calling thread and on one persistent worker thread at once. The
/// worker is created once (no thread start per invocation, nothing allocated per run), both sides
/// start together (the caller waits until the worker is awake), and Run returns when both are done.
/// </summary>
public sealed class TwoThreads : IDisposable
{
    private readonly Action<int> _body;
    private readonly Thread _worker;
    private readonly ManualResetEventSlim _start = new(false);
    private readonly ManualResetEventSlim _done = new(false);
    private volatile int _awake;
    private volatile bool _stop;
    private Exception? _failure;

    /// <param name="body">Called with 0 on the caller's thread and 1 on the worker.</param>
    public TwoThreads(Action<int> body)
    {
        _body = body;
        _worker = new Thread(WorkerLoop) { IsBackground = true, Name = "bench worker" };
        _worker.Start();
    }

    public void Run()
    {
        _done.Reset();
        _start.Set();
        SpinWait spin = default;
        while (_awake == 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
        _awake = 0;
        _body(0);
        _done.Wait();
        if (_failure is { } failure)
        {
            throw new InvalidOperationException("the worker thread failed", failure);
        }
    }

    private void WorkerLoop()
    {
        while (true)
        {
            _start.Wait();
            _start.Reset();
            if (_stop)
            {
                return;
            }
            _awake = 1;
            try
            {
                _body(1);
            }
            catch (Exception ex)
            {
                _failure = ex;
            }
            _done.Set();
        }
    }

    public void Dispose()
    {
        _stop = true;
        _start.Set();
        _worker.Join();
        _start.Dispose();
        _done.Dispose();
    }
}

/// <summary>Opens a writer for a benchmark and reports, at the end, how often it rotated and whether it dropped anything.</summary>
public sealed class BenchLog : IDisposable
{
    private readonly TempDirectory _directory;
    private int _errors;
    private string? _firstError;

    public BenchLog(string name, long segmentBytes)
    {
        _directory = new TempDirectory(name);
        SegmentBytes = segmentBytes;
        Writer = new MmapLogWriter(new MmapLogOptions
        {
            Path = System.IO.Path.Combine(_directory.Path, "app.mlog"),
            SegmentSizeBytes = segmentBytes,
            // Keep the page cache small: the segment being written, the prepared one, one sealed.
            RetainedFileCountLimit = 2,
            FlushToDiskLevel = null,
            OnError = e =>
            {
                if (Interlocked.Increment(ref _errors) == 1)
                {
                    _firstError = e.ToString();
                }
            },
        });
        FirstSegment = SegmentNumber(Writer.CurrentSegmentPath);
    }

    public MmapLogWriter Writer { get; }
    public long SegmentBytes { get; }
    private long FirstSegment { get; }

    /// <summary>Records appended, counted by the benchmark (only for the report printed at the end).</summary>
    public long Appended;

    public void Dispose()
    {
        long rotations = SegmentNumber(Writer.CurrentSegmentPath) - FirstSegment;
        long dropped = Writer.DroppedEvents;
        Console.WriteLine($"// [{_directory.Path}] segment {SegmentBytes / (1024 * 1024)} MiB: {Appended:N0} records appended, {rotations} rotation(s)" +
            (rotations > 0 ? $", ~{Appended / rotations:N0} records a segment" : "") +
            $", {dropped} dropped, {_errors} error(s){(_firstError is null ? "" : ": " + _firstError)}");
        Writer.Dispose();
        _directory.Dispose();
        if (dropped > 0 || _errors > 0)
        {
            throw new InvalidOperationException($"the writer dropped {dropped} event(s) / reported {_errors} error(s): the numbers are not valid");
        }
    }

    private static long SegmentNumber(string? path)
    {
        if (path is null) return 0;
        string name = System.IO.Path.GetFileNameWithoutExtension(path);
        int dash = name.LastIndexOf('-');
        return long.Parse(name.AsSpan(dash + 1), CultureInfo.InvariantCulture);
    }
}
