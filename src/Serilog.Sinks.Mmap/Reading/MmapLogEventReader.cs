using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.Mmap.Translation;
using Sinks.Mmap;

namespace Serilog.Sinks.Mmap.Reading;

/// <summary>Turns events read from a memory-mapped log back into Serilog <see cref="LogEvent"/>s.</summary>
public static class MmapLogEventReader
{
    private const int MaxCachedTemplates = 1000;
    private static readonly MessageTemplateParser Parser = new();
    private static readonly ConcurrentDictionary<string, MessageTemplate> Templates = new();

    /// <summary>Every event in the log at <paramref name="path"/> (a segment, the sink's path, or a folder), from <paramref name="from"/> on.</summary>
    public static IEnumerable<LogEvent> ReadLogEvents(string path, LogPosition? from = null)
    {
        foreach (MmapEvent e in new MmapLogReader(path).ReadEvents(from))
        {
            yield return ToLogEvent(e);
        }
    }

    /// <summary>
    /// The Serilog event equal to the one that was written: template, properties (with their CLR
    /// types), level, timestamp and offset, exception text, trace and span ids. Events written by
    /// NLog (a rendered message, no template) get their message as an escaped template and their
    /// logger name as <c>SourceContext</c>.
    /// </summary>
    public static LogEvent ToLogEvent(MmapEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        MessageTemplate template = e.MessageTemplate is { } text ? Parse(text) : Parse(Escape(e.RenderedMessage ?? ""));
        var properties = new List<LogEventProperty>(e.Properties.Count + 1);
        bool hasSourceContext = false;
        foreach (LogProperty property in e.Properties)
        {
            if (!LogEventProperty.IsValidName(property.Name)) continue;
            hasSourceContext |= property.Name == "SourceContext";
            properties.Add(new LogEventProperty(property.Name, ToPropertyValue(property.Value)));
        }
        if (!hasSourceContext && e.LoggerName is { } logger)
        {
            properties.Add(new LogEventProperty("SourceContext", new ScalarValue(logger)));
        }
        Exception? exception = e.Exception is { } x ? new RecordedException(x.TypeName, x.Message, x.Text) : null;
        return new LogEvent(e.Timestamp, LevelMap.ToSerilog(e.Level), exception, template, properties,
            e.TraceId ?? default(ActivityTraceId), e.SpanId ?? default(ActivitySpanId));
    }

    /// <summary>The Serilog value for a neutral value; opaque scalars come back as <see cref="RecordedScalar"/>.</summary>
    public static LogEventPropertyValue ToPropertyValue(LogValue value)
    {
        switch (value)
        {
            case LogScalar scalar:
                return new ScalarValue(scalar.Value);
            case LogOpaqueScalar opaque:
                return new ScalarValue(new RecordedScalar(opaque.TypeName, opaque.Text));
            case LogSequence sequence:
                var elements = new List<LogEventPropertyValue>(sequence.Elements.Count);
                foreach (LogValue element in sequence.Elements) elements.Add(ToPropertyValue(element));
                return new SequenceValue(elements);
            case LogStructure structure:
                var members = new List<LogEventProperty>(structure.Properties.Count);
                foreach (LogProperty member in structure.Properties)
                {
                    if (LogEventProperty.IsValidName(member.Name)) members.Add(new LogEventProperty(member.Name, ToPropertyValue(member.Value)));
                }
                return new StructureValue(members, structure.TypeTag);
            case LogDictionary dictionary:
                var entries = new List<KeyValuePair<ScalarValue, LogEventPropertyValue>>(dictionary.Entries.Count);
                foreach (KeyValuePair<LogValue, LogValue> entry in dictionary.Entries)
                {
                    ScalarValue key = ToPropertyValue(entry.Key) as ScalarValue ?? new ScalarValue(entry.Key.ToString());
                    entries.Add(new KeyValuePair<ScalarValue, LogEventPropertyValue>(key, ToPropertyValue(entry.Value)));
                }
                return new DictionaryValue(entries);
            default:
                return new ScalarValue(null);
        }
    }

    private static MessageTemplate Parse(string text)
    {
        if (Templates.TryGetValue(text, out MessageTemplate? template)) return template;
        template = Parser.Parse(text);
        if (Templates.Count < MaxCachedTemplates) Templates.TryAdd(text, template);
        return template;
    }

    private static string Escape(string message) => message.Replace("{", "{{").Replace("}", "}}");
}
