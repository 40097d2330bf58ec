using System;
using System.CommandLine;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Sinks.Mmap.Tool.Output;

namespace Sinks.Mmap.Tool.Commands;

/// <summary><c>mmaplog export PATH --format clef|text -o FILE</c>: cat to a file, with a progress bar on a terminal.</summary>
internal static class ExportCommand
{
    public static Command Create(ToolContext context)
    {
        Argument<string> path = LogSource.PathArgument();
        Option<string> format = CatCommand.FormatOption(EventOutputs.Clef, EventOutputs.Text, EventOutputs.Json);
        Option<string?> template = CatCommand.OutputTemplateOption();
        var output = new Option<string>("--output", "-o")
        {
            Description = "The file to write ('-' for stdout). A progress bar shows on stderr when it is a terminal.",
            Required = true,
        };
        var filters = new FilterOptions();
        Option<string?> from = CatCommand.FromOption();
        Option<string?> save = CatCommand.SavePositionOption();
        var command = new Command("export", "Write every event to a file, as CLEF (default) or text.") { path, format, template, output };
        filters.AddTo(command);
        command.Options.Add(from);
        command.Options.Add(save);
        command.SetAction(async (result, ct) =>
        {
            IEventOutput eventOutput = EventOutputs.Create(result.GetValue(format)!, result.GetValue(template), colour: false);
            EventFilter filter = filters.Build(result);
            LogPosition? start = PositionStore.Resolve(result.GetValue(from), out _);
            MmapLogReader reader = LogSource.Open(result.GetValue(path)!);
            string target = result.GetValue(output)!;
            bool toStdout = target == "-";
            TextWriter destination = toStdout
                ? context.Stdout
                : new StreamWriter(new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16), new UTF8Encoding(false), 1 << 16);
            try
            {
                var pump = new EventPump
                {
                    Reader = reader,
                    Filter = filter,
                    Output = eventOutput,
                    Destination = destination,
                    From = start,
                    SavePositionPath = result.GetValue(save),
                };
                if (!toStdout && context.StderrIsTerminal)
                {
                    await ExportProgress.RunAsync(reader, context, pump, ct).ConfigureAwait(false);
                }
                else
                {
                    await Task.Run(() => pump.ReadAll(ct), CancellationToken.None).ConfigureAwait(false);
                }
                destination.Flush();
                if (pump.Undecodable > 0)
                {
                    context.Warning($"{pump.Undecodable} record(s) could not be decoded and were skipped; run 'mmaplog verify' for details");
                }
            }
            finally
            {
                if (!toStdout) destination.Dispose();
            }
            return Program.ExitOk;
        });
        return command;
    }
}
