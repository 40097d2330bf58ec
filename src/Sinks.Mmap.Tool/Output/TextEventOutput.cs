using System;
using System.Globalization;
using System.IO;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>Text through a Serilog output template (default: the file sink's), coloured by level on a terminal.</summary>
internal sealed class TextEventOutput : IEventOutput
{
    private readonly OutputTemplateFormatter _formatter;
    private readonly bool _colour;
    private readonly StringWriter _buffer = new(CultureInfo.InvariantCulture);

    public TextEventOutput(string? outputTemplate, bool colour)
    {
        try
        {
            _formatter = new OutputTemplateFormatter(outputTemplate ?? OutputTemplateFormatter.DefaultOutputTemplate);
            // A template whose own tokens cannot format (e.g. {Timestamp:%}) is a usage error, found now.
            _formatter.Format(new MmapEvent(1, DateTimeOffset.UnixEpoch, MmapLevel.Information, "x", Array.Empty<LogProperty>()));
        }
        catch (FormatException e)
        {
            throw new ToolException($"--output-template: {e.Message}");
        }
        _colour = colour;
    }

    public void Write(MmapEvent evt, TextWriter output)
    {
        evt = SafeRender.Defused(evt, keepProperties: false);
        _buffer.GetStringBuilder().Clear();
        try
        {
            _formatter.Format(evt, _buffer);
        }
        catch (FormatException)
        {
            _buffer.GetStringBuilder().Clear();
            _formatter.Format(SafeRender.RawTemplateCopy(evt, keepProperties: false), _buffer);
        }
        var text = _buffer.GetStringBuilder();
        // One event is at least one whole line, even when the template has no {NewLine}.
        if (text.Length == 0 || text[^1] != '\n') text.Append('\n');
        string colour = _colour ? Ansi.ForLevel(evt.Level) : "";
        if (colour.Length > 0) output.Write(colour);
        output.Write(text);
        if (colour.Length > 0) output.Write(Ansi.Reset);
    }
}
