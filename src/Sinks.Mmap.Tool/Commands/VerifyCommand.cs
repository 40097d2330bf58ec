using System.CommandLine;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Sinks.Mmap.Tool.Output;

namespace Sinks.Mmap.Tool.Commands;

/// <summary><c>mmaplog verify PATH</c>: checks every segment; exit 0 readable, 1 corruption or gaps, 2 usage/I/O.</summary>
internal static class VerifyCommand
{
    public static Command Create(ToolContext context)
    {
        Argument<string> path = LogSource.PathArgument();
        var json = new Option<bool>("--json") { Description = "Write the report as one JSON object (for machines)." };
        var command = new Command("verify",
            "Check every segment: records, sequence range, sealed, torn tail, holes and crash losses, corrupt ranges, gaps, undecodable records.\n" +
            "Exit 0 when everything is readable (torn tails and crash losses are fine), 1 on corruption or gaps, 2 on usage or I/O error.")
        {
            path, json,
        };
        command.SetAction(async (result, ct) =>
        {
            MmapLogReader reader = LogSource.Open(result.GetValue(path)!);
            ValidationReport report = await Task.Run(reader.Validate, CancellationToken.None).ConfigureAwait(false);
            if (report.Segments.Count == 0)
            {
                throw new ToolException($"no segments with records found at '{result.GetValue(path)}'");
            }
            var chainGaps = SegmentChain.FindGaps(report);
            if (result.GetValue(json)) VerifyJson.Write(report, chainGaps, context.Stdout);
            else VerifyText.Write(report, chainGaps, context.Stdout, context.UseColour);
            return report.IsClean && chainGaps.Count == 0 ? Program.ExitOk : Program.ExitCorrupt;
        });
        return command;
    }
}
