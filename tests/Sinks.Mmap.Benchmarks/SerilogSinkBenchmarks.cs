using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Sinks.Mmap.Benchmarks;

/// <summary>
/// Issue 3's workload: one thread logs a template with three properties. The empty sink is the
/// baseline (Serilog's own cost), so the Ratio column reads directly as "fraction of the pipeline's
/// limit" (lower is faster; 1/Ratio is the throughput fraction).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SerilogSinkBenchmarks
{
    private const int Events = 100_000;
    private string _folder = "";
    private Logger _empty = null!;
    private Logger _mmap = null!;
    private Logger _fileBuffered = null!;
    private Logger _fileDefault = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "sinks-mmap-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _empty = new LoggerConfiguration().WriteTo.Sink(new NullSink()).CreateLogger();
        _mmap = new LoggerConfiguration().WriteTo.Mmap(Path.Combine(_folder, "app.mlog"), fileSizeLimitBytes: 256L << 20, retainedFileCountLimit: 3).CreateLogger();
        _fileBuffered = new LoggerConfiguration().WriteTo.File(Path.Combine(_folder, "buffered.txt"), buffered: true, fileSizeLimitBytes: null).CreateLogger();
        _fileDefault = new LoggerConfiguration().WriteTo.File(Path.Combine(_folder, "default.txt"), fileSizeLimitBytes: null).CreateLogger();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _empty.Dispose();
        _mmap.Dispose();
        _fileBuffered.Dispose();
        _fileDefault.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public void EmptySink() => Run(_empty);

    [Benchmark(OperationsPerInvoke = Events)]
    public void Mmap() => Run(_mmap);

    [Benchmark(OperationsPerInvoke = Events)]
    public void FileBuffered() => Run(_fileBuffered);

    [Benchmark(OperationsPerInvoke = Events)]
    public void FileDefault() => Run(_fileDefault);

    private static void Run(Logger logger)
    {
        for (int i = 0; i < Events; i++)
        {
            logger.Information("User {UserId} logged in from {Ip} after {Elapsed} ms", i, "10.0.0.1", 12.5);
        }
    }

    private sealed class NullSink : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
        }
    }
}
