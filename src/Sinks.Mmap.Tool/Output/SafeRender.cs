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

    /// <summary>Widths and precisions above this in a template's holes are treated as hostile.</summary>
    public const int MaxWidth = TemplateSafety.MaxWidth;

    /// <summary>The rendered message, or the raw template when rendering fails.</summary>
    public static string Message(MmapEvent evt)
    {
        if (IsHostile(evt.MessageTemplate)) return evt.MessageTemplate!;
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
    /// True when a hole in <paramref name="template"/> asks for an alignment or a format precision
    /// over <see cref="MaxWidth"/> (say <c>{A,2000000000}</c> or <c>{N:D999999999}</c>): rendering it
    /// would write gigabytes, so such an event is shown with its raw template instead.
    /// </summary>
    public static bool IsHostile(string? template) => TemplateSafety.IsHostile(template);

    /// <summary>The event to render: <paramref name="evt"/> itself, or its raw-template copy when its template is hostile.</summary>
    public static MmapEvent Defused(MmapEvent evt, bool keepProperties) =>
        IsHostile(evt.MessageTemplate) ? RawTemplateCopy(evt, keepProperties) : evt;

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
