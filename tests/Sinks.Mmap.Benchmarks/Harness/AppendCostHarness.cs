using System;
using System.Threading;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using Sinks.Mmap.Benchmarks.Peers;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// What an append costs next to its floor, told apart by thread: a burst of events appended flat out
/// from one thread, and a burst copying the same record's bytes into memory already faulted in and
/// taking their CRC32C (<see cref="AppendBenchmarks.CopyAndCrc"/>), interleaved round after round.
/// Prints, per event, the logging thread's CPU time and wall time, the CPU time of the writer's other
/// threads (the maintainer preparing pages and segments), and the logging thread's page faults; and,
/// per round, what the kernel takes to prepare a fresh segment's pages (create, fallocate, map, fault
/// in every page), the cost the maintainer pays for every page the log fills.
/// </summary>
/// <remarks>
/// A writer appending flat out is bounded by whichever is slower: its own CPU work, or the kernel
/// preparing pages on the maintainer. BenchmarkDotNet's <see cref="AppendBenchmarks"/> times the
/// wall clock, which is the slower of the two; this splits them, so that the writer's own cost is
/// compared with its floor, and the page preparation with what the kernel can do.
/// </remarks>
internal static unsafe class AppendCostHarness
{
    private const int CopyArea = 64 << 20;

    public static int Run(string[] args)
    {
        int events = (int)HarnessCommand.Option(args, "events", 4_000_000);
        int rounds = (int)HarnessCommand.Option(args, "rounds", 6);
        long segment = (long)HarnessCommand.Option(args, "segment-mib", 64) << 20;
        // --threads 2: the appends come from two threads at once (the claim word and the records' cache lines shared); copy+CRC stays on one.
        int threads = (int)HarnessCommand.Option(args, "threads", 1);
        Console.WriteLine($"// append-cost: {events:N0} events a burst, {segment >> 20} MiB segments, {rounds} rounds of append / copy+CRC (order alternating), appending threads {threads}, {Environment.ProcessorCount} cores, load {HarnessCommand.Load()}");
        Console.WriteLine();
        Console.WriteLine("| round | case | thread CPU ns/event | wall ns/event | other threads' CPU ns/event | page faults / 1,000 events | preparing a segment: µs / 4 KiB page |");
        Console.WriteLine("|--:|---|--:|--:|--:|--:|--:|");
        byte* area = (byte*)NativeMemory.AllocZeroed(CopyArea);
        try
        {
            for (int i = 0; i < CopyArea; i += 4096) area[i] = 1;
            int recordLength = RecordLength(segment);
            byte[] record = new byte[recordLength];
            new Random(1).NextBytes(record);
            // Not counted: the JIT's tiers, the page cache and the file system settle.
            Append(Math.Min(events, 1_000_000), segment, threads);
            CopyAndCrc(Math.Min(events, 1_000_000), record, area);
            var appendCpu = new List<double>();
            var copyCpu = new List<double>();
            var appendWall = new List<double>();
            var copyWall = new List<double>();
            var pagePrep = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                double prep = PreparePerPageMicroseconds(segment);
                pagePrep.Add(prep);
                foreach (bool append in round % 2 == 0 ? new[] { true, false } : new[] { false, true })
                {
                    Burst b = append ? Append(events, segment, threads) : CopyAndCrc(events, record, area);
                    (append ? appendCpu : copyCpu).Add(b.ThreadCpuNs);
                    (append ? appendWall : copyWall).Add(b.WallNs);
                    Console.WriteLine($"| {round + 1} | {(append ? "Append" : "copy+CRC")} | {b.ThreadCpuNs:F1} | {b.WallNs:F1} | {b.OtherCpuNs:F1} | {b.FaultsPer1000:F3} | {(append ? prep.ToString("F2") : "")} |");
                }
            }
            Console.WriteLine();
            Console.WriteLine($"record: {recordLength} bytes (frame included)");
            Console.WriteLine($"thread CPU, Append / copy+CRC: median {HarnessCommand.Median(appendCpu) / HarnessCommand.Median(copyCpu):F2}x (rounds {Spread(appendCpu, copyCpu)}); Append {HarnessCommand.Median(appendCpu):F1} ns, copy+CRC {HarnessCommand.Median(copyCpu):F1} ns");
            Console.WriteLine($"wall, Append / copy+CRC: median {HarnessCommand.Median(appendWall) / HarnessCommand.Median(copyWall):F2}x (rounds {Spread(appendWall, copyWall)})");
            double prepMedian = HarnessCommand.Median(pagePrep);
            Console.WriteLine($"preparing a segment: median {prepMedian:F2} µs a 4 KiB page, {prepMedian * 1000 * recordLength / 4096:F1} ns an event of {recordLength} bytes");
        }
        finally
        {
            NativeMemory.Free(area);
        }
        return 0;
    }

    private readonly record struct Burst(double ThreadCpuNs, double WallNs, double OtherCpuNs, double FaultsPer1000);

    /// <summary>Appends <paramref name="events"/> split over <paramref name="threads"/> threads at once; CPU is the appending threads' sum, per event.</summary>
    private static Burst Append(int events, long segmentBytes, int threads)
    {
        using var folder = new TempDirectory("append-cost");
        using var writer = new MmapLogWriter(Options(folder, segmentBytes));
        long ticks = DateTime.UtcNow.Ticks;
        var warm = new ThreePropertyEvent("Processed {Number} items for {Text} in {Elapsed} ms", 0, "customer-1234", 12.5);
        for (int i = 0; i < 20_000; i++) writer.Append(ticks, MmapLevel.Information, ref warm);
        int perThread = events / threads;
        long threadCpu = 0;
        long threadFaults = 0;
        using var go = new ManualResetEventSlim(false);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                using var mine = new ThreadFaults();
                var e = new ThreePropertyEvent("Processed {Number} items for {Text} in {Elapsed} ms", 0, "customer-1234", 12.5);
                go.Wait();
                long faults0 = mine.Read();
                long cpu0 = CpuClock.ThreadNs();
                for (int i = 0; i < perThread; i++)
                {
                    e.Number = i;
                    writer.Append(ticks, MmapLevel.Information, ref e);
                }
                Interlocked.Add(ref threadCpu, CpuClock.ThreadNs() - cpu0);
                Interlocked.Add(ref threadFaults, mine.Read() - faults0);
            }) { Name = "append-cost " + t };
            workers[t].Start();
        }
        Thread.Sleep(20);
        long process0 = CpuClock.ProcessNs();
        long wall0 = Stopwatch.GetTimestamp();
        go.Set();
        foreach (Thread worker in workers) worker.Join();
        double wallNs = Stopwatch.GetElapsedTime(wall0).TotalMilliseconds * 1e6;
        long process = CpuClock.ProcessNs() - process0;
        int appended = perThread * threads;
        if (writer.DroppedEvents != 0) throw new InvalidOperationException($"the writer dropped {writer.DroppedEvents} events");
        return new Burst(threadCpu / (double)appended, wallNs / appended, (process - threadCpu) / (double)appended, threadFaults * 1000.0 / appended);
    }

    private static Burst CopyAndCrc(int events, byte[] record, byte* area)
    {
        using var faults = new ThreadFaults();
        long faults0 = faults.Read();
        long process0 = CpuClock.ProcessNs();
        long cpu0 = CpuClock.ThreadNs();
        long wall0 = Stopwatch.GetTimestamp();
        int at = 0;
        uint sum = 0;
        for (int i = 0; i < events; i++)
        {
            byte* target = area + at;
            at = at + record.Length > CopyArea - record.Length ? 0 : at + record.Length;
            record.CopyTo(new Span<byte>(target, record.Length));
            sum += Format.Crc32C.Compute(new ReadOnlySpan<byte>(target + 4, record.Length - 4));
        }
        double wallNs = Stopwatch.GetElapsedTime(wall0).TotalMilliseconds * 1e6;
        long cpu = CpuClock.ThreadNs() - cpu0;
        long process = CpuClock.ProcessNs() - process0;
        GC.KeepAlive(sum);
        return new Burst(cpu / (double)events, wallNs / events, (process - cpu) / (double)events, (faults.Read() - faults0) * 1000.0 / events);
    }

    /// <summary>How long the writer's own preparation of a fresh segment takes, per 4 KiB page: on this thread, once.</summary>
    private static double PreparePerPageMicroseconds(long segmentBytes)
    {
        using var folder = new TempDirectory("append-cost-prepare");
        var preparer = new SegmentPreparer(Options(folder, segmentBytes), _ => { });
        long start = Stopwatch.GetTimestamp();
        SegmentStorage storage = preparer.Prepare(new SegmentNaming(Path.Combine(folder.Path, "app.mlog")), 1);
        double micros = Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000;
        storage.DeleteIfStillNamed();
        return micros / (segmentBytes / 4096);
    }

    /// <summary>The length, frame included, of the record one more Append of the harness's event writes.</summary>
    private static int RecordLength(long segmentBytes)
    {
        using var folder = new TempDirectory("append-cost-length");
        using var writer = new MmapLogWriter(Options(folder, segmentBytes));
        var e = new ThreePropertyEvent("Processed {Number} items for {Text} in {Elapsed} ms", 42, "customer-1234", 12.5);
        long ticks = DateTime.UtcNow.Ticks;
        ActiveSegment current = writer.Rotation.Current!;
        writer.Append(ticks, MmapLevel.Information, ref e);
        int before = current.ClaimedEnd;
        writer.Append(ticks, MmapLevel.Information, ref e);
        return current.ClaimedEnd - before;
    }

    private static MmapLogOptions Options(TempDirectory folder, long segmentBytes) => new()
    {
        Path = Path.Combine(folder.Path, "app.mlog"),
        SegmentSizeBytes = segmentBytes,
        // The segment being written, the prepared one, one sealed: the page cache stays small.
        RetainedFileCountLimit = 2,
        FlushToDiskLevel = null,
    };

    private static string Spread(List<double> a, List<double> b)
    {
        double min = double.MaxValue, max = 0;
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            double r = a[i] / b[i];
            min = Math.Min(min, r);
            max = Math.Max(max, r);
        }
        return $"{min:F2}–{max:F2}x";
    }
}
