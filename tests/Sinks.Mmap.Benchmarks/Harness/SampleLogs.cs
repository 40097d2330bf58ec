using System;
using System.Collections.Generic;
using System.IO;
using NLog;
using NLog.Targets.Mmap;
using Serilog;
using Serilog.Sinks.Mmap.Formatting;
using Sinks.Mmap.Benchmarks.Peers;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// Real logs of the peer workloads for the harnesses that measure what is on disk: the same calls
/// through Serilog → Mmap with a CLEF file beside it in the same pipeline (the yardstick), and through
/// NLog → Mmap.
/// </summary>
internal sealed class SampleLogs : IDisposable
{
    private SampleLogs(string folder)
    {
        Folder = folder;
    }

    /// <summary>The folder holding the logs; deleted on dispose.</summary>
    public string Folder { get; }

    /// <summary>The Serilog → Mmap log's path.</summary>
    public string SerilogLog => Path.Combine(Folder, "serilog", "app.mlog");

    /// <summary>The NLog → Mmap log's path.</summary>
    public string NLogLog => Path.Combine(Folder, "nlog", "app.mlog");

    /// <summary>The CLEF file written beside the Serilog log.</summary>
    public string Clef => Path.Combine(Folder, "app.clef");

    /// <summary>Logs <paramref name="events"/> events of <paramref name="workload"/> through each pipeline.</summary>
    public static SampleLogs Write(PeerWorkload workload, int events)
    {
        string folder = Path.Combine(Path.GetTempPath(), "sinks-mmap-bench", "logs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var logs = new SampleLogs(folder);
        using (var logger = new LoggerConfiguration()
            .WriteTo.Mmap(logs.SerilogLog)
            .WriteTo.File(new ClefFormatter(), logs.Clef, buffered: true, fileSizeLimitBytes: null)
            .CreateLogger())
        {
            for (int i = 0; i < events; i++)
            {
                if (workload == PeerWorkload.Template3) logger.Information(PeerEvents.Template, i, PeerEvents.Ip, PeerEvents.Elapsed);
                else logger.Error(PeerEvents.SampleException, PeerEvents.OrderTemplate, PeerEvents.SampleOrder, i);
            }
        }

        var factory = new NLog.LogFactory { ThrowExceptions = true };
        factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(new MmapTarget("mmap") { FileName = logs.NLogLog }));
        NLog.Logger nlog = factory.GetLogger("Disk");
        for (int i = 0; i < events; i++)
        {
            if (workload == PeerWorkload.Template3) nlog.Info(PeerEvents.Template, i, PeerEvents.Ip, PeerEvents.Elapsed);
            else nlog.Error(PeerEvents.SampleException, PeerEvents.OrderTemplate, PeerEvents.SampleOrder, i);
        }
        factory.Shutdown();
        return logs;
    }

    /// <summary>The segment files of the log at <paramref name="path"/>, oldest first.</summary>
    public static IReadOnlyList<string> Segments(string path) => new MmapLogReader(path).SegmentFiles();

    /// <summary>The bytes of every segment of the log at <paramref name="path"/> (trimmed when sealed).</summary>
    public static long SegmentBytes(string path)
    {
        long total = 0;
        foreach (string segment in Segments(path))
        {
            total += new FileInfo(segment).Length;
        }
        return total;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
