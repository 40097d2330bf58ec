using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Sinks.Mmap.Templates;

namespace Sinks.Mmap.Rendering;

/// <summary>
/// Formats <see cref="MmapEvent"/>s as text through a Serilog output template, with the same results as
/// Serilog 4.4.0's <c>MessageTemplateTextFormatter</c>. Instances are immutable and thread-safe.
/// </summary>
public sealed class OutputTemplateFormatter
{
    /// <summary>Serilog's file sink default: <c>{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}</c>.</summary>
    public const string DefaultOutputTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

    private readonly ParsedTemplate _template;
    private readonly IFormatProvider? _formatProvider;

    /// <summary>Creates a formatter.</summary>
    /// <param name="outputTemplate">The output template; tokens <c>Timestamp</c>, <c>Level</c>, <c>Message</c>, <c>NewLine</c>,
    /// <c>Exception</c>, <c>Properties</c>, <c>TraceId</c>, <c>SpanId</c>, <c>SourceContext</c> and any event property.</param>
    /// <param name="formatProvider">Culture-specific formatting, or null for the invariant culture (as Serilog 4.4.0 does).</param>
    public OutputTemplateFormatter(string outputTemplate = DefaultOutputTemplate, IFormatProvider? formatProvider = null)
    {
        ArgumentNullException.ThrowIfNull(outputTemplate);
        _template = TemplateParser.Parse(outputTemplate);
        _formatProvider = formatProvider;
    }

    /// <summary>The output template this formatter was built with.</summary>
    public string OutputTemplate => _template.Text;

    /// <summary>Formats one event to <paramref name="output"/>.</summary>
    /// <param name="logEvent">The event.</param>
    /// <param name="output">Where to write.</param>
    public void Format(MmapEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);

        TemplateToken[] tokens = _template.Tokens;
        for (int i = 0; i < tokens.Length; i++)
        {
            TemplateToken token = tokens[i];
            if (!token.IsProperty)
            {
                output.Write(token.Text);
                continue;
            }

            switch (token.PropertyName)
            {
                case "Level":
                    MmapEventRenderer.Pad(output, LevelMoniker.Get(logEvent.Level, token.Format), token);
                    continue;
                case "NewLine":
                    MmapEventRenderer.Pad(output, Environment.NewLine, token);
                    continue;
                case "Exception":
                    string? exceptionText = ExceptionText(logEvent.Exception);
                    MmapEventRenderer.Pad(output, exceptionText == null ? string.Empty : exceptionText + Environment.NewLine, token);
                    continue;
            }

            TextWriter writer = token.HasAlignment ? new StringWriter(CultureInfo.InvariantCulture) : output;
            switch (token.PropertyName)
            {
                case "Message":
                    MmapEventRenderer.RenderMessage(logEvent, writer, token.Format, _formatProvider);
                    break;
                case "Timestamp":
                    WriteTimestamp(logEvent.Timestamp, writer, token.Format);
                    break;
                case "Properties":
                    WriteProperties(logEvent, writer, token.Format);
                    break;
                case "TraceId":
                    if (logEvent.TraceId is { } traceId)
                        writer.Write(traceId.ToHexString());
                    break;
                case "SpanId":
                    if (logEvent.SpanId is { } spanId)
                        writer.Write(spanId.ToHexString());
                    break;
                default:
                    // A missing property renders nothing at all, not even alignment padding.
                    if (!MmapEventRenderer.TryGetProperty(logEvent, token.PropertyName, out LogValue value))
                        continue;
                    if (value is LogScalar { Value: string text })
                        writer.Write(ApplyCasing(text, token.Format));
                    else
                        ValueRenderer.Render(value, writer, token.Format, _formatProvider);
                    break;
            }

            if (token.HasAlignment)
                MmapEventRenderer.Pad(output, writer.ToString() ?? string.Empty, token);
        }
    }

    /// <summary>Formats one event to a string.</summary>
    /// <param name="logEvent">The event.</param>
    /// <returns>The formatted text.</returns>
    public string Format(MmapEvent logEvent)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        Format(logEvent, output);
        return output.ToString();
    }

    /// <summary>An exception's full text, as <c>Exception.ToString()</c> would give it.</summary>
    internal static string? ExceptionText(MmapExceptionInfo? exception)
    {
        if (exception == null)
            return null;
        if (exception.Text != null)
            return exception.Text;
        string typeName = exception.TypeName ?? "System.Exception";
        return string.IsNullOrEmpty(exception.Message) ? typeName : typeName + ": " + exception.Message;
    }

    private void WriteTimestamp(DateTimeOffset timestamp, TextWriter output, string? format)
    {
        if (_formatProvider?.GetFormat(typeof(ICustomFormatter)) is ICustomFormatter custom)
        {
            output.Write(custom.Format(format, timestamp, _formatProvider));
            return;
        }

        IFormatProvider provider = _formatProvider ?? CultureInfo.InvariantCulture;
        Span<char> buffer = stackalloc char[64];
        if (timestamp.TryFormat(buffer, out int written, format, provider))
            output.Write(buffer.Slice(0, written));
        else
            output.Write(timestamp.ToString(format, provider));
    }

    // Serilog's {Properties}: every property named in neither the message template nor the output template.
    private void WriteProperties(MmapEvent logEvent, TextWriter output, string? format)
    {
        ParsedTemplate? messageTemplate = logEvent.MessageTemplate == null ? null : TemplateParser.GetOrParse(logEvent.MessageTemplate);
        IReadOnlyList<LogProperty> properties = logEvent.Properties;
        bool addSourceContext = MmapEventRenderer.HasSyntheticSourceContext(logEvent);
        bool json = format != null && format.Contains('j', StringComparison.Ordinal);

        output.Write(json ? "{" : "{ ");
        bool first = true;
        int count = properties.Count + (addSourceContext ? 1 : 0);
        for (int i = 0; i < count; i++)
        {
            LogProperty property = i < properties.Count
                ? properties[i]
                : new LogProperty(MmapEventRenderer.SourceContextName, new LogScalar(logEvent.LoggerName));
            if ((messageTemplate != null && messageTemplate.ContainsProperty(property.Name)) || _template.ContainsProperty(property.Name))
                continue;

            if (json)
            {
                if (!first)
                    output.Write(',');
                ValueRenderer.WriteQuotedJsonString(property.Name, output);
                output.Write(':');
                ValueRenderer.WriteJson(property.Value, output);
            }
            else
            {
                if (!first)
                    output.Write(", ");
                output.Write(property.Name);
                output.Write(": ");
                ValueRenderer.Render(property.Value, output, null, _formatProvider);
            }
            first = false;
        }
        output.Write(json ? "}" : " }");
    }

    // Serilog's Casing.Format: "u" upper-cases, "w" lower-cases, anything else leaves the text alone.
    private static string ApplyCasing(string text, string? format) => format switch
    {
        "u" => text.ToUpperInvariant(),
        "w" => text.ToLowerInvariant(),
        _ => text,
    };
}
