using System;
using System.IO;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;

namespace Serilog.Sinks.Mmap.Formatting;

/// <summary>
/// Writes Serilog events in the Compact Log Event Format (CLEF) with Serilog.Formatting.Compact itself:
/// <c>CompactJsonFormatter</c>, or, with <c>renderMessage: true</c>, <c>RenderedCompactJsonFormatter</c>.
/// Kept so that code written against earlier versions of this package goes on compiling; new code can
/// use those formatters directly. The log's own CLEF (the <c>mmaplog</c> tool, the core's <c>ClefWriter</c>)
/// is written from the stored events and is tested byte for byte against these formatters.
/// </summary>
public sealed class ClefFormatter : ITextFormatter
{
    private readonly ITextFormatter _formatter;

    /// <summary>Creates a CLEF formatter.</summary>
    /// <param name="renderMessage">
    /// <see langword="false"/> (the default) writes the message template as <c>@mt</c>, with <c>@r</c>
    /// renderings (<c>CompactJsonFormatter</c>). <see langword="true"/> writes the rendered message as
    /// <c>@m</c> and a template hash as <c>@i</c> (<c>RenderedCompactJsonFormatter</c>).
    /// </param>
    public ClefFormatter(bool renderMessage = false)
    {
        _formatter = renderMessage ? new RenderedCompactJsonFormatter() : new CompactJsonFormatter();
    }

    /// <summary>Writes <paramref name="logEvent"/> as one CLEF line, ending in <paramref name="output"/>'s newline.</summary>
    /// <param name="logEvent">The event to write.</param>
    /// <param name="output">Where to write it.</param>
    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        _formatter.Format(logEvent, output);
    }
}
