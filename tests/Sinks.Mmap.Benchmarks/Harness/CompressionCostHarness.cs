using System;
using System.Collections.Generic;
using System.IO;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// What compressing sealed segments costs the logging thread: a burst of events logged flat out from
/// one thread into small segments (so many are sealed during the burst), with compression off and on,
/// interleaved round after round. Prints the logging thread's CPU time and wall time per event
/// (CLOCK_THREAD_CPUTIME_ID and a stopwatch around the burst), the medians and their ratio, and how
/// often compression waited for the writer (<c>CompressionPacer</c>).
/// </summary>
internal static class CompressionCostHarness
{
    public static int Run(string[] args)
    {
        int events = (int)HarnessCommand.Option(args, "events", 3_000_000);
        int rounds = (int)HarnessCommand.Option(args, "rounds", 6);
        long segment = (long)HarnessCommand.Option(args, "segment-mib", 16) << 20;
        Console.WriteLine($"// compression-cost: {events:N0} events a burst, {segment >> 20} MiB segments, {rounds} rounds of off/on (order alternating), {Environment.ProcessorCount} cores, load {HarnessCommand.Load()}");
        Console.WriteLine();
        Console.WriteLine("| round | compression | thread CPU ns/event | wall ns/event | compression waits | segments compressed during the burst |");
        Console.WriteLine("|--:|---|--:|--:|--:|--:|");
        // A first burst of each, not counted: the JIT's tiers, the page cache and the file system settle.
        Burst(events, segment, compress: false);
        Burst(events, segment, compress: true);
        var cpu = new Dictionary<bool, List<double>> { [false] = new(), [true] = new() };
        var wall = new Dictionary<bool, List<double>> { [false] = new(), [true] = new() };
        for (int round = 0; round < rounds; round++)
        {
            foreach (bool compress in round % 2 == 0 ? new[] { false, true } : new[] { true, false })
            {
                (double c, double w, long waits, int compressed) = Burst(events, segment, compress);
                cpu[compress].Add(c);
                wall[compress].Add(w);
                Console.WriteLine($"| {round + 1} | {(compress ? "on" : "off")} | {c:F0} | {w:F0} | {waits} | {compressed} |");
            }
        }
        Console.WriteLine();
        double cpuOff = HarnessCommand.Median(cpu[false]), cpuOn = HarnessCommand.Median(cpu[true]), wallOff = HarnessCommand.Median(wall[false]), wallOn = HarnessCommand.Median(wall[true]);
        Console.WriteLine($"median thread CPU: off {cpuOff:F0} ns/event, on {cpuOn:F0} ns/event, on/off {cpuOn / cpuOff:F2}x");
        Console.WriteLine($"median wall: off {wallOff:F0} ns/event, on {wallOn:F0} ns/event, on/off {wallOn / wallOff:F2}x");
        return 0;
    }

    private static (double CpuNs, double WallNs, long Waits, int Compressed) Burst(int events, long segmentBytes, bool compress)
    {
        string folder = Path.Combine(Path.GetTempPath(), "sinks-mmap-compression-cost", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var options = new MmapLogOptions { Path = Path.Combine(folder, "app.mlog"), SegmentSizeBytes = segmentBytes, CompressSealedSegments = compress, RetainedFileCountLimit = null };
            using var writer = new MmapLogWriter(options);
            var e = new ThreePropertyEvent("Processed {Number} items for {Text} in {Elapsed} ms", 0, "customer-1234", 12.5);
            long ticks = DateTime.UtcNow.Ticks;
            for (int i = 0; i < 20_000; i++) writer.Append(ticks, MmapLevel.Information, ref e);
            long cpu0 = CpuClock.ThreadNs();
            long wall0 = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < events; i++)
            {
                e.Number = i;
                writer.Append(ticks, MmapLevel.Information, ref e);
            }
            long cpu1 = CpuClock.ThreadNs();
            double wallNs = System.Diagnostics.Stopwatch.GetElapsedTime(wall0).TotalMilliseconds * 1e6;
            long waits = writer.Rotation.Lifecycle.CompressionWaits;
            int compressed = Directory.GetFiles(folder, "*.mlogz").Length;
            return ((cpu1 - cpu0) / (double)events, wallNs / events, waits, compressed);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
