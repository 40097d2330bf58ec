using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Sinks.Mmap.Templates;

namespace Sinks.Mmap.Rendering;

/// <summary>
/// Writes <see cref="MmapEvent"/>s as compact log event format (CLEF) JSON lines, byte for byte as
/// Serilog.Formatting.Compact's <c>CompactJsonFormatter</c> writes the equivalent Serilog event.
/// Instances are immutable and thread-safe.
/// </summary>
public sealed partial class ClefWriter
{
    private readonly bool _includeRenderedMessage;
    private readonly IFormatProvider _formatProvider;

    /// <summary>Creates a writer.</summary>
    /// <param name="includeRenderedMessage">Also write <c>@m</c>, the rendered message, after <c>@mt</c>.
    /// Events without a template always get <c>@m</c> from <see cref="MmapEvent.RenderedMessage"/>.</param>
    /// <param name="formatProvider">Formatting for <c>@r</c> and <c>@m</c>; null means the invariant culture, as CompactJsonFormatter uses.</param>
    public ClefWriter(bool includeRenderedMessage = false, IFormatProvider? formatProvider = null)
    {
        _includeRenderedMessage = includeRenderedMessage;
        _formatProvider = formatProvider ?? CultureInfo.InvariantCulture;
    }

    /// <summary>Writes one event as a JSON object followed by a newline.</summary>
    /// <param name="logEvent">The event.</param>
    /// <param name="output">Where to write.</param>
    public void Write(MmapEvent logEvent, TextWriter output)
    {
        WriteObject(logEvent, output);
        output.WriteLine();
    }

    /// <summary>Formats one event as a JSON object, without a trailing newline.</summary>
    /// <param name="logEvent">The event.</param>
    /// <returns>The JSON text.</returns>
    public string Format(MmapEvent logEvent)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        WriteObject(logEvent, output);
        return output.ToString();
    }

    /// <summary>Writes one event as a JSON object, without a trailing newline.</summary>
    /// <param name="logEvent">The event.</param>
    /// <param name="output">Where to write.</param>
    public void WriteObject(MmapEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);

        output.Write("{\"@t\":\"");
        Span<char> stamp = stackalloc char[40];
        if (logEvent.Timestamp.UtcDateTime.TryFormat(stamp, out int written, "O", CultureInfo.InvariantCulture))
            output.Write(stamp.Slice(0, written));
        else
            output.Write(logEvent.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        output.Write('"');

        ParsedTemplate? template = null;
        if (logEvent.MessageTemplate != null)
        {
            template = TemplateParser.GetOrParse(logEvent.MessageTemplate);
            output.Write(",\"@mt\":");
            ValueRenderer.WriteQuotedJsonString(logEvent.MessageTemplate, output);
            if (_includeRenderedMessage)
            {
                output.Write(",\"@m\":");
                ValueRenderer.WriteQuotedJsonString(MmapEventRenderer.RenderMessage(logEvent, _formatProvider), output);
            }
        }
        else if (logEvent.RenderedMessage != null)
        {
            output.Write(",\"@m\":");
            ValueRenderer.WriteQuotedJsonString(logEvent.RenderedMessage, output);
        }

        if (template != null && template.HasFormattedProperties)
        {
            output.Write(",\"@r\":[");
            bool first = true;
            TemplateToken[] tokens = template.Tokens;
            for (int i = 0; i < tokens.Length; i++)
            {
                if (!tokens[i].IsProperty || tokens[i].Format == null)
                    continue;
                if (!first)
                    output.Write(',');
                first = false;
                var rendering = new StringWriter(CultureInfo.InvariantCulture);
                MmapEventRenderer.RenderHole(tokens[i], logEvent, rendering, _formatProvider, literal: false, json: false);
                ValueRenderer.WriteQuotedJsonString(rendering.ToString(), output);
            }
            output.Write(']');
        }

        if (logEvent.Level != MmapLevel.Information)
        {
            output.Write(",\"@l\":\"");
            output.Write(LevelName(logEvent.Level));
            output.Write('"');
        }

        string? exceptionText = OutputTemplateFormatter.ExceptionText(logEvent.Exception);
        if (exceptionText != null)
        {
            output.Write(",\"@x\":");
            ValueRenderer.WriteQuotedJsonString(exceptionText, output);
        }

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

        IReadOnlyList<LogProperty> properties = logEvent.Properties;
        for (int i = 0; i < properties.Count; i++)
            WriteProperty(properties[i].Name, properties[i].Value, output);

        if (MmapEventRenderer.HasSyntheticSourceContext(logEvent))
        {
            output.Write(",\"");
            output.Write(MmapEventRenderer.SourceContextName);
            output.Write("\":");
            ValueRenderer.WriteQuotedJsonString(logEvent.LoggerName!, output);
        }

        output.Write('}');
    }

    private static void WriteProperty(string name, LogValue value, TextWriter output)
    {
        output.Write(',');
        // CLEF reserves a leading '@'; a user property escapes it by doubling.
        ValueRenderer.WriteQuotedJsonString(name.Length > 0 && name[0] == '@' ? "@" + name : name, output);
        output.Write(':');
        ValueRenderer.WriteJson(value, output);
    }

    private static string LevelName(MmapLevel level) => level switch
    {
        MmapLevel.Verbose => "Verbose",
        MmapLevel.Debug => "Debug",
        MmapLevel.Information => "Information",
        MmapLevel.Warning => "Warning",
        MmapLevel.Error => "Error",
        MmapLevel.Fatal => "Fatal",
        _ => ((int)level).ToString(CultureInfo.InvariantCulture),
    };
}
