using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using NLog.Targets;

namespace NLog.Targets.Mmap.Benchmarks;

/// <summary>
/// <c>big [n]</c>: the time of single log calls of one very large event, NullTarget against the Mmap
/// target: an event with <c>n</c> event properties, and an event whose template has <c>n</c> holes
/// (default 100,000). A plain timing loop: one call is seconds when something is quadratic, so
/// BenchmarkDotNet's statistics add nothing. Each case prints its first call (which parses and caches
/// the template, and JIT-compiles) and the best of the three calls after it.
/// </summary>
internal static class BigEvents
{
    public static void Run(int count)
    {
        string dir = Path.Combine(Path.GetTempPath(), "nlog-mmap-big-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var template = new StringBuilder();
        var parameters = new object?[count];
        for (int i = 0; i < count; i++)
        {
            template.Append("{P").Append(i.ToString(CultureInfo.InvariantCulture)).Append("} ");
            parameters[i] = i;
        }
        string message = template.ToString();
        try
        {
            Console.WriteLine($"| target | {count:N0} event properties: first call | then | template with {count:N0} holes: first call | then |");
            Console.WriteLine("|---|--:|--:|--:|--:|");
            foreach ((string name, Target target) in new (string, Target)[]
            {
                ("NullTarget", new NullTarget("null")),
                ("Mmap", new MmapTarget("mmap") { FileName = Path.Combine(dir, "big.mlog"), ArchiveAboveSize = 64L << 20 }),
            })
            {
                var factory = new LogFactory();
                factory.Setup().LoadConfiguration(c => c.ForLogger().WriteTo(target));
                Logger logger = factory.GetLogger("Big");
                (double firstProperties, double properties) = Time(() =>
                {
                    var e = new LogEventInfo(LogLevel.Info, "Big", "An event with many properties");
                    for (int i = 0; i < count; i++) e.Properties["P" + i.ToString(CultureInfo.InvariantCulture)] = i;
                    var sw = Stopwatch.StartNew();
                    logger.Log(e);
                    return sw.Elapsed.TotalSeconds;
                });
                (double firstHoles, double holes) = Time(() =>
                {
                    var sw = Stopwatch.StartNew();
                    logger.Info(message, parameters);
                    return sw.Elapsed.TotalSeconds;
                });
                Console.WriteLine($"| {name} | {firstProperties * 1000:F1} ms | {properties * 1000:F1} ms | {firstHoles * 1000:F1} ms | {holes * 1000:F1} ms |");
                factory.Shutdown();
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static (double First, double Best) Time(Func<double> call)
    {
        double first = call();
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++) best = Math.Min(best, call());
        return (first, best);
    }
}
