using System;
using System.IO;
using System.Threading;
using Microsoft.Extensions.Logging;
using ZLogger;

namespace Sinks.Mmap.Benchmarks.Peers;

/// <summary>
/// ZLogger 2.6.2's file provider (Microsoft.Extensions.Logging), the same two workloads. ZLogger
/// formats on the logging thread into a buffer and writes it to the file on a background task, so
/// an event is lost if the process is killed before that task ran. Each invocation ends when every
/// event's bytes are in the file (its queue is drained): its number is sustained throughput, not
/// the price of an enqueue. Its line length is measured once per workload (a probe logger, disposed
/// so that it is flushed), and only the user id's digits vary between lines.
/// </summary>
public class ZLoggerPeerBenchmarks : PeerBenchmark
{
    private ILoggerFactory _factory = null!;
    private ILogger _logger = null!;
    private string _file = "";
    private long _expectedBytes;
    private long _lineBytesForIdZero;

    [BenchmarkDotNet.Attributes.GlobalSetup(Target = nameof(ZLoggerFile))]
    public void SetupZLoggerFile()
    {
        CreateFolder("zlogger");
        _lineBytesForIdZero = ProbeLineBytes();
        _file = Path.Combine(Folder, "app.log");
        (_factory, _logger) = Create(_file);
        StartThreads();
    }

    [BenchmarkDotNet.Attributes.GlobalCleanup]
    public void Cleanup()
    {
        _factory.Dispose();
        StopThreads();
    }

    [BenchmarkDotNet.Attributes.Benchmark(Baseline = true, OperationsPerInvoke = EventsPerInvocation)]
    public void ZLoggerFile()
    {
        RunThreads();
        // Every invocation logs the same ids (0 .. EventsPerInvocation-1): the same bytes each time.
        _expectedBytes += BytesOf(EventsPerInvocation);
        SpinWait spin = default;
        while (new FileInfo(_file).Length < _expectedBytes)
        {
            spin.SpinOnce(sleep1Threshold: 1);
        }
    }

    protected override void LogPart(int part)
    {
        ILogger logger = _logger;
        int count = EventsPerThread;
        int first = part * count;
        if (Workload == PeerWorkload.Template3)
        {
            string ip = PeerEvents.Ip;
            double elapsed = PeerEvents.Elapsed;
            for (int i = 0; i < count; i++)
            {
                int userId = first + i;
                logger.ZLogInformation($"User {userId} logged in from {ip} after {elapsed} ms");
            }
        }
        else
        {
            Exception exception = PeerEvents.SampleException;
            Order order = PeerEvents.SampleOrder;
            for (int i = 0; i < count; i++)
            {
                int userId = first + i;
                logger.ZLogError(exception, $"Order {order:json} failed for user {userId}");
            }
        }
    }

    private static (ILoggerFactory, ILogger) Create(string path)
    {
        ILoggerFactory factory = LoggerFactory.Create(builder =>
        {
            builder.ClearProviders();
            builder.SetMinimumLevel(LogLevel.Trace);
            builder.AddZLoggerFile(path, options => options.UsePlainTextFormatter());
        });
        return (factory, factory.CreateLogger("Bench"));
    }

    /// <summary>The bytes of the line for user id 0, from a probe logger that is disposed (flushed) before its file is read.</summary>
    private long ProbeLineBytes()
    {
        string probe = Path.Combine(Folder, "probe.log");
        (ILoggerFactory factory, ILogger logger) = Create(probe);
        int userId = 0;
        if (Workload == PeerWorkload.Template3)
        {
            logger.ZLogInformation($"User {userId} logged in from {PeerEvents.Ip} after {PeerEvents.Elapsed} ms");
        }
        else
        {
            Order order = PeerEvents.SampleOrder;
            logger.ZLogError(PeerEvents.SampleException, $"Order {order:json} failed for user {userId}");
        }
        factory.Dispose();
        long length = new FileInfo(probe).Length;
        File.Delete(probe);
        return length;
    }

    /// <summary>The bytes of the lines for ids 0 .. count-1: each is the id-0 line plus its extra digits.</summary>
    private long BytesOf(int count)
    {
        long total = 0;
        for (long digits = 1, from = 0, to = 10; from < count; digits++, from = to, to *= 10)
        {
            long n = Math.Min(count, to) - from;
            total += n * (_lineBytesForIdZero + digits - 1);
        }
        return total;
    }
}
