using System.CommandLine;
using System.Threading;
using System.Threading.Tasks;
using Sinks.Mmap.Tool.Output;

namespace Sinks.Mmap.Tool.Commands;

/// <summary><c>mmaplog stats PATH</c>: segments, bytes, levels, time range, top templates, size against CLEF.</summary>
internal static class StatsCommand
{
    public static Command Create(ToolContext context)
    {
        Argument<string> path = LogSource.PathArgument();
        var top = new Option<int>("--top")
        {
            Description = "How many message templates to list by count and by bytes (default 10).",
            DefaultValueFactory = _ => 10,
        };
        var json = new Option<bool>("--json") { Description = "Write the statistics as one JSON object." };
        var bucket = new Option<string?>("--bucket")
        {
            Description = "The time bucket of the events-over-time chart: " + string.Join(", ", System.Linq.Enumerable.Select(TimeHistogram.Sizes, s => s.Name)) + " (default: the finest that needs at most 40 buckets).",
        };
        Option<bool> strict = CatCommand.StrictOption();
        var command = new Command("stats",
            "Summarise a log: segments and bytes, events by level, time range, top message templates by count and by bytes, and bytes per event against the same events as CLEF.")
        {
            path, top, json, bucket, strict,
        };
        command.SetAction(async (result, ct) =>
        {
            int topN = result.GetValue(top);
            if (topN < 0) throw new ToolException("--top must be 0 or more");
            int? size = null;
            if (result.GetValue(bucket) is { } named)
            {
                size = TimeHistogram.SizeNamed(named) ?? throw new ToolException($"--bucket: '{named}' is not a bucket size; use one of " + string.Join(", ", System.Linq.Enumerable.Select(TimeHistogram.Sizes, s => s.Name)));
            }
            MmapLogReader reader = LogSource.Open(result.GetValue(path)!);
            LogStats stats = await Task.Run(() => LogStats.Collect(reader, ct), CancellationToken.None).ConfigureAwait(false);
            if (result.GetValue(json)) StatsOutput.WriteJson(stats, topN, context.Stdout, size);
            else StatsOutput.WriteText(stats, topN, context.Stdout, size, context);
            context.Stdout.Flush();
            return CatCommand.ReportDamage(context, stats.Damage, result.GetValue(strict));
        });
        return command;
    }
}
