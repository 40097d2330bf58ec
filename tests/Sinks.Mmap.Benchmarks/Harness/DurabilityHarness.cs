using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Serilog;
using Serilog.Core;
using Sinks.Mmap.Benchmarks.Peers;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// Durability cost: Serilog → Mmap throughput (1 thread, Template3 with 1 event in 100 at Error)
/// with the defaults (page cache only; flush-to-disk at Fatal, which this workload never logs),
/// with flushToDiskInterval 1 s and 100 ms (msync + fsync on the writer's maintainer thread), and
/// with flushToDiskLevel Error (msync + fsync on the logging thread for each Error event). The
/// configurations are interleaved, round after round (each round starting one further on), so a
/// change in machine load, or what the previous configuration left behind, hits all alike.
/// </summary>
internal static class DurabilityHarness
{
    private static readonly (string Name, TimeSpan? Interval, string Level)[] Configurations =
    {
        ("default (page cache; disk flush at Fatal only)", null, "Fatal"),
        ("flushToDiskInterval 1 s", TimeSpan.FromSeconds(1), "Fatal"),
        ("flushToDiskInterval 100 ms", TimeSpan.FromMilliseconds(100), "Fatal"),
        ("flushToDiskLevel Error (1 event in 100)", null, "Error"),
    };

    public static int Run(string[] args)
    {
        double seconds = HarnessCommand.Option(args, "seconds", 5);
        int rounds = (int)HarnessCommand.Option(args, "rounds", 3);
        Console.WriteLine($"// durability: 1 thread, {seconds} s per configuration per round, {rounds} rounds, interleaved, TMPDIR {Path.GetTempPath()}");
        var rates = new List<double>[Configurations.Length];
        for (int c = 0; c < rates.Length; c++) rates[c] = new List<double>();
        // One untimed pass first, so JIT tiering and the first page-cache growth do not land on whichever configuration runs first.
        Measure(null, "Fatal", Math.Min(seconds, 1));
        for (int round = 0; round < rounds; round++)
        {
            // Each round starts with the next configuration, so none always follows the same neighbour.
            for (int k = 0; k < Configurations.Length; k++)
            {
                int c = (round + k) % Configurations.Length;
                double rate = Measure(Configurations[c].Interval, Configurations[c].Level, seconds);
                rates[c].Add(rate);
                Console.WriteLine($"// round {round + 1}: {Configurations[c].Name}: {rate:N0} events/s");
            }
        }

        Console.WriteLine();
        Console.WriteLine("## Durability cost, Serilog → Mmap, 1 thread (Markdown, for docs/BENCHMARKS.md)");
        Console.WriteLine();
        Console.WriteLine("| Configuration | events/s (median) | events/s (best) | ns/event (median) | vs default |");
        Console.WriteLine("|---|--:|--:|--:|--:|");
        double baseline = HarnessCommand.Median(rates[0]);
        for (int c = 0; c < Configurations.Length; c++)
        {
            double median = HarnessCommand.Median(rates[c]);
            rates[c].Sort();
            Console.WriteLine($"| {Configurations[c].Name} | {median:N0} | {rates[c][^1]:N0} | {1e9 / median:N0} | {median / baseline:P0} |");
        }
        Console.WriteLine();
        return 0;
    }

    private static double Measure(TimeSpan? interval, string level, double seconds)
    {
        string folder = Path.Combine(Path.GetTempPath(), "sinks-mmap-bench", "durability-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            using Logger logger = new LoggerConfiguration()
                .WriteTo.Mmap(Path.Combine(folder, "app.mlog"), retainedFileCountLimit: 2, flushToDiskInterval: interval, flushToDiskLevel: level)
                .CreateLogger();
            // Warm-up, then log in batches of 1 000 until the time is up.
            Batch(logger, 0, 20_000);
            long limit = (long)(seconds * Stopwatch.Frequency);
            long start = Stopwatch.GetTimestamp();
            long events = 0;
            while (Stopwatch.GetTimestamp() - start < limit)
            {
                Batch(logger, (int)events, 1_000);
                events += 1_000;
            }
            double elapsed = (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency;
            return events / elapsed;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static void Batch(Logger logger, int first, int count)
    {
        for (int i = first; i < first + count; i++)
        {
            if (i % 100 == 99) logger.Error(PeerEvents.Template, i, PeerEvents.Ip, PeerEvents.Elapsed);
            else logger.Information(PeerEvents.Template, i, PeerEvents.Ip, PeerEvents.Elapsed);
        }
    }
}
