using System;
using System.Globalization;
using System.IO;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>CLEF, one JSON object a line, as Serilog.Formatting.Compact writes it.</summary>
internal sealed class ClefEventOutput : IEventOutput
{
    private readonly ClefWriter _writer = new();
    private readonly StringWriter _buffer = new(CultureInfo.InvariantCulture);

    public void Write(MmapEvent evt, TextWriter output) => output.Write(FormatLine(evt));

    /// <summary>The event's line, newline included, as a builder that the next call reuses.</summary>
    public System.Text.StringBuilder FormatLine(MmapEvent evt)
    {
        evt = SafeRender.Defused(evt, keepProperties: true);
        _buffer.GetStringBuilder().Clear();
        try
        {
            _writer.WriteObject(evt, _buffer);
        }
        catch (FormatException)
        {
            // A formatted hole the value rejects (@r): write the raw template as @m instead.
            _buffer.GetStringBuilder().Clear();
            _writer.WriteObject(SafeRender.RawTemplateCopy(evt, keepProperties: true), _buffer);
        }
        _buffer.Write('\n');
        return _buffer.GetStringBuilder();
    }
}
