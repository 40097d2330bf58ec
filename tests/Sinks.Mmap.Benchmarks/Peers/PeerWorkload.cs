using System;
using System.Threading;

namespace Sinks.Mmap.Benchmarks.Peers;

/// <summary>The two workloads of issue 7, the same for Serilog and NLog.</summary>
public enum PeerWorkload
{
    /// <summary><c>Information("User {UserId} logged in from {Ip} after {Elapsed} ms", int, string, double)</c>.</summary>
    Template3,

    /// <summary><c>Error(exception, "Order {@Order} failed for user {UserId}", order, int)</c>: a thrown exception with a stack trace and a destructured object holding a nested object.</summary>
    ExceptionObject,
}

/// <summary>The values the workloads log; built once so that the benchmark measures logging, not building them.</summary>
public static class PeerEvents
{
    public const string Template = "User {UserId} logged in from {Ip} after {Elapsed} ms";
    public const string OrderTemplate = "Order {@Order} failed for user {UserId}";
    public const string Ip = "10.0.0.1";
    public const double Elapsed = 12.5;

    /// <summary>An order with a nested customer: what <c>{@Order}</c> destructures.</summary>
    public static readonly Order SampleOrder = new()
    {
        Id = 1234,
        Total = 99.95,
        Currency = "EUR",
        Customer = new Customer { Name = "Ada Lovelace", Tier = 3 },
    };

    /// <summary>Thrown once (so it has a real stack trace) and logged again and again.</summary>
    public static readonly Exception SampleException = Thrown();

    private static Exception Thrown()
    {
        try
        {
            throw new InvalidOperationException("Payment gateway timed out", new TimeoutException("no answer within 30 s"));
        }
        catch (InvalidOperationException ex)
        {
            return ex;
        }
    }
}

/// <summary>The destructured object of <see cref="PeerWorkload.ExceptionObject"/>.</summary>
public sealed class Order
{
    public int Id { get; init; }
    public double Total { get; init; }
    public string Currency { get; init; } = "";
    public Customer Customer { get; init; } = new();
}

/// <summary>The nested object inside <see cref="Order"/>.</summary>
public sealed class Customer
{
    public string Name { get; init; } = "";
    public int Tier { get; init; }
}

/// <summary>
/// Runs the same body on N threads at once: the calling thread and N-1 persistent workers (created
/// once, woken per invocation; all start together), so an invocation measures the total throughput
/// of N threads logging concurrently, not thread start-up.
/// </summary>
public sealed class LoggingThreads : IDisposable
{
    private readonly Action<int> _body;
    private readonly Thread[] _workers;
    private readonly ManualResetEventSlim[] _start;
    private readonly CountdownEvent _done;
    private int _awake;
    private volatile bool _stop;
    private Exception? _failure;

    /// <param name="threads">How many threads log (1 = only the caller).</param>
    /// <param name="body">Called with the thread's index: 0 on the caller, 1..N-1 on the workers.</param>
    public LoggingThreads(int threads, Action<int> body)
    {
        _body = body;
        _workers = new Thread[threads - 1];
        _start = new ManualResetEventSlim[threads - 1];
        _done = new CountdownEvent(Math.Max(1, threads - 1));
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i;
            _start[i] = new ManualResetEventSlim(false);
            _workers[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = "bench logger " + (i + 1) };
            _workers[i].Start();
        }
    }

    public void Run()
    {
        if (_workers.Length == 0)
        {
            _body(0);
            return;
        }
        _done.Reset(_workers.Length);
        Volatile.Write(ref _awake, 0);
        for (int i = 0; i < _start.Length; i++)
        {
            _start[i].Set();
        }
        // Start together: the caller begins once every worker is running.
        SpinWait spin = default;
        while (Volatile.Read(ref _awake) < _workers.Length)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
        _body(0);
        _done.Wait();
        if (_failure is { } failure)
        {
            throw new InvalidOperationException("a logging thread failed", failure);
        }
    }

    private void WorkerLoop(int index)
    {
        while (true)
        {
            _start[index].Wait();
            _start[index].Reset();
            if (_stop)
            {
                return;
            }
            Interlocked.Increment(ref _awake);
            try
            {
                _body(index + 1);
            }
            catch (Exception ex)
            {
                _failure = ex;
            }
            _done.Signal();
        }
    }

    public void Dispose()
    {
        _stop = true;
        for (int i = 0; i < _workers.Length; i++)
        {
            _start[i].Set();
            _workers[i].Join();
            _start[i].Dispose();
        }
        _done.Dispose();
    }
}
