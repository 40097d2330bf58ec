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
    /// (<see cref="Templates.PlainMessageRenderer"/>): nothing is stored for it, and readers rebuild
    /// <see cref="MmapEvent.RenderedMessage"/> from the template and properties. Ignored without a
    /// template, or when <see cref="RenderedMessage"/> (or an explicit rendered message) is given.
    /// </summary>
    public bool RenderedMessageIsPlain;

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
        System.Type type = exception.GetType();
        ExceptionType = type.FullName ?? type.Name;
        ExceptionMessage = exception.Message;
        ExceptionText = ExceptionTexts.Of(exception);
    }
}
