using System;
using System.Collections.Generic;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>
/// Rendering that never throws for one bad event: a property format the value rejects
/// (<see cref="FormatException"/>) falls back to the raw message template.
/// </summary>
internal static class SafeRender
{
    private static readonly IReadOnlyList<LogProperty> NoProperties = Array.Empty<LogProperty>();

    /// <summary>The rendered message, or the raw template when rendering fails.</summary>
    public static string Message(MmapEvent evt)
    {
        try
        {
            return MmapEventRenderer.RenderMessage(evt);
        }
        catch (FormatException)
        {
            return evt.MessageTemplate ?? evt.RenderedMessage ?? "";
        }
    }

    /// <summary>
    /// The same event with its message fixed to the raw template (no template to render), for a
    /// second attempt after a <see cref="FormatException"/>. <paramref name="keepProperties"/> false
    /// also drops the properties, which an output template might format again.
    /// </summary>
    public static MmapEvent RawTemplateCopy(MmapEvent evt, bool keepProperties) => new(
        evt.Sequence,
        evt.Timestamp,
        evt.Level,
        messageTemplate: null,
        keepProperties ? evt.Properties : NoProperties,
        evt.LoggerName,
        evt.MessageTemplate ?? evt.RenderedMessage,
        evt.Exception,
        evt.TraceId,
        evt.SpanId);
}
