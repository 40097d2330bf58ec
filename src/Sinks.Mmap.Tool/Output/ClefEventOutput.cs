using System;
using System.IO;
using System.Text;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>CLEF, one JSON object a line, as Serilog.Formatting.Compact writes it.</summary>
internal sealed class ClefEventOutput : BoundedEventOutput
{
    /// <summary>Records larger than this are written as CLEF in pieces, never held whole as a line.</summary>
    private const int LargeRecord = 1 << 20;

    private readonly ClefWriter _writer = new();
    // Made at the first record written from bytes: an output that never does so costs no scratch.
    private ClefUtf8Writer? _frames;

    /// <summary>CLEF straight from the record's bytes (no event objects, no strings).</summary>
    public override bool TryWriteRecord(MmapRecordStream records, Utf8LineSink sink, Action<Utf8Buffer> spill)
    {
        _frames ??= new ClefUtf8Writer();
        ClefFrameResult result = records.Length > LargeRecord
            ? _frames.WriteStreaming(records, sink.Buffer, spill)
            : _frames.Write(records, sink.Buffer);
        return result == ClefFrameResult.Written;
    }

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
