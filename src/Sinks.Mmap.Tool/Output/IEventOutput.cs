using System.IO;

namespace Sinks.Mmap.Tool.Output;

/// <summary>Writes one event as one or more whole lines.</summary>
internal interface IEventOutput
{
    /// <summary>Writes <paramref name="evt"/>; never throws for the event's contents.</summary>
    void Write(MmapEvent evt, TextWriter output);
}

/// <summary>Creates the output for <c>--format</c>.</summary>
internal static class EventOutputs
{
    public const string Text = "text";
    public const string Clef = "clef";
    public const string Json = "json";

    public static IEventOutput Create(string format, string? outputTemplate, bool colour) => format switch
    {
        Clef => new ClefEventOutput(),
        Json => new JsonEventOutput(),
        _ => new TextEventOutput(outputTemplate, colour),
    };
}
