using System.IO;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>CLEF, one JSON object a line, as Serilog.Formatting.Compact writes it.</summary>
internal sealed class ClefEventOutput : BoundedEventOutput
{
    private readonly ClefWriter _writer = new();

    protected override void Render(MmapEvent evt, TextWriter output)
    {
        _writer.WriteObject(SafeRender.Defused(evt, keepProperties: true), output);
        output.Write('\n');
    }

    // A formatted hole the value rejects (@r): the raw template as @m instead.
    protected override void RenderFallback(MmapEvent evt, TextWriter output)
    {
        _writer.WriteObject(SafeRender.RawTemplateCopy(evt, keepProperties: true), output);
        output.Write('\n');
    }
}
