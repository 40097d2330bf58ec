using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Sinks.Mmap.Benchmarks.Peers;

/// <summary>
/// The job of the headline comparison, sized so that both libraries (60 cases) run in under 10
/// minutes on 2 cores: 1 launch, 1 invocation of <see cref="PeerBenchmark.EventsPerInvocation"/>
/// events per iteration (no pilot stage), 6 warmup and 6 measured iterations. Six warmups because
/// tiered compilation needs about 400,000 events (four iterations) to replace the first, unoptimised
/// code of a sink's path: with two, the first measured iterations ran 3–4× slower than the rest.
/// The Mean is per event (OperationsPerInvoke), so it is ns/event of total wall time over all logging threads.
/// </summary>
public sealed class PeerConfig : ManualConfig
{
    /// <summary>Measured iterations of one invocation each: the last this many invocations of a case.</summary>
    public const int MeasuredIterations = 6;

    public PeerConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(6)
            .WithIterationCount(MeasuredIterations)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            // Freed GC memory stays committed: the page-fault budget is about the segment's pages, and
            // a GC region the runtime gave back and took again faults on the logging thread as it is
            // cleared for allocation (1.7 or 3.4 faults per 1,000 events in some processes of every
            // case, the baselines included). Every case runs with it alike.
            .WithGcRetainVm(true)
            .WithId("Peer"));
        AddColumn(StatisticColumn.Min, StatisticColumn.Median);
        AddColumn(new EventsPerSecondColumn());
        // Sinks in the order they are declared (baseline first) within each (Threads, Workload) group;
        // the Ratio column is relative to the baseline of the same group.
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
    }
}

/// <summary>events/s = 10^9 / mean ns per event: the total throughput of all logging threads.</summary>
public sealed class EventsPerSecondColumn : IColumn
{
    public string Id => nameof(EventsPerSecondColumn);
    public string ColumnName => "events/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Total throughput of all logging threads: 10^9 / Mean (ns per event)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats || stats.Mean <= 0)
        {
            return "NA";
        }
        return (1e9 / stats.Mean).ToString("N0", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
