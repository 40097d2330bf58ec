using System;
using System.IO;
using Sinks.Mmap.Benchmarks.Peers;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// Bytes on disk per event: the same events through Serilog → Mmap and, in the same pipeline, to a
/// CLEF file (the sink package's ClefFormatter: @t, @mt, @l, @x and the properties, no rendered
/// message), for both workloads; NLog → Mmap of the same calls for comparison. Segment sizes are
/// the files' lengths after the writer closed (it trims the unused tail).
/// </summary>
internal static class DiskSizeHarness
{
    public static int Run(string[] args)
    {
        int events = (int)HarnessCommand.Option(args, "events", 100_000);
        Console.WriteLine($"// disk: {events:N0} events a workload, TMPDIR {Path.GetTempPath()}");
        Console.WriteLine();
        Console.WriteLine("## Bytes on disk per event vs CLEF (Markdown, for docs/BENCHMARKS.md)");
        Console.WriteLine();
        Console.WriteLine("| Workload | events | Serilog → Mmap B/event | CLEF B/event | Mmap / CLEF | NLog → Mmap B/event | NLog Mmap / CLEF |");
        Console.WriteLine("|---|--:|--:|--:|--:|--:|--:|");
        foreach (PeerWorkload workload in Enum.GetValues<PeerWorkload>())
        {
            using SampleLogs logs = SampleLogs.Write(workload, events);
            double serilogMmap = (double)SampleLogs.SegmentBytes(logs.SerilogLog) / events;
            double nlogMmap = (double)SampleLogs.SegmentBytes(logs.NLogLog) / events;
            double clefBytes = (double)new FileInfo(logs.Clef).Length / events;
            Console.WriteLine($"| {workload} | {events:N0} | {serilogMmap:0.0} | {clefBytes:0.0} | {serilogMmap / clefBytes:P0} | {nlogMmap:0.0} | {nlogMmap / clefBytes:P0} |");
        }
        Console.WriteLine();
        return 0;
    }
}
