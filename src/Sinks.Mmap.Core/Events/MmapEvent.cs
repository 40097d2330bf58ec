using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace Sinks.Mmap;

/// <summary>An event read back from a log, in the neutral form both adapters write.</summary>
public sealed class MmapEvent
{
    /// <summary>Creates an event; readers build these, tests and tools may too.</summary>
    public MmapEvent(
        long sequence,
        DateTimeOffset timestamp,
        MmapLevel level,
        string? messageTemplate,
        IReadOnlyList<LogProperty> properties,
        string? loggerName = null,
        string? renderedMessage = null,
        MmapExceptionInfo? exception = null,
        ActivityTraceId? traceId = null,
        ActivitySpanId? spanId = null)
    {
        Sequence = sequence;
        Timestamp = timestamp;
        Level = level;
        MessageTemplate = messageTemplate;
        Properties = properties;
        LoggerName = loggerName;
        RenderedMessage = renderedMessage;
        Exception = exception;
        TraceId = traceId;
        SpanId = spanId;
    }

    /// <summary>The record's sequence number, unique and increasing across the whole log.</summary>
    public long Sequence { get; }

    /// <summary>When the event happened, with the offset it was logged with.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The level.</summary>
    public MmapLevel Level { get; }

    /// <summary>The message template, in Serilog's syntax, or null.</summary>
    public string? MessageTemplate { get; }

    /// <summary>The event's properties, in the order they were written.</summary>
    public IReadOnlyList<LogProperty> Properties { get; }

    /// <summary>The logger or source-context name, when the producer recorded one.</summary>
    public string? LoggerName { get; }

    /// <summary>The message as the producer rendered it (NLog's layout), when recorded.</summary>
    public string? RenderedMessage { get; }

    /// <summary>The exception, when there was one.</summary>
    public MmapExceptionInfo? Exception { get; }

    /// <summary>The W3C trace id, when there was one.</summary>
    public ActivityTraceId? TraceId { get; }

    /// <summary>The W3C span id, when there was one.</summary>
    public ActivitySpanId? SpanId { get; }

    /// <summary>Where reading resumes after this event; set on events that a reader yields.</summary>
    public LogPosition? Position { get; internal set; }

    /// <summary>Finds a top-level property by name (the first of that name, when there are several).</summary>
    public bool TryGetProperty(string name, out LogValue value)
    {
        IReadOnlyList<LogProperty> properties = Properties;
        if (properties.Count > IndexAbove)
        {
            // Rendering looks a property up per hole: with many properties, a scan per hole would cost holes × properties.
            Dictionary<string, int> index = _index ??= BuildIndex(properties);
            if (index.TryGetValue(name, out int at))
            {
                value = properties[at].Value;
                return true;
            }
            value = LogScalar.Null;
            return false;
        }
        for (int i = 0; i < properties.Count; i++)
        {
            if (properties[i].Name == name)
            {
                value = properties[i].Value;
                return true;
            }
        }
        value = LogScalar.Null;
        return false;
    }

    private const int IndexAbove = 16;

    // Built on the first lookup, once per event; two threads may both build it, and either result is the same.
    private Dictionary<string, int>? _index;

    private static Dictionary<string, int> BuildIndex(IReadOnlyList<LogProperty> properties)
    {
        var index = new Dictionary<string, int>(properties.Count, StringComparer.Ordinal);
        for (int i = 0; i < properties.Count; i++) index.TryAdd(properties[i].Name, i);
        return index;
    }
}

/// <summary>An exception as recorded: its type, message and full text.</summary>
public sealed record MmapExceptionInfo(string? TypeName, string? Message, string? Text);
