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
    private ThreadFaults? _callerFaults;
    // Faults taken by all logging threads, one slot per invocation (most recent last).
    private readonly long[] _workerFaults;
    private readonly System.Collections.Generic.List<long> _invocationFaults = new(capacity: 64);

    /// <param name="threads">How many threads log (1 = only the caller).</param>
    /// <param name="body">Called with the thread's index: 0 on the caller, 1..N-1 on the workers.</param>
    public LoggingThreads(int threads, Action<int> body)
    {
        _body = body;
        _workers = new Thread[threads - 1];
        _start = new ManualResetEventSlim[threads - 1];
        _done = new CountdownEvent(Math.Max(1, threads - 1));
        _workerFaults = new long[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i;
            _start[i] = new ManualResetEventSlim(false);
            _workers[i] = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = "bench logger " + (i + 1) };
            _workers[i].Start();
        }
    }

    /// <summary>The page faults the logging threads took in each invocation so far, oldest first.</summary>
    public System.Collections.Generic.IReadOnlyList<long> InvocationFaults => _invocationFaults;

    public void Run()
    {
        // BenchmarkDotNet invokes on one thread: its counter is opened there, once.
        _callerFaults ??= new ThreadFaults();
        long before = _callerFaults.Read();
        if (_workers.Length == 0)
        {
            _body(0);
            _invocationFaults.Add(_callerFaults.Read() - before);
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
        long faults = _callerFaults.Read() - before;
        _done.Wait();
        for (int i = 0; i < _workerFaults.Length; i++)
        {
            faults += Volatile.Read(ref _workerFaults[i]);
        }
        _invocationFaults.Add(faults);
        if (_failure is { } failure)
        {
            throw new InvalidOperationException("a logging thread failed", failure);
        }
    }

    private void WorkerLoop(int index)
    {
        using var faults = new ThreadFaults();
        while (true)
        {
            _start[index].Wait();
            _start[index].Reset();
            if (_stop)
            {
                return;
            }
            Interlocked.Increment(ref _awake);
            long before = faults.Read();
            try
            {
                _body(index + 1);
            }
            catch (Exception ex)
            {
                _failure = ex;
            }
            Volatile.Write(ref _workerFaults[index], faults.Read() - before);
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
        _callerFaults?.Dispose();
    }
}
