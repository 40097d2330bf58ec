using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Sinks.Mmap.Templates;

/// <summary>
/// The plain rendering of a message template: its text as written, and each hole replaced by its
/// property's plain invariant text (strings without quotes, <c>true</c>/<c>false</c>, numbers in the
/// invariant culture, Guids in <c>D</c> form). It is how NLog renders a structured message in an
/// invariant-like culture, so a producer whose rendered message is exactly this need not store it:
/// it sets <see cref="Adapters.EventHeader.RenderedMessageIsPlain"/> (adapters reach this through <see cref="Adapters.EventHeader.TryRenderPlain"/>), and readers rebuild the text from the
/// template and properties (FORMAT.md, presence bit 5).
/// </summary>
internal static class PlainMessageRenderer
{
    /// <summary>
    /// Renders <paramref name="template"/> with the values of the named properties, or returns null
    /// when it has no plain rendering: a hole with a format, alignment or <c>@</c>/<c>$</c>, a hole
    /// with no property of its name, or a value that is not a plain scalar. Where a name appears
    /// twice among the properties, the first is used, as readers do.
    /// </summary>
    /// <param name="template">The message template.</param>
    /// <param name="names">The property names.</param>
    /// <param name="values">The property values, in the order of <paramref name="names"/>.</param>
    /// <returns>The rendered message, or null.</returns>
    public static string? TryRender(string template, ReadOnlySpan<string> names, ReadOnlySpan<object?> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (names.Length != values.Length)
        {
            throw new ArgumentException("names and values must have the same length", nameof(values));
        }
        ParsedTemplate parsed = TemplateParser.GetOrParse(template);
        var output = new StringBuilder(template.Length + 32);
        // Many names: look each hole up in an index built once, not by a scan per hole (holes × names).
        Dictionary<string, int>? byName = names.Length > IndexAbove ? BuildIndex(names) : null;
        foreach (TemplateToken token in parsed.Tokens)
        {
            if (!token.IsProperty)
            {
                output.Append(token.Text);
                continue;
            }
            if (token.Format is not null || token.HasAlignment || token.Destructuring != TokenDestructuring.Default)
            {
                return null;
            }
            int index = byName is null ? IndexOf(names, token.PropertyName) : byName.GetValueOrDefault(token.PropertyName, -1);
            if (index < 0 || !TryAppendScalar(output, values[index]))
            {
                return null;
            }
        }
        return output.ToString();
    }

    /// <summary>The plain rendering of a decoded event, for a reader (null when it has none).</summary>
    internal static string? TryRender(string template, IReadOnlyList<LogProperty> properties)
    {
        var names = new string[properties.Count];
        var values = new object?[properties.Count];
        for (int i = 0; i < properties.Count; i++)
        {
            names[i] = properties[i].Name;
            // Only scalars render plainly; null (what anything else becomes here) has no plain text either.
            values[i] = properties[i].Value is LogScalar scalar ? scalar.Value : null;
        }
        return TryRender(template, names, values);
    }

    private const int IndexAbove = 16;

    /// <summary>Each name's first position.</summary>
    private static Dictionary<string, int> BuildIndex(ReadOnlySpan<string> names)
    {
        var index = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++) index.TryAdd(names[i], i);
        return index;
    }

    private static int IndexOf(ReadOnlySpan<string> names, string name)
    {
        for (int i = 0; i < names.Length; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    private static bool TryAppendScalar(StringBuilder output, object? value)
    {
        IFormatProvider invariant = CultureInfo.InvariantCulture;
        switch (value)
        {
            case string s: output.Append(s); return true;
            case bool b: output.Append(b ? "true" : "false"); return true;
            case int v: output.Append(v.ToString(invariant)); return true;
            case long v: output.Append(v.ToString(invariant)); return true;
            case short v: output.Append(v.ToString(invariant)); return true;
            case ushort v: output.Append(v.ToString(invariant)); return true;
            case uint v: output.Append(v.ToString(invariant)); return true;
            case ulong v: output.Append(v.ToString(invariant)); return true;
            case byte v: output.Append(v.ToString(invariant)); return true;
            case sbyte v: output.Append(v.ToString(invariant)); return true;
            case double v: output.Append(v.ToString(invariant)); return true;
            case float v: output.Append(v.ToString(invariant)); return true;
            case decimal v: output.Append(v.ToString(invariant)); return true;
            case Guid v: output.Append(v.ToString("D")); return true;
            default: return false;
        }
    }
}
