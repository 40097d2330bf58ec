using System.Threading;
using System.Threading.Tasks;
using Sinks.Mmap.Tool.Commands;
using Spectre.Console;

namespace Sinks.Mmap.Tool.Output;

/// <summary>A Spectre.Console progress bar on stderr, advanced by the bytes of records read.</summary>
internal static class ExportProgress
{
    public static Task RunAsync(MmapLogReader reader, ToolContext context, EventPump pump, CancellationToken ct)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(context.Stderr),
            // The caller decided stderr is a terminal; Spectre would otherwise probe the writer itself.
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
            ColorSystem = context.UseColour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        long total = LogSource.TotalBytes(reader.SegmentFiles());
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(ctx =>
            {
                ProgressTask task = ctx.AddTask("export", maxValue: total > 0 ? total : 1);
                pump.OnBytes = bytes => task.Increment(bytes);
                return Task.Run(() =>
                {
                    pump.ReadAll(ct);
                    task.Value = task.MaxValue;
                }, CancellationToken.None);
            });
    }
}
