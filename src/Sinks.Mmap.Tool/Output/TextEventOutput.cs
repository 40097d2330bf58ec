using System;
using System.IO;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>
/// Text through a Serilog output template (default: the file sink's), coloured by level on a terminal.
/// Control characters from the events (ESC, CSI, OSC, the other C0 and C1 controls, a carriage return
/// not before a line feed) are written escaped, <c>\x1B</c>, as journalctl and less show them, unless
/// <c>--raw</c> asks for them as they are: an event must not be able to drive the reader's terminal.
/// </summary>
internal sealed class TextEventOutput : BoundedEventOutput
{
    private readonly OutputTemplateFormatter _formatter;
    private readonly bool _colour;
    private readonly bool _escape;

    public TextEventOutput(string? outputTemplate, bool colour, bool escape = true)
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
        _escape = escape;
    }

    protected override bool Escape => _escape;

    protected override string? Colour(MmapEvent evt) => _colour && Ansi.ForLevel(evt.Level) is { Length: > 0 } colour ? colour : null;

    protected override void Render(MmapEvent evt, TextWriter output) =>
        _formatter.Format(SafeRender.Defused(evt, keepProperties: false), output);

    protected override void RenderFallback(MmapEvent evt, TextWriter output) =>
        _formatter.Format(SafeRender.RawTemplateCopy(evt, keepProperties: false), output);
}
