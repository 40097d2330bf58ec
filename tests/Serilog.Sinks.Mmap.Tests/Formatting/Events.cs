using System;
using System.Collections.Generic;
using System.Diagnostics;
using Serilog.Events;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Formatting;

/// <summary>
/// Builds log events with a fixed timestamp, capturing properties exactly as a real Serilog
/// logger does (destructuring, positional binding) so snapshots reflect production events.
/// </summary>
internal static class Events
{
    private static readonly ILogger Binder = new LoggerConfiguration().CreateLogger();

    internal static LogEvent Create(DateTimeOffset timestamp, LogEventLevel level, string template, params object?[] values) =>
        Create(timestamp, level, null, template, values);

    internal static LogEvent Create(
        DateTimeOffset timestamp, LogEventLevel level, Exception? exception, string template, params object?[] values)
    {
        Assert.True(Binder.BindMessageTemplate(template, values, out MessageTemplate? parsed, out IEnumerable<LogEventProperty>? properties));
        return new LogEvent(timestamp, level, exception, parsed, properties);
    }

    /// <summary>Adds a property a template cannot name, such as one starting with '@'.</summary>
    internal static LogEvent WithProperty(LogEvent logEvent, string name, LogEventPropertyValue value)
    {
        logEvent.AddOrUpdateProperty(new LogEventProperty(name, value));
        return logEvent;
    }

    internal static LogEvent WithTrace(LogEvent logEvent, ActivityTraceId traceId, ActivitySpanId spanId) =>
        new(logEvent.Timestamp, logEvent.Level, logEvent.Exception, logEvent.MessageTemplate, Properties(logEvent), traceId, spanId);

    private static List<LogEventProperty> Properties(LogEvent logEvent)
    {
        var properties = new List<LogEventProperty>();
        foreach (KeyValuePair<string, LogEventPropertyValue> property in logEvent.Properties)
        {
            properties.Add(new LogEventProperty(property.Key, property.Value));
        }

        return properties;
    }
}
