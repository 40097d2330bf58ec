using System.CommandLine;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Sinks.Mmap.Tool.Output;

namespace Sinks.Mmap.Tool.Commands;

/// <summary><c>mmaplog export PATH -o FILE</c>: cat to a file (CLEF, text or JSON), with a progress bar on a terminal.</summary>
internal static class ExportCommand
{
    public static Command Create(ToolContext context)
    {
        Argument<string> path = LogSource.PathArgument();
        Option<string> format = CatCommand.FormatOption(EventOutputs.Clef, EventOutputs.Text, EventOutputs.Json);
        Option<string?> template = CatCommand.OutputTemplateOption();
        Option<bool> raw = CatCommand.RawOption();
        var output = new Option<string>("--output", "-o")
        {
            Description = "The file to write ('-' for stdout); an existing file only with --force. A progress bar shows on stderr when it is a terminal.",
            Required = true,
        };
        var force = new Option<bool>("--force") { Description = "Overwrite the output file if it exists." };
        var filters = new FilterOptions();
        Option<string?> from = CatCommand.FromOption();
        Option<string?> save = CatCommand.SavePositionOption("Write the position after the last exported event to this file, to resume the next export with --from.");
        Option<bool> strict = CatCommand.StrictOption();
        var command = new Command("export", "Write every event to a file, as CLEF (default), text or JSON.") { path, format, template, raw, output, force };
        filters.AddTo(command);
        command.Options.Add(from);
        command.Options.Add(save);
        command.Options.Add(strict);
        command.SetAction(async (result, ct) =>
        {
            IEventOutput eventOutput = EventOutputs.Create(result.GetValue(format)!, result.GetValue(template), colour: false, result.GetValue(raw));
            EventFilter filter = filters.Build(result, context);
            LogPosition? start = PositionStore.Resolve(result.GetValue(from), out _);
            MmapLogReader reader = LogSource.Open(result.GetValue(path)!);
            if (filter.Since is { } since) start = Positions.Later(start, reader.TimeStart(since));
            string target = result.GetValue(output)!;
            bool toStdout = target == "-";
            TextWriter destination = toStdout ? context.Stdout : OpenOutput(target, result.GetValue(force));
            var pump = new EventPump
            {
                Reader = reader,
                Filter = filter,
                Output = eventOutput,
                Destination = destination,
                From = start,
                SavePositionPath = result.GetValue(save),
            };
            try
            {
                if (!toStdout && context.StderrIsTerminal)
                {
                    await ExportProgress.RunAsync(reader, context, pump, ct).ConfigureAwait(false);
                }
                else
                {
                    await Task.Run(() => pump.ReadAll(ct), CancellationToken.None).ConfigureAwait(false);
                }
                destination.Flush();
            }
            finally
            {
                if (!toStdout) destination.Dispose();
            }
            return CatCommand.ReportDamage(context, pump.Damage, result.GetValue(strict));
        });
        return command;
    }

    /// <summary>
    /// The output file, created new (never through a link planted under its name) unless
    /// <paramref name="force"/> allows replacing what is there.
    /// </summary>
    private static StreamWriter OpenOutput(string target, bool force)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(target, force ? FileMode.Create : FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
        }
        catch (IOException) when (!force && (File.Exists(target) || Directory.Exists(target) || new FileInfo(target).LinkTarget is not null))
        {
            throw new ToolException($"'{target}' exists; use --force to overwrite it");
        }
        return new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
    }
}
