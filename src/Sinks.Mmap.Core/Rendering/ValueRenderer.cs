using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Sinks.Mmap.Rendering;

/// <summary>
/// Renders <see cref="LogValue"/>s as text the way Serilog 4.4.0's <c>LogEventPropertyValue.Render</c>
/// does, and as JSON the way its <c>JsonValueFormatter</c> does (with <c>"$type"</c> as type-tag name).
/// </summary>
internal static class ValueRenderer
{
    private const string TypeTagName = "$type";

    /// <summary>Renders a value as Serilog's display form: strings quoted, structures as <c>Tag { A: 1 }</c>.</summary>
    public static void Render(LogValue value, TextWriter output, string? format, IFormatProvider? formatProvider)
    {
        switch (value)
        {
            case LogScalar scalar:
                RenderScalar(scalar.Value, output, format, formatProvider);
                break;
            case LogOpaqueScalar opaque:
                // Serilog would call ToString() on the original object; the invariant text is what survives.
                if (opaque.Text != null)
                    output.Write(opaque.Text);
                break;
            case LogSequence sequence:
                RenderSequence(sequence, output, format, formatProvider);
                break;
            case LogStructure structure:
                RenderStructure(structure, output, formatProvider);
                break;
            case LogDictionary dictionary:
                RenderDictionary(dictionary, output, formatProvider);
                break;
        }
    }

    /// <summary>
    /// Renders a scalar's CLR value as Serilog's <c>ScalarValue.Render</c> does; a null provider means the
    /// invariant culture (what Serilog 4.4.0 does, not the current culture).
    /// </summary>
    public static void RenderScalar(object? value, TextWriter output, string? format, IFormatProvider? formatProvider)
    {
        if (value == null)
        {
            output.Write("null");
            return;
        }

        if (value is byte[] bytes)
            value = Convert.ToHexString(bytes);

        if (value is string s)
        {
            if (format != "l")
            {
                WriteQuotedVerbatim(s.Replace("\"", "\\\"", StringComparison.Ordinal), output);
            }
            else
            {
                output.Write(s);
            }
            return;
        }

        if (formatProvider?.GetFormat(typeof(ICustomFormatter)) is ICustomFormatter custom)
        {
            output.Write(custom.Format(format, value, formatProvider));
            return;
        }

        if (value is IFormattable formattable)
            output.Write(formattable.ToString(format, formatProvider ?? CultureInfo.InvariantCulture));
        else
            output.Write(value.ToString());
    }

    private static void RenderSequence(LogSequence sequence, TextWriter output, string? format, IFormatProvider? formatProvider)
    {
        output.Write('[');
        IReadOnlyList<LogValue> elements = sequence.Elements;
        for (int i = 0; i < elements.Count; i++)
        {
            if (i != 0)
                output.Write(", ");
            Render(elements[i], output, format, formatProvider);
        }
        output.Write(']');
    }

    private static void RenderStructure(LogStructure structure, TextWriter output, IFormatProvider? formatProvider)
    {
        if (structure.TypeTag != null)
        {
            output.Write(structure.TypeTag);
            output.Write(' ');
        }
        output.Write("{ ");
        IReadOnlyList<LogProperty> properties = structure.Properties;
        for (int i = 0; i < properties.Count; i++)
        {
            if (i != 0)
                output.Write(", ");
            output.Write(properties[i].Name);
            output.Write(": ");
            Render(properties[i].Value, output, null, formatProvider);
        }
        output.Write(" }");
    }

    private static void RenderDictionary(LogDictionary dictionary, TextWriter output, IFormatProvider? formatProvider)
    {
        output.Write('[');
        IReadOnlyList<KeyValuePair<LogValue, LogValue>> entries = dictionary.Entries;
        for (int i = 0; i < entries.Count; i++)
        {
            output.Write(i == 0 ? "(" : ", (");
            Render(entries[i].Key, output, null, formatProvider);
            output.Write(": ");
            Render(entries[i].Value, output, null, formatProvider);
            output.Write(')');
        }
        output.Write(']');
    }

    /// <summary>Writes a value as JSON exactly as Serilog's <c>JsonValueFormatter("$type")</c> does.</summary>
    public static void WriteJson(LogValue value, TextWriter output)
    {
        switch (value)
        {
            case LogScalar scalar:
                WriteJsonScalar(scalar.Value, output);
                break;
            case LogOpaqueScalar opaque:
                if (opaque.Text == null)
                    output.Write("null");
                else
                    WriteQuotedJsonString(opaque.Text, output);
                break;
            case LogSequence sequence:
            {
                output.Write('[');
                IReadOnlyList<LogValue> elements = sequence.Elements;
                for (int i = 0; i < elements.Count; i++)
                {
                    if (i != 0)
                        output.Write(',');
                    WriteJson(elements[i], output);
                }
                output.Write(']');
                break;
            }
            case LogStructure structure:
            {
                output.Write('{');
                IReadOnlyList<LogProperty> properties = structure.Properties;
                for (int i = 0; i < properties.Count; i++)
                {
                    if (i != 0)
                        output.Write(',');
                    WriteQuotedJsonString(properties[i].Name, output);
                    output.Write(':');
                    WriteJson(properties[i].Value, output);
                }
                if (structure.TypeTag != null)
                {
                    if (properties.Count != 0)
                        output.Write(',');
                    WriteQuotedJsonString(TypeTagName, output);
                    output.Write(':');
                    WriteQuotedJsonString(structure.TypeTag, output);
                }
                output.Write('}');
                break;
            }
            case LogDictionary dictionary:
            {
                output.Write('{');
                IReadOnlyList<KeyValuePair<LogValue, LogValue>> entries = dictionary.Entries;
                for (int i = 0; i < entries.Count; i++)
                {
                    if (i != 0)
                        output.Write(',');
                    WriteQuotedJsonString(KeyText(entries[i].Key), output);
                    output.Write(':');
                    WriteJson(entries[i].Value, output);
                }
                output.Write('}');
                break;
            }
        }
    }

    // Serilog writes (key.Value ?? "null").ToString(), in the culture of the process that formats. A reader
    // renders in the invariant culture whatever its own (the writer's is not recorded): 1.5, not 1,5.
    private static string KeyText(LogValue key)
    {
        switch (key)
        {
            case LogScalar scalar:
                if (scalar.Value == null)
                    return "null";
                if (scalar.Value is byte[] bytes)
                    return Convert.ToHexString(bytes);
                if (scalar.Value is IFormattable formattable)
                    return formattable.ToString(null, CultureInfo.InvariantCulture);
                return scalar.Value.ToString() ?? string.Empty;
            case LogOpaqueScalar opaque:
                return opaque.Text ?? string.Empty;
            default:
                var writer = new StringWriter(CultureInfo.InvariantCulture);
                Render(key, writer, null, null);
                return writer.ToString();
        }
    }

    private static void WriteJsonScalar(object? value, TextWriter output)
    {
        switch (value)
        {
            case null:
                output.Write("null");
                return;
            case string s:
                WriteQuotedJsonString(s, output);
                return;
            case int or uint or long or ulong or decimal or byte or sbyte or short or ushort:
                output.Write(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                return;
            case double d:
                if (double.IsNaN(d) || double.IsInfinity(d))
                    WriteQuotedJsonString(d.ToString(CultureInfo.InvariantCulture), output);
                else
                    output.Write(d.ToString("R", CultureInfo.InvariantCulture));
                return;
            case float f:
                if (float.IsNaN(f) || float.IsInfinity(f))
                    WriteQuotedJsonString(f.ToString(CultureInfo.InvariantCulture), output);
                else
                    output.Write(f.ToString("R", CultureInfo.InvariantCulture));
                return;
            case bool b:
                output.Write(b ? "true" : "false");
                return;
            case char c:
                WriteQuotedJsonString(c.ToString(), output);
                return;
            case DateTime dt:
                WriteQuotedVerbatim(dt.ToString("O", CultureInfo.InvariantCulture), output);
                return;
            case DateTimeOffset dto:
                WriteQuotedVerbatim(dto.ToString("O", CultureInfo.InvariantCulture), output);
                return;
            case TimeSpan ts:
                WriteQuotedVerbatim(ts.ToString(), output);
                return;
            case DateOnly date:
                WriteQuotedVerbatim(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), output);
                return;
            case TimeOnly time:
                WriteQuotedVerbatim(time.ToString("O", CultureInfo.InvariantCulture), output);
                return;
            case byte[] bytes:
                WriteQuotedJsonString(Convert.ToHexString(bytes), output);
                return;
            case IFormattable formattable:
                WriteQuotedJsonString(formattable.ToString(null, CultureInfo.InvariantCulture), output);
                return;
            default:
                WriteQuotedJsonString(value.ToString() ?? string.Empty, output);
                return;
        }
    }

    /// <summary>Quotes text that needs no escaping (ISO dates and times, TimeSpans).</summary>
    private static void WriteQuotedVerbatim(string text, TextWriter output)
    {
        output.Write('"');
        output.Write(text);
        output.Write('"');
    }

    /// <summary>
    /// Writes a JSON string literal escaping only what Serilog's <c>JsonValueFormatter.WriteQuotedJsonString</c>
    /// escapes (<see cref="JsonUtf8"/> defines what, for this and the UTF-8 path alike).
    /// </summary>
    public static void WriteQuotedJsonString(string text, TextWriter output)
    {
        output.Write('"');
        int clean = 0;
        while (true)
        {
            int found = text.AsSpan(clean).IndexOfAny(JsonUtf8.NeedsEscapeChars);
            if (found < 0)
                break;
            int i = clean + found;
            if (i > clean)
                output.Write(text.AsSpan(clean, i - clean));
            output.Write(JsonUtf8.EscapeOf(text[i]));
            clean = i + 1;
        }
        if (clean < text.Length)
            output.Write(text.AsSpan(clean));
        output.Write('"');
    }
}
