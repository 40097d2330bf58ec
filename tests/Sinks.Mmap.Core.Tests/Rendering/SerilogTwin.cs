using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;
using Serilog.Parsing;
using Sinks.Mmap;

namespace Sinks.Mmap.Core.Tests.Rendering;

/// <summary>Builds the Serilog equivalent of neutral values and events, so tests can compare outputs.</summary>
internal static class SerilogTwin
{
    private static readonly MessageTemplateParser Parser = new();

    public static LogEventPropertyValue ToSerilog(LogValue value)
    {
        switch (value)
        {
            case LogScalar scalar:
                return new ScalarValue(scalar.Value);
            case LogOpaqueScalar opaque:
                return new ScalarValue(new OpaqueObject(opaque.Text));
            case LogSequence sequence:
            {
                var elements = new List<LogEventPropertyValue>();
                foreach (LogValue element in sequence.Elements)
                    elements.Add(ToSerilog(element));
                return new SequenceValue(elements);
            }
            case LogStructure structure:
            {
                var properties = new List<LogEventProperty>();
                foreach (LogProperty property in structure.Properties)
                    properties.Add(new LogEventProperty(property.Name, ToSerilog(property.Value)));
                return new StructureValue(properties, structure.TypeTag);
            }
            case LogDictionary dictionary:
            {
                var entries = new List<KeyValuePair<ScalarValue, LogEventPropertyValue>>();
                foreach (KeyValuePair<LogValue, LogValue> entry in dictionary.Entries)
                    entries.Add(new KeyValuePair<ScalarValue, LogEventPropertyValue>((ScalarValue)ToSerilog(entry.Key), ToSerilog(entry.Value)));
                return new DictionaryValue(entries);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(value));
        }
    }

    /// <summary>The Serilog event equivalent to <paramref name="mmapEvent"/>; the logger name becomes a trailing SourceContext property.</summary>
    public static LogEvent ToLogEvent(MmapEvent mmapEvent, Exception? exception = null)
    {
        var properties = new List<LogEventProperty>();
        foreach (LogProperty property in mmapEvent.Properties)
            properties.Add(new LogEventProperty(property.Name, ToSerilog(property.Value)));
        if (mmapEvent.LoggerName != null && !mmapEvent.TryGetProperty("SourceContext", out _))
            properties.Add(new LogEventProperty("SourceContext", new ScalarValue(mmapEvent.LoggerName)));

        return new LogEvent(
            mmapEvent.Timestamp,
            (LogEventLevel)(int)mmapEvent.Level,
            exception,
            Parser.Parse(mmapEvent.MessageTemplate ?? string.Empty),
            properties,
            mmapEvent.TraceId ?? default,
            mmapEvent.SpanId ?? default);
    }

    public static MessageTemplate Parse(string template) => Parser.Parse(template);

    public static string Render(LogValue value, string? format, IFormatProvider? provider)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        ToSerilog(value).Render(output, format, provider);
        return output.ToString();
    }

    public static string Json(LogValue value)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        new JsonValueFormatter("$type").Format(ToSerilog(value), output);
        return output.ToString();
    }

    public static string RenderMessage(MmapEvent mmapEvent, IFormatProvider? provider)
    {
        LogEvent logEvent = ToLogEvent(mmapEvent);
        var output = new StringWriter(CultureInfo.InvariantCulture);
        logEvent.MessageTemplate.Render(logEvent.Properties, output, provider);
        return output.ToString();
    }

    public static string FormatText(MmapEvent mmapEvent, string outputTemplate, IFormatProvider? provider, Exception? exception = null)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        new MessageTemplateTextFormatter(outputTemplate, provider).Format(ToLogEvent(mmapEvent, exception), output);
        return output.ToString();
    }

    /// <summary>Stands in for an object the neutral format kept only as text: ToString() gives that text.</summary>
    private sealed class OpaqueObject
    {
        private readonly string? _text;

        public OpaqueObject(string? text) => _text = text;

        public override string? ToString() => _text;
    }
}

/// <summary>Builds neutral events for tests.</summary>
internal static class Events
{
    public static readonly DateTimeOffset Timestamp = new(2024, 2, 29, 13, 14, 15, 123, TimeSpan.FromHours(5.5));

    public static MmapEvent Make(
        string? template,
        IReadOnlyList<LogProperty> properties,
        MmapLevel level = MmapLevel.Information,
        string? loggerName = null,
        string? renderedMessage = null,
        MmapExceptionInfo? exception = null,
        ActivityTraceId? traceId = null,
        ActivitySpanId? spanId = null,
        DateTimeOffset? timestamp = null) =>
        new(1, timestamp ?? Timestamp.AddTicks(4567), level, template, properties, loggerName, renderedMessage, exception, traceId, spanId);

    public static LogProperty P(string name, object? value) => new(name, value as LogValue ?? new LogScalar(value));

    public static LogScalar S(object? value) => new(value);

    public static LogSequence Seq(params LogValue[] elements) => new(elements);

    public static LogStructure Struct(string? typeTag, params LogProperty[] properties) => new(typeTag, properties);

    public static LogDictionary Dict(params (object? Key, LogValue Value)[] entries)
    {
        var list = new List<KeyValuePair<LogValue, LogValue>>();
        foreach ((object? key, LogValue value) in entries)
            list.Add(new KeyValuePair<LogValue, LogValue>(new LogScalar(key), value));
        return new LogDictionary(list);
    }
}
