using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using BenchmarkDotNet.Reports;

namespace Sinks.Mmap.Benchmarks.Peers;

/// <summary>
/// After a run of the peer comparison, prints what docs/BENCHMARKS.md shows: one Markdown table of
/// ns/event, events/s, bytes allocated per event and throughput relative to the baseline, and one
/// table of issue 7's targets with the measured value and whether it is met.
/// </summary>
internal static class PeerReport
{
    private sealed record Row(string Library, PeerWorkload Workload, int Threads, string Sink, double NsPerEvent, double MinNsPerEvent, long? BytesPerEvent);

    public static void Print(IEnumerable<Summary> summaries, TextWriter output)
    {
        var rows = new List<Row>();
        foreach (Summary summary in summaries)
        {
            foreach (BenchmarkReport report in summary.Reports)
            {
                Type type = report.BenchmarkCase.Descriptor.Type;
                string? library = type == typeof(SerilogPeerBenchmarks) ? "Serilog" : type == typeof(NLogPeerBenchmarks) ? "NLog" : type == typeof(ZLoggerPeerBenchmarks) ? "ZLogger" : null;
                if (library is null || report.ResultStatistics is not { } stats)
                {
                    continue;
                }
                var parameters = report.BenchmarkCase.Parameters;
                rows.Add(new Row(
                    library,
                    (PeerWorkload)parameters[nameof(PeerBenchmark.Workload)],
                    (int)parameters[nameof(PeerBenchmark.Threads)],
                    report.BenchmarkCase.Descriptor.WorkloadMethod.Name,
                    stats.Mean,
                    stats.Min,
                    report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase)));
            }
        }
        if (rows.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine("## Peer comparison (Markdown, for docs/BENCHMARKS.md)");
        output.WriteLine();
        output.WriteLine("| Library | Workload | Threads | Sink | ns/event (mean) | events/s (mean) | ns/event (min) | B/event | throughput vs baseline (mean) |");
        output.WriteLine("|---|---|--:|---|--:|--:|--:|--:|--:|");
        foreach (Row row in rows)
        {
            Row? baseline = Find(rows, row.Library, row.Workload, row.Threads, BaselineOf(row.Library));
            string relative = baseline is null ? "NA" : (baseline.NsPerEvent / row.NsPerEvent).ToString("P0", CultureInfo.InvariantCulture);
            output.WriteLine($"| {row.Library} | {row.Workload} | {row.Threads} | {row.Sink} | {row.NsPerEvent:N0} | {1e9 / row.NsPerEvent:N0} | {row.MinNsPerEvent:N0} | {Bytes(row.BytesPerEvent)} | {relative} |");
        }

        output.WriteLine();
        output.WriteLine("## Targets (issue 21: at 1 and 2 threads; 4 threads shown for context)");
        output.WriteLine();
        output.WriteLine("'Met' judges the mean; the value from the minimums (each side's fastest iteration) is shown beside it because on a shared machine it is the better estimate of the uncontended cost.");
        output.WriteLine();
        output.WriteLine("| Library | Workload | Threads | Target | Measured (mean) | Measured (min) | Met |");
        output.WriteLine("|---|---|--:|---|--:|--:|---|");
        foreach (Row mmap in rows)
        {
            if (mmap.Sink != "Mmap")
            {
                continue;
            }
            if (mmap.Library == "Serilog")
            {
                Throughput(output, rows, mmap, "EmptySink", 0.80, "Mmap >= 80% of empty-sink throughput");
                if (mmap.Workload == PeerWorkload.ExceptionObject)
                {
                    Speedup(output, rows, mmap, "FileBuffered", 2.0, "Mmap >= 2x File(buffered)");
                }
                Allocation(output, rows, mmap, "EmptySink");
            }
            else
            {
                Throughput(output, rows, mmap, "NullTarget", 0.60, "Mmap >= 60% of NullTarget throughput");
                if (mmap.Workload == PeerWorkload.ExceptionObject)
                {
                    Speedup(output, rows, mmap, "FileNoAutoFlush", 2.0, "Mmap >= 2x FileTarget(AutoFlush false)");
                }
                Allocation(output, rows, mmap, "NullTarget");
            }
            if (mmap.Workload == PeerWorkload.ExceptionObject && Find(rows, "ZLogger", mmap.Workload, mmap.Threads, "ZLoggerFile") is { } zlogger)
            {
                double speedup = zlogger.NsPerEvent / mmap.NsPerEvent;
                Line(output, mmap, "Mmap faster than ZLogger's file provider (drained)", speedup.ToString("0.00", CultureInfo.InvariantCulture) + "x",
                    (zlogger.MinNsPerEvent / mmap.MinNsPerEvent).ToString("0.00", CultureInfo.InvariantCulture) + "x", speedup > 1);
            }
        }
        output.WriteLine();
    }

    private static string BaselineOf(string library) => library switch
    {
        "Serilog" => "EmptySink",
        "NLog" => "NullTarget",
        _ => "ZLoggerFile",
    };

    private static Row? Find(List<Row> rows, string library, PeerWorkload workload, int threads, string sink)
    {
        foreach (Row row in rows)
        {
            if (row.Library == library && row.Workload == workload && row.Threads == threads && row.Sink == sink)
            {
                return row;
            }
        }
        return null;
    }

    private static void Throughput(TextWriter output, List<Row> rows, Row mmap, string baselineSink, double goal, string target)
    {
        if (Find(rows, mmap.Library, mmap.Workload, mmap.Threads, baselineSink) is not { } baseline) return;
        double fraction = baseline.NsPerEvent / mmap.NsPerEvent;
        double fromMin = baseline.MinNsPerEvent / mmap.MinNsPerEvent;
        Line(output, mmap, target, fraction.ToString("P0", CultureInfo.InvariantCulture), fromMin.ToString("P0", CultureInfo.InvariantCulture), fraction >= goal);
    }

    private static void Speedup(TextWriter output, List<Row> rows, Row mmap, string peerSink, double goal, string target)
    {
        if (Find(rows, mmap.Library, mmap.Workload, mmap.Threads, peerSink) is not { } peer) return;
        double speedup = peer.NsPerEvent / mmap.NsPerEvent;
        double fromMin = peer.MinNsPerEvent / mmap.MinNsPerEvent;
        Line(output, mmap, target, speedup.ToString("0.00", CultureInfo.InvariantCulture) + "x", fromMin.ToString("0.00", CultureInfo.InvariantCulture) + "x", speedup >= goal);
    }

    private static void Allocation(TextWriter output, List<Row> rows, Row mmap, string baselineSink)
    {
        if (Find(rows, mmap.Library, mmap.Workload, mmap.Threads, baselineSink) is not { } baseline) return;
        if (mmap.BytesPerEvent is not { } own || baseline.BytesPerEvent is not { } library) return;
        long extra = own - library;
        Line(output, mmap, $"sink allocates 0 B/event beyond {baselineSink}", $"{extra:+#;-#;0} B", "", extra <= 0);
    }

    private static void Line(TextWriter output, Row mmap, string target, string measured, string fromMin, bool met) =>
        output.WriteLine($"| {mmap.Library} | {mmap.Workload} | {mmap.Threads} | {target} | {measured} | {fromMin} | {(met ? "yes" : "**no**")} |");

    private static string Bytes(long? bytes) => bytes is { } b ? b.ToString("N0", CultureInfo.InvariantCulture) : "NA";
}
