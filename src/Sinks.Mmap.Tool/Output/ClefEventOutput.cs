using System;
using System.Buffers;
using System.IO;
using System.Text;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>CLEF, one JSON object a line, as Serilog.Formatting.Compact writes it.</summary>
internal sealed class ClefEventOutput : BoundedEventOutput
{
    private readonly ClefWriter _writer = new();

    /// <summary>CLEF straight from the record's bytes (no event objects, no strings).</summary>
    public override bool TryWriteRecord(MmapRecordStream records, IBufferWriter<byte> output) =>
        _writer.Write(records, output) == ClefRecordResult.Written;

    /// <summary>CLEF lines are small enough to join the line buffer.</summary>
    public override StringBuilder? TryWriteLine(MmapEvent evt) => TryFormat(evt);

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
