using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;

namespace Sinks.Mmap.Torture;

/// <summary>What a child is told to do; the same record turns into its command line and back.</summary>
internal sealed record ChildOptions(string Role, string Folder, string AckPath)
{
    public int Threads { get; init; } = 2;
    public int Round { get; init; }
    public long SegmentBytes { get; init; } = 1024 * 1024;
    public int? RetainedFiles { get; init; }
    /// <summary>Every n-th event of thread 0 is logged at Error with flush-to-disk on Error (0: never).</summary>
    public int FlushEvery { get; init; }
    /// <summary>Sleep this long after each event (0: log flat out).</summary>
    public int PaceMilliseconds { get; init; }
    /// <summary>SIGKILL itself this many microseconds after it starts opening the logger (start-up recovery runs then).</summary>
    public long? KillAfterOpeningMicroseconds { get; init; }
    /// <summary>A safety net: a child whose parent failed before killing it exits by itself.</summary>
    public int MaxSeconds { get; init; } = 60;
    public int RetryMilliseconds { get; init; } = 100;

    public string[] ToArguments()
    {
        var args = new System.Collections.Generic.List<string>
        {
            "child", Role, Folder, AckPath,
            "--threads", Text(Threads), "--round", Text(Round), "--segment", Text(SegmentBytes),
            "--retain", RetainedFiles is { } r ? Text(r) : "none", "--flush-every", Text(FlushEvery),
            "--pace-ms", Text(PaceMilliseconds), "--max-seconds", Text(MaxSeconds), "--retry-ms", Text(RetryMilliseconds),
        };
        if (KillAfterOpeningMicroseconds is { } k)
        {
            args.Add("--kill-after-opening-us");
            args.Add(Text(k));
        }
        return args.ToArray();
    }

    public static ChildOptions Parse(string[] args)
    {
        var options = new CommandLine(args, firstOption: 4);
        return new ChildOptions(args[1], args[2], args[3])
        {
            Threads = options.Int("--threads", 2),
            Round = options.Int("--round", 0),
            SegmentBytes = options.Long("--segment", 1024 * 1024),
            RetainedFiles = options.Get("--retain") is null or "none" ? null : options.Int("--retain", 0),
            FlushEvery = options.Int("--flush-every", 0),
            PaceMilliseconds = options.Int("--pace-ms", 0),
            KillAfterOpeningMicroseconds = options.Get("--kill-after-opening-us") is null ? null : options.Long("--kill-after-opening-us", 0),
            MaxSeconds = options.Int("--max-seconds", 60),
            RetryMilliseconds = options.Int("--retry-ms", 100),
        };
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The process under test: N threads, each logging events numbered 1, 2, 3, … through the role's
/// logger and acknowledging each number in the ack file once the log call has returned. It runs
/// until it is killed (or kills itself during start-up, or exits after MaxSeconds).
/// </summary>
internal static class Child
{
    public static int Run(ChildOptions options)
    {
        if (options.Threads is < 1 or > AckFile.MaxThreads) throw new ArgumentException($"--threads must be 1 to {AckFile.MaxThreads}");
        Roles.ReportFaultsOnStderr();
        using var acks = new AckFile.Writer(options.AckPath);
        long opening = Stopwatch.GetTimestamp();
        acks.State(AckFile.Opening, opening);
        if (options.KillAfterOpeningMicroseconds is { } delay) StartSelfKill(opening, delay);
        ITortureLogger logger = Roles.Create(options.Role, new LoggerSettings(
            options.Folder, options.SegmentBytes, options.RetainedFiles, options.FlushEvery > 0, TimeSpan.FromMilliseconds(options.RetryMilliseconds)));
        acks.State(AckFile.Logging, Stopwatch.GetTimestamp());

        for (int t = 0; t < options.Threads; t++)
        {
            int thread = t;
            new Thread(() => LogForever(logger, acks, options, thread)) { IsBackground = true, Name = "torture-" + t }.Start();
        }
        Thread.Sleep(TimeSpan.FromSeconds(options.MaxSeconds));
        Console.Error.WriteLine($"child: not killed within {options.MaxSeconds} s; exiting");
        Environment.Exit(3);
        return 3;
    }

    private static void LogForever(ITortureLogger logger, AckFile.Writer acks, ChildOptions options, int thread)
    {
        int round = options.Round;
        int flushEvery = thread == 0 ? options.FlushEvery : 0;
        for (long counter = 1; ; counter++)
        {
            long start = Stopwatch.GetTimestamp();
            if (flushEvery > 0 && counter % flushEvery == 0)
            {
                logger.LogFlushed(round, thread, counter);
                acks.Flushed(counter);
            }
            else
            {
                logger.Log(round, thread, counter);
            }
            // Acknowledged only after the call returned: that is the promise under test.
            acks.Acknowledge(thread, counter);
            acks.Slowest((long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            if (options.PaceMilliseconds > 0) Thread.Sleep(options.PaceMilliseconds);
        }
    }

    /// <summary>A SIGKILL from within, timed to the microsecond: a parent's poll loop cannot aim that well at start-up.</summary>
    private static void StartSelfKill(long opening, long delayMicroseconds)
    {
        var killer = new Thread(() =>
        {
            while (Stopwatch.GetElapsedTime(opening).TotalMicroseconds < delayMicroseconds) Thread.SpinWait(20);
            Process.GetCurrentProcess().Kill();
        }) { IsBackground = true, Priority = ThreadPriority.Highest };
        killer.Start();
    }
}
