using System;
using System.Buffers;
using System.IO;
using System.Text;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>Writes one event as one or more whole lines.</summary>
internal interface IEventOutput
{
    /// <summary>Writes <paramref name="evt"/>; never throws for the event's contents.</summary>
    void Write(MmapEvent evt, TextWriter output);

    /// <summary>
    /// Writes the stream's current Event record straight from its bytes to <paramref name="output"/>
    /// (a large record in pieces); false when this output has no such path or the record needs decoding
    /// (nothing was written then).
    /// </summary>
    bool TryWriteRecord(MmapRecordStream records, IBufferWriter<byte> output);

    /// <summary>
    /// The event's line, to join a line buffer, in a builder the next call reuses; null when the event is
    /// to be written with <see cref="Write"/> instead.
    /// </summary>
    StringBuilder? TryWriteLine(MmapEvent evt);
}

/// <summary>Creates the output for <c>--format</c>.</summary>
internal static class EventOutputs
{
    public const string Text = "text";
    public const string Clef = "clef";
    public const string Json = "json";

    /// <summary>
    /// The output for <paramref name="format"/>. An output template (<c>-t</c>) and <c>--raw</c> only shape
    /// text: with another format they are a usage error rather than silently ignored.
    /// </summary>
    public static IEventOutput Create(string format, string? outputTemplate, bool colour, bool raw = false)
    {
        if (outputTemplate is not null && format != Text)
        {
            throw new ToolException($"--output-template applies only to --format text, not {format}");
        }
        if (raw && format != Text)
        {
            throw new ToolException($"--raw applies only to --format text ({format} escapes control characters as JSON does)");
        }
        return format switch
        {
            Clef => new ClefEventOutput(),
            Json => new JsonEventOutput(),
            _ => new TextEventOutput(outputTemplate, colour, escape: !raw),
        };
    }
}
