using System;
using System.Diagnostics;

namespace Sinks.Mmap.Adapters;

/// <summary>
/// The fixed part of an event, passed to <see cref="EventWriter.WriteHeader(in EventHeader)"/> before the properties.
/// A struct on the caller's stack: building one allocates nothing.
/// </summary>
public struct EventHeader
{
    /// <summary>The event's UTC offset in minutes, so the original local time reads back.</summary>
    public short OffsetMinutes;

    /// <summary>The message template (Serilog syntax), interned per segment.</summary>
    public string? MessageTemplate;

    /// <summary>The logger or source-context name, interned per segment.</summary>
    public string? LoggerName;

    /// <summary>The message as the producer rendered it, when it has one of its own (NLog's layout).</summary>
    public string? RenderedMessage;

    /// <summary>
    /// True when the producer's rendered message is exactly the template's plain rendering
    /// (<see cref="TryRenderPlain"/>): nothing is stored for it, and readers rebuild
    /// <see cref="MmapEvent.RenderedMessage"/> from the template and properties. Ignored without a
    /// template, or when <see cref="RenderedMessage"/> (or an explicit rendered message) is given.
    /// </summary>
    public bool RenderedMessageIsPlain;

    /// <summary>
    /// The text readers rebuild for a message marked <see cref="RenderedMessageIsPlain"/>: the template as
    /// written, each hole replaced by its property's plain invariant text (strings without quotes,
    /// <c>true</c>/<c>false</c>, invariant numbers, Guids in <c>D</c> form); null when the template has no
    /// plain rendering (a hole with a format, alignment or <c>@</c>/<c>$</c>, a hole without a property, a
    /// value that is not a plain scalar). An adapter whose own rendering equals it may set the flag and
    /// store no text.
    /// </summary>
    /// <param name="template">The message template.</param>
    /// <param name="names">The property names.</param>
    /// <param name="values">The property values, in the order of <paramref name="names"/>.</param>
    /// <returns>The rendered message, or null.</returns>
    public static string? TryRenderPlain(string template, ReadOnlySpan<string> names, ReadOnlySpan<object?> values) =>
        Templates.PlainMessageRenderer.TryRender(template, names, values);

    /// <summary>The exception's CLR type name.</summary>
    public string? ExceptionType;

    /// <summary>The exception's message.</summary>
    public string? ExceptionMessage;

    /// <summary>The exception's full text (<c>ToString()</c>); an exception is recorded when this or the type is set.</summary>
    public string? ExceptionText;

    /// <summary>The W3C trace id, when there is one.</summary>
    public ActivityTraceId? TraceId;

    /// <summary>The W3C span id, when there is one.</summary>
    public ActivitySpanId? SpanId;

    /// <summary>How many top-level properties follow.</summary>
    public int PropertyCount;

    /// <summary>
    /// Sets <see cref="ExceptionType"/>, <see cref="ExceptionMessage"/> and <see cref="ExceptionText"/>
    /// from <paramref name="exception"/>. The text is rendered once per exception and reused while
    /// nothing it shows has changed (its stack trace, message or inner exceptions), so an exception
    /// logged again costs no new rendering.
    /// </summary>
    public void SetException(System.Exception exception)
    {
        System.ArgumentNullException.ThrowIfNull(exception);
        ExceptionText = ExceptionTexts.Of(exception, out string typeName);
        ExceptionType = typeName;
        ExceptionMessage = exception.Message;
    }
}
