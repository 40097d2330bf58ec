using System;
using System.Collections.Generic;
using System.IO;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Mmap.Sinks;
using Serilog.Sinks.Mmap.Translation;
using Sinks.Mmap.Benchmarks.Peers;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// Where an adapter's event goes, piece by piece, on one thread and in one process: Serilog's
/// <c>Template3</c> event encoded into the scratch buffer (the adapter's payload and the core's
/// encoder, nothing else), the core's own three-property payload encoded the same way, the same
/// body's bytes written by hand with every id known (the floor: no bookkeeping, no checks), and the
/// Serilog sink's whole <c>Emit</c> (encode, claim, copy, CRC, publish) for the same event.
/// Interleaved rounds; prints the logging thread's CPU ns per event for each: median, min and max.
/// </summary>
internal static class EncodeCostHarness
{
    public static int Run(string[] args)
    {
        int events = (int)HarnessCommand.Option(args, "events", 5_000_000);
        int rounds = (int)HarnessCommand.Option(args, "rounds", 6);
        using var folder = new TempDirectory("encode-cost");
        LogEvent logEvent = CaptureTemplate3();

        string path = Path.Combine(folder.Path, "e-000001.mlog");
        const long size = 1024 * 1024;
        using var storage = new MappedSegmentStorage(path, SegmentFiles.CreatePreallocated(path, size), size);
        var segment = new ActiveSegment(storage, 1, 1, DateTime.UtcNow.Ticks, long.MaxValue);
        byte[] buffer = new byte[8192];
        var recent = new RecentStringRefs();
        int[] levels = new int[EventWriter.LevelStackSize];
        var core = new ThreePropertyEvent(PeerEvents.Template, 42, PeerEvents.Ip, PeerEvents.Elapsed);
        using var sink = new MmapSink(new MmapLogOptions { Path = Path.Combine(folder.Path, "sink", "app.mlog"), RetainedFileCountLimit = 2 }, audit: false);

        // n events into the scratch buffer, as the writer's single pass does with the thread's remembered ids.
        long Encode<TPayload>(TPayload payload, int n) where TPayload : struct, IEventPayload
        {
            long total = 0;
            for (int i = 0; i < n; i++)
            {
                recent.BindTo(segment);
                var writer = EventWriter.ForScratch(segment, buffer, recent, levels);
                payload.Write(ref writer);
                total += writer.Position;
            }
            return total;
        }

        // NLog's same event as the target builds it: header with the logger's name, the cached template, the boxed parameters.
        NLog.Targets.Mmap.Translation.TemplateInfo nlogTemplate = NLog.Targets.Mmap.Translation.MessageTemplateCache.Get(PeerEvents.Template);
        object?[] nlogParameters = { 1234567, PeerEvents.Ip, PeerEvents.Elapsed };
        var nlogPayload = new NLog.Targets.Mmap.Translation.NLogEventPayload
        {
            Header = new EventHeader { MessageTemplate = PeerEvents.Template, LoggerName = "Bench", PropertyCount = 3, RenderedMessageIsPlain = true },
            Template = nlogTemplate,
            Parameters = nlogParameters,
        };
        var cases = new (string Name, Func<int, long> Run)[]
        {
            ("Serilog payload → scratch", n => Encode(new SerilogPayload(logEvent), n)),
            ("NLog payload → scratch", n => Encode(nlogPayload, n)),
            ("core payload → scratch", n => Encode(core, n)),
            ("hand-written bytes (floor)", n =>
            {
                long total = 0;
                for (int i = 0; i < n; i++) total += HandWritten(buffer, 42 + i, PeerEvents.Ip, PeerEvents.Elapsed);
                return total;
            }),
            ("Serilog sink Emit", n =>
            {
                for (int i = 0; i < n; i++) sink.Emit(logEvent);
                return n;
            }),
        };
        // --emit-threads N: only the sink's Emit, from N threads at once (the core's shared state under contention).
        int emitThreads = (int)HarnessCommand.Option(args, "emit-threads", 0);
        if (emitThreads > 0)
        {
            EmitFromThreads(sink, logEvent, emitThreads, events, rounds);
            return 0;
        }
        // --only N: just the N-th case (from 1), for a profiler.
        int only = (int)HarnessCommand.Option(args, "only", 0);
        if (only > 0) cases = new[] { cases[only - 1] };
        Console.WriteLine($"// encode-cost: {events:N0} events a burst, {rounds} rounds, {Environment.ProcessorCount} cores, load {HarnessCommand.Load()}");
        // Not counted: each case runs in chunks, called often enough for the JIT's tiers (not one long loop left to on-stack replacement).
        const int chunk = 10_000;
        for (int warm = 0; warm < 3; warm++)
        {
            foreach (var c in cases) for (int i = 0; i < 100; i++) c.Run(chunk);
            System.Threading.Thread.Sleep(300);
        }
        var results = new List<double>[cases.Length];
        for (int k = 0; k < cases.Length; k++) results[k] = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            for (int j = 0; j < cases.Length; j++)
            {
                int k = round % 2 == 0 ? j : cases.Length - 1 - j;
                long cpu0 = CpuClock.ThreadNs();
                for (int done = 0; done < events; done += chunk) cases[k].Run(chunk);
                results[k].Add((double)(CpuClock.ThreadNs() - cpu0) / events);
            }
        }
        for (int k = 0; k < cases.Length; k++)
        {
            results[k].Sort();
            Console.WriteLine($"{cases[k].Name}: median {HarnessCommand.Median(results[k]):F1} CPU ns/event ({results[k][0]:F1}–{results[k][^1]:F1})");
        }
        return 0;
    }

    // Each round: every thread emits the same event n times, all at once; their CPU and the wall time per event.
    private static void EmitFromThreads(MmapSink sink, LogEvent logEvent, int threads, int n, int rounds)
    {
        for (int round = 0; round < rounds; round++)
        {
            long cpu = 0;
            var workers = new System.Threading.Thread[threads];
            var wall = System.Diagnostics.Stopwatch.StartNew();
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new System.Threading.Thread(() =>
                {
                    long cpu0 = CpuClock.ThreadNs();
                    for (int i = 0; i < n; i++) sink.Emit(logEvent);
                    System.Threading.Interlocked.Add(ref cpu, CpuClock.ThreadNs() - cpu0);
                });
                workers[t].Start();
            }
            foreach (System.Threading.Thread worker in workers) worker.Join();
            double total = (double)n * threads;
            Console.WriteLine($"Serilog sink Emit, {threads} thread(s) at once, round {round + 1}: {cpu / total:F1} CPU ns/event, wall {wall.Elapsed.TotalMilliseconds * 1e6 / total:F1} ns/event");
        }
    }

    // The same body's bytes, written by hand with its ids known: what the encoder would cost with no bookkeeping.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int HandWritten(byte[] buffer, int number, string text, double elapsed)
    {
        Span<byte> b = buffer;
        int p = 0;
        b[p++] = 0; b[p++] = 0; b[p++] = 0;
        b[p++] = 3; b[p++] = 3;
        b[p++] = 5; b[p++] = 7;
        p += Sinks.Mmap.Format.Varint.WriteUnchecked(ref b[p], Sinks.Mmap.Format.Varint.ZigZag(number));
        b[p++] = 7; b[p++] = 14;
        System.Text.Encoding.UTF8.TryGetBytes(text, b.Slice(p + 1), out int written);
        b[p] = (byte)(written + 1);
        p += 1 + written;
        b[p++] = 9; b[p++] = 12;
        System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(b.Slice(p), elapsed);
        return p + 8;
    }

    private static LogEvent CaptureTemplate3()
    {
        var capture = new Capture();
        using (Logger logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(capture).CreateLogger())
        {
            logger.Information(PeerEvents.Template, 1234567, PeerEvents.Ip, PeerEvents.Elapsed);
        }
        return capture.Last!;
    }

    private sealed class Capture : ILogEventSink
    {
        public LogEvent? Last;

        public void Emit(LogEvent logEvent) => Last = logEvent;
    }
}
