using System;
using System.Globalization;
using System.IO;
using Sinks.Mmap.Templates;

namespace Sinks.Mmap.Rendering;

/// <summary>
/// Renders an <see cref="MmapEvent"/>'s message the way Serilog 4.4.0 renders <c>{Message}</c>:
/// the template's text tokens as written and each property hole replaced by the property's value.
/// </summary>
public static class MmapEventRenderer
{
    /// <summary>
    /// True when a hole in <paramref name="template"/> asks for an alignment or a format precision over
    /// 10 000 (say <c>{A,2000000000}</c> or <c>{N:D999999999}</c>): rendering it would write gigabytes, so a
    /// reader that must not fail shows such an event's raw template instead.
    /// </summary>
    /// <param name="template">A message template; null is not hostile.</param>
    /// <returns>True when rendering the template could write an unbounded amount of text.</returns>
    public static bool IsHostileTemplate(string? template) => TemplateSafety.IsHostile(template);

    private const string SourceContextPropertyName = "SourceContext";

    /// <summary>
    /// Renders the event's message as a string, as Serilog's <c>MessageTemplate.Render</c> does:
    /// string values quoted, missing properties left as their raw token text.
    /// </summary>
    /// <param name="logEvent">The event.</param>
    /// <param name="formatProvider">Culture-specific formatting, or null for the invariant culture (as Serilog 4.4.0 does).</param>
    /// <returns>The rendered message; an event with no template renders its <see cref="MmapEvent.RenderedMessage"/>.</returns>
    public static string RenderMessage(MmapEvent logEvent, IFormatProvider? formatProvider = null)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var output = new StringWriter(CultureInfo.InvariantCulture);
        RenderMessage(logEvent, output, null, formatProvider);
        return output.ToString();
    }

    /// <summary>
    /// Writes the event's message as Serilog's output-template <c>{Message}</c> token does with the given format:
    /// <c>l</c> writes top-level strings unquoted, <c>j</c> writes non-scalar values (and unformatted holes) as JSON.
    /// </summary>
    /// <param name="logEvent">The event.</param>
    /// <param name="output">Where to write.</param>
    /// <param name="format">The <c>{Message}</c> token's format, such as <c>"lj"</c>, or null.</param>
    /// <param name="formatProvider">Culture-specific formatting, or null for the invariant culture (as Serilog 4.4.0 does).</param>
    public static void RenderMessage(MmapEvent logEvent, TextWriter output, string? format, IFormatProvider? formatProvider = null)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);

        if (logEvent.MessageTemplate == null)
        {
            if (logEvent.RenderedMessage != null)
                output.Write(logEvent.RenderedMessage);
            return;
        }

        bool literal = false, json = false;
        if (format != null)
        {
            for (int i = 0; i < format.Length; i++)
            {
                if (format[i] == 'l')
                    literal = true;
                else if (format[i] == 'j')
                    json = true;
            }
        }

        ParsedTemplate template = TemplateParser.GetOrParse(logEvent.MessageTemplate);
        TemplateToken[] tokens = template.Tokens;
        for (int i = 0; i < tokens.Length; i++)
        {
            TemplateToken token = tokens[i];
            if (token.IsProperty)
                RenderHole(token, logEvent, output, formatProvider, literal, json);
            else
                output.Write(token.Text);
        }
    }

    /// <summary>Renders one property hole, applying its format and alignment, or its raw text when the property is missing.</summary>
    internal static void RenderHole(TemplateToken token, MmapEvent logEvent, TextWriter output, IFormatProvider? formatProvider, bool literal, bool json)
    {
        if (!TryGetProperty(logEvent, token.PropertyName, out LogValue value))
        {
            output.Write(token.Text);
            return;
        }

        if (!token.HasAlignment)
        {
            RenderHoleValue(value, token.Format, output, formatProvider, literal, json);
            return;
        }

        var buffer = new StringWriter(CultureInfo.InvariantCulture);
        RenderHoleValue(value, token.Format, buffer, formatProvider, literal, json);
        Pad(output, buffer.ToString(), token);
    }

    private static void RenderHoleValue(LogValue value, string? format, TextWriter output, IFormatProvider? formatProvider, bool literal, bool json)
    {
        if (literal && value is LogScalar { Value: string text })
            output.Write(text);
        else if (json && format == null)
            ValueRenderer.WriteJson(value, output);
        else
            ValueRenderer.Render(value, output, format, formatProvider);
    }

    /// <summary>Writes <paramref name="value"/> padded with spaces to the token's alignment, as Serilog's <c>Padding.Apply</c>.</summary>
    internal static void Pad(TextWriter output, string value, TemplateToken token)
    {
        int pad = token.AlignmentWidth - value.Length;
        if (!token.HasAlignment || pad <= 0)
        {
            output.Write(value);
            return;
        }

        if (token.AlignLeft)
            output.Write(value);
        for (int i = 0; i < pad; i++)
            output.Write(' ');
        if (!token.AlignLeft)
            output.Write(value);
    }

    /// <summary>
    /// Finds a property by name; <c>SourceContext</c> falls back to <see cref="MmapEvent.LoggerName"/>
    /// when the event has no property of that name.
    /// </summary>
    internal static bool TryGetProperty(MmapEvent logEvent, string name, out LogValue value)
    {
        if (logEvent.TryGetProperty(name, out value))
            return true;
        if (logEvent.LoggerName != null && name == SourceContextPropertyName)
        {
            value = new LogScalar(logEvent.LoggerName);
            return true;
        }
        return false;
    }

    /// <summary>True when the event's <see cref="MmapEvent.LoggerName"/> stands in for a missing <c>SourceContext</c> property.</summary>
    internal static bool HasSyntheticSourceContext(MmapEvent logEvent) =>
        logEvent.LoggerName != null && !logEvent.TryGetProperty(SourceContextPropertyName, out _);

    internal static string SourceContextName => SourceContextPropertyName;
}
