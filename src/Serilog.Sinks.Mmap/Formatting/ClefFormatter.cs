using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace Serilog.Sinks.Mmap.Formatting;

/// <summary>
/// Writes events in the Compact Log Event Format (CLEF): one JSON object per line, with the
/// same bytes as Serilog.Formatting.Compact's <c>CompactJsonFormatter</c>, or, with
/// <c>renderMessage: true</c>, its <c>RenderedCompactJsonFormatter</c>.
/// </summary>
/// <remarks>
/// Fields, in order: <c>@t</c> (UTC timestamp, round-trip format); then either <c>@mt</c>
/// (message template) and <c>@r</c> (renderings of tokens that carry a format string), or
/// <c>@m</c> (rendered message) and <c>@i</c> (event id hashed from the template); then
/// <c>@l</c> (level, left out for Information), <c>@x</c> (exception), <c>@tr</c> and
/// <c>@sp</c> (trace and span ids), and last the event's properties at the top level, with a
/// leading <c>@</c> in a property name doubled.
/// </remarks>
public sealed class ClefFormatter : ITextFormatter
{
    // Serilog.Formatting.Compact passes "$type"; JsonValueFormatter's own default is "_typeTag".
    private const string TypeTagName = "$type";

    // Room for any DateTime in "O" format; a UTC one needs 28 characters.
    private const int TimestampBufferLength = 64;

    private readonly JsonValueFormatter _valueFormatter = new(TypeTagName);
    private readonly bool _renderMessage;

    /// <summary>Creates a CLEF formatter.</summary>
    /// <param name="renderMessage">
    /// <see langword="false"/> (the default) writes the message template as <c>@mt</c>, with
    /// <c>@r</c> renderings, as <c>CompactJsonFormatter</c> does. <see langword="true"/> writes
    /// the rendered message as <c>@m</c> and a template hash as <c>@i</c>, as
    /// <c>RenderedCompactJsonFormatter</c> does, for readers that cannot render templates.
    /// </param>
    public ClefFormatter(bool renderMessage = false)
    {
        _renderMessage = renderMessage;
    }

    /// <summary>Writes <paramref name="logEvent"/> as one CLEF line, ending in <paramref name="output"/>'s newline.</summary>
    /// <param name="logEvent">The event to write.</param>
    /// <param name="output">Where to write it.</param>
    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);

        WriteTimestamp(logEvent.Timestamp, output);
        if (_renderMessage)
        {
            WriteRenderedMessage(logEvent, output);
            WriteEventId(logEvent.MessageTemplate, output);
        }
        else
        {
            WriteMessageTemplate(logEvent.MessageTemplate, output);
            WriteRenderings(logEvent, output);
        }

        WriteLevel(logEvent.Level, output);
        WriteException(logEvent.Exception, output);
        WriteTraceContext(logEvent, output);
        WriteProperties(logEvent.Properties, output);
        output.Write('}');
        output.WriteLine();
    }

    private static void WriteTimestamp(DateTimeOffset timestamp, TextWriter output)
    {
        output.Write("{\"@t\":\"");
        DateTime utc = timestamp.UtcDateTime;
        // Formatting onto the stack saves a string per event; "O" is culture-independent.
        Span<char> buffer = stackalloc char[TimestampBufferLength];
        if (utc.TryFormat(buffer, out int written, "O", CultureInfo.InvariantCulture))
        {
            output.Write(buffer.Slice(0, written));
        }
        else
        {
            output.Write(utc.ToString("O", CultureInfo.InvariantCulture));
        }

        output.Write('"');
    }

    private static void WriteMessageTemplate(MessageTemplate template, TextWriter output)
    {
        output.Write(",\"@mt\":");
        JsonValueFormatter.WriteQuotedJsonString(template.Text, output);
    }

    // A reader can re-render the template itself except for format strings, which are
    // language-specific; @r carries those tokens pre-rendered, in template order.
    private static void WriteRenderings(LogEvent logEvent, TextWriter output)
    {
        StringWriter? rendering = null; // only events with formatted tokens pay for this
        foreach (MessageTemplateToken token in logEvent.MessageTemplate.Tokens)
        {
            if (token is not PropertyToken { Format: not null } property)
            {
                continue;
            }

            if (rendering is null)
            {
                rendering = new StringWriter(CultureInfo.InvariantCulture);
                output.Write(",\"@r\":[");
            }
            else
            {
                rendering.GetStringBuilder().Clear();
                output.Write(',');
            }

            property.Render(logEvent.Properties, rendering, CultureInfo.InvariantCulture);
            JsonValueFormatter.WriteQuotedJsonString(rendering.ToString(), output);
        }

        if (rendering is not null)
        {
            output.Write(']');
        }
    }

    private static void WriteRenderedMessage(LogEvent logEvent, TextWriter output)
    {
        output.Write(",\"@m\":");
        string message = logEvent.MessageTemplate.Render(logEvent.Properties, CultureInfo.InvariantCulture);
        JsonValueFormatter.WriteQuotedJsonString(message, output);
    }

    private static void WriteEventId(MessageTemplate template, TextWriter output)
    {
        output.Write(",\"@i\":\"");
        Span<char> hex = stackalloc char[8];
        EventIdHash.Compute(template.Text).TryFormat(hex, out int written, "x8", CultureInfo.InvariantCulture);
        output.Write(hex.Slice(0, written));
        output.Write('"');
    }

    // Absence of @l means Information in CLEF, so the commonest level costs nothing.
    private static void WriteLevel(LogEventLevel level, TextWriter output)
    {
        if (level == LogEventLevel.Information)
        {
            return;
        }

        output.Write(",\"@l\":\"");
        output.Write(LevelName(level));
        output.Write('"');
    }

    // The enum's own names, as CompactJsonFormatter writes them, without Enum.ToString's boxing.
    private static string LevelName(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "Verbose",
        LogEventLevel.Debug => "Debug",
        LogEventLevel.Information => "Information",
        LogEventLevel.Warning => "Warning",
        LogEventLevel.Error => "Error",
        LogEventLevel.Fatal => "Fatal",
        _ => level.ToString(),
    };

    private static void WriteException(Exception? exception, TextWriter output)
    {
        if (exception is null)
        {
            return;
        }

        output.Write(",\"@x\":");
        JsonValueFormatter.WriteQuotedJsonString(exception.ToString(), output);
    }

    private static void WriteTraceContext(LogEvent logEvent, TextWriter output)
    {
        if (logEvent.TraceId is { } traceId)
        {
            output.Write(",\"@tr\":\"");
            output.Write(traceId.ToHexString());
            output.Write('"');
        }

        if (logEvent.SpanId is { } spanId)
        {
            output.Write(",\"@sp\":\"");
            output.Write(spanId.ToHexString());
            output.Write('"');
        }
    }

    private void WriteProperties(IReadOnlyDictionary<string, LogEventPropertyValue> properties, TextWriter output)
    {
        // Serilog keeps properties in a Dictionary; enumerating it as one avoids boxing the
        // enumerator and visits the same entries in the same order.
        if (properties is Dictionary<string, LogEventPropertyValue> dictionary)
        {
            foreach (KeyValuePair<string, LogEventPropertyValue> property in dictionary)
            {
                WriteProperty(property.Key, property.Value, output);
            }

            return;
        }

        foreach (KeyValuePair<string, LogEventPropertyValue> property in properties)
        {
            WriteProperty(property.Key, property.Value, output);
        }
    }

    private void WriteProperty(string name, LogEventPropertyValue value, TextWriter output)
    {
        output.Write(',');
        // A leading @ marks CLEF's own fields, so a user property "@x" is escaped as "@@x".
        JsonValueFormatter.WriteQuotedJsonString(name.StartsWith('@') ? "@" + name : name, output);
        output.Write(':');
        _valueFormatter.Format(value, output);
    }
}
