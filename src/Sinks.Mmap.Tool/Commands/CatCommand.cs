using System;
using System.CommandLine;
using System.Threading;
using System.Threading.Tasks;
using Sinks.Mmap.Tool.Output;

namespace Sinks.Mmap.Tool.Commands;

/// <summary><c>mmaplog cat PATH</c>: every event in sequence order, optionally following the writer.</summary>
internal static class CatCommand
{
    public static Command Create(ToolContext context)
    {
        Argument<string> path = LogSource.PathArgument();
        Option<string> format = FormatOption(EventOutputs.Text, EventOutputs.Clef, EventOutputs.Json);
        Option<string?> template = OutputTemplateOption();
        var filters = new FilterOptions();
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Keep printing events as the writer commits them, across rotation, until Ctrl+C (exit 0).",
        };
        Option<string?> from = FromOption();
        Option<string?> save = SavePositionOption();

        var command = new Command("cat", "Print every event in sequence order.") { path, format, template };
        filters.AddTo(command);
        command.Options.Add(follow);
        command.Options.Add(from);
        command.Options.Add(save);
        command.SetAction(async (result, ct) =>
        {
            string logPath = result.GetValue(path)!;
            bool following = result.GetValue(follow);
            IEventOutput output = EventOutputs.Create(result.GetValue(format)!, result.GetValue(template), context.UseColour);
            EventFilter filter = filters.Build(result);
            LogPosition? start = PositionStore.Resolve(result.GetValue(from), out _);
            MmapLogReader reader = LogSource.Open(logPath, allowEmpty: following);
            var pump = new EventPump
            {
                Reader = reader,
                Filter = filter,
                Output = output,
                Destination = context.Stdout,
                From = start,
                SavePositionPath = result.GetValue(save),
            };
            if (following)
            {
                await pump.FollowAsync(ct).ConfigureAwait(false);
            }
            else
            {
                await Task.Run(() => pump.ReadAll(ct), CancellationToken.None).ConfigureAwait(false);
            }
            context.Stdout.Flush();
            if (pump.Undecodable > 0)
            {
                context.Warning($"{pump.Undecodable} record(s) could not be decoded and were skipped; run 'mmaplog verify' for details");
            }
            return Program.ExitOk;
        });
        return command;
    }

    internal static Option<string> FormatOption(params string[] formats)
    {
        var option = new Option<string>("--format")
        {
            Description = "Output format: " + string.Join(", ", formats) + ".",
            DefaultValueFactory = _ => formats[0],
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    internal static Option<string?> OutputTemplateOption() => new("--output-template", "-t")
    {
        Description = "Serilog output template for text; default: " + Sinks.Mmap.Rendering.OutputTemplateFormatter.DefaultOutputTemplate,
    };

    internal static Option<string?> FromOption() => new("--from")
    {
        Description = "Start after this position (segment:offset:sequence), or at the position stored in this file.",
    };

    internal static Option<string?> SavePositionOption() => new("--save-position")
    {
        Description = "Write the position after the last printed event to this file (while following: every second and at exit).",
    };
}
