using System;
using System.Buffers;
using System.IO;
using System.Text;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>
/// An output that renders each event into a buffer first, so that a rendering that fails part-way (a
/// property format the value rejects) can be replaced by the event's fallback without half a line
/// written. The buffer holds at most <see cref="EventTextWriter.Limit"/> characters: a larger event
/// (a record of sixteen million values renders to hundreds of MB) is rendered once writing nowhere, to
/// learn whether it renders, then straight to the destination, so memory never follows the event's size.
/// </summary>
internal abstract class BoundedEventOutput : IEventOutput
{
    private readonly EventTextWriter _text = new();

    /// <summary>Whether control characters are escaped on the way out (text for a terminal), and the colour of an event.</summary>
    protected virtual bool Escape => false;

    protected virtual string? Colour(MmapEvent evt) => null;

    /// <summary>Writes the event's line(s), ending in a line end.</summary>
    protected abstract void Render(MmapEvent evt, TextWriter output);

    /// <summary>Writes the event in the form that cannot fail (its raw template).</summary>
    protected abstract void RenderFallback(MmapEvent evt, TextWriter output);

    /// <summary>Whether an exception from <see cref="Render"/> means "use the fallback".</summary>
    protected virtual bool IsRenderingFailure(Exception e) => e is FormatException;

    /// <inheritdoc/>
    public virtual bool TryWriteRecord(MmapRecordStream records, IBufferWriter<byte> output) => false;

    /// <inheritdoc/>
    public virtual StringBuilder? TryWriteLine(MmapEvent evt) => null;

    public void Write(MmapEvent evt, TextWriter output)
    {
        if (TryFormat(evt) is { } text)
        {
            string? colour = Colour(evt);
            if (colour is not null) output.Write(colour);
            _text.CopyBufferTo(output, Escape);
            _text.Finish(colour is null ? null : Ansi.Reset);
            return;
        }
        WriteLarge(evt, output);
    }

    /// <summary>
    /// The event's text, unescaped and uncoloured, in a builder the next call reuses; null when it is
    /// larger than the buffer (then use <see cref="WriteLarge"/>).
    /// </summary>
    public StringBuilder? TryFormat(MmapEvent evt)
    {
        try
        {
            _text.StartBuffered();
            try
            {
                Render(evt, _text);
            }
            catch (Exception e) when (IsRenderingFailure(e))
            {
                _text.StartBuffered();
                RenderFallback(evt, _text);
            }
            EndLine();
            return _text.Buffered;
        }
        catch (EventTextWriter.TooLargeException)
        {
            return null;
        }
    }

    /// <summary>Writes an event whose text is too large to hold: a dry run to choose the rendering, then straight out.</summary>
    public void WriteLarge(MmapEvent evt, TextWriter output)
    {
        bool renders = true;
        _text.StartDiscarding();
        try
        {
            Render(evt, _text);
        }
        catch (Exception e) when (IsRenderingFailure(e))
        {
            renders = false;
        }
        string? colour = Colour(evt);
        if (colour is not null) output.Write(colour);
        _text.StartDirect(output, Escape);
        if (renders) Render(evt, _text);
        else RenderFallback(evt, _text);
        EndLine();
        _text.Finish(colour is null ? null : Ansi.Reset);
    }

    // One event is at least one whole line, even when an output template has no {NewLine}.
    private void EndLine()
    {
        if (_text.LastChar != '\n') _text.Write('\n');
    }
}
