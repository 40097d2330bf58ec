using System;
using System.Globalization;
using System.IO;
using NLog;
using NLog.Targets.Mmap;
using Serilog;
using Serilog.Sinks.Mmap.Formatting;
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
            string folder = Path.Combine(Path.GetTempPath(), "sinks-mmap-bench", "disk-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                string clef = Path.Combine(folder, "app.clef");
                using (var logger = new LoggerConfiguration()
                    .WriteTo.Mmap(Path.Combine(folder, "serilog", "app.mlog"))
                    .WriteTo.File(new ClefFormatter(), clef, buffered: true, fileSizeLimitBytes: null)
                    .CreateLogger())
                {
                    for (int i = 0; i < events; i++)
                    {
                        if (workload == PeerWorkload.Template3) logger.Information(PeerEvents.Template, i, PeerEvents.Ip, PeerEvents.Elapsed);
                        else logger.Error(PeerEvents.SampleException, PeerEvents.OrderTemplate, PeerEvents.SampleOrder, i);
                    }
                }

                var factory = new NLog.LogFactory { ThrowExceptions = true };
                factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = Path.Combine(folder, "nlog", "app.mlog") }));
                NLog.Logger nlog = factory.GetLogger("Disk");
                for (int i = 0; i < events; i++)
                {
                    if (workload == PeerWorkload.Template3) nlog.Info(PeerEvents.Template, i, PeerEvents.Ip, PeerEvents.Elapsed);
                    else nlog.Error(PeerEvents.SampleException, PeerEvents.OrderTemplate, PeerEvents.SampleOrder, i);
                }
                factory.Shutdown();

                double serilogMmap = (double)SegmentBytes(Path.Combine(folder, "serilog", "app.mlog")) / events;
                double nlogMmap = (double)SegmentBytes(Path.Combine(folder, "nlog", "app.mlog")) / events;
                double clefBytes = (double)new FileInfo(clef).Length / events;
                Console.WriteLine($"| {workload} | {events:N0} | {serilogMmap:0.0} | {clefBytes:0.0} | {serilogMmap / clefBytes:P0} | {nlogMmap:0.0} | {nlogMmap / clefBytes:P0} |");
            }
            finally
            {
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            }
        }
        Console.WriteLine();
        return 0;
    }

    private static long SegmentBytes(string path)
    {
        long total = 0;
        foreach (string segment in new MmapLogReader(path).SegmentFiles())
        {
            total += new FileInfo(segment).Length;
        }
        return total;
    }
}
