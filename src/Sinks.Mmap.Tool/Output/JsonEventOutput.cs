using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Sinks.Mmap.Tool.Output;

/// <summary>
/// <c>--format json</c>: one JSON object a line with the neutral event, every field named:
/// <code>
/// {"sequence":3,"timestamp":"2026-11-21T10:00:00.0000000+01:00","level":"Information",
///  "template":"Hello {Name}","message":"Hello \"World\"","logger":"App.Worker",
///  "exception":{"type":"System.InvalidOperationException","message":"...","text":"..."},
///  "traceId":"…","spanId":"…","properties":{"Name":"World"},"position":"1:4096:4"}
/// </code>
/// <c>logger</c>, <c>renderedMessage</c>, <c>exception</c>, <c>traceId</c> and <c>spanId</c> appear
/// only when present. Values: numbers and booleans as JSON, strings and chars as strings,
/// DateTime/DateTimeOffset as ISO 8601 round-trip text, TimeSpan as <c>c</c> text, Guid as text,
/// byte[] as base64, NaN and infinities as strings, opaque scalars as their invariant text,
/// sequences as arrays, structures as objects (type tag under <c>"$type"</c>), dictionaries as objects
/// keyed by each key's text.
/// </summary>
internal sealed class JsonEventOutput : IEventOutput
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = 256,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    public void Write(MmapEvent evt, TextWriter output)
    {
        _buffer.ResetWrittenCount();
        try
        {
            using var json = new Utf8JsonWriter(_buffer, Options);
            WriteEvent(evt, json);
        }
        catch (ArgumentException)
        {
            // Text JSON cannot carry (a lone surrogate in a char value): keep the event's identity at least.
            _buffer.ResetWrittenCount();
            using var json = new Utf8JsonWriter(_buffer, Options);
            WriteEvent(SafeRender.RawTemplateCopy(evt, keepProperties: false), json);
        }
        output.Write(Encoding.UTF8.GetString(_buffer.WrittenSpan));
        output.Write('\n');
    }

    private static void WriteEvent(MmapEvent evt, Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteNumber("sequence", evt.Sequence);
        json.WriteString("timestamp", evt.Timestamp.ToString("O", CultureInfo.InvariantCulture));
        json.WriteString("level", evt.Level.ToString());
        if (evt.MessageTemplate is null) json.WriteNull("template");
        else json.WriteString("template", evt.MessageTemplate);
        json.WriteString("message", SafeRender.Message(evt));
        if (evt.LoggerName is not null) json.WriteString("logger", evt.LoggerName);
        if (evt.RenderedMessage is not null) json.WriteString("renderedMessage", evt.RenderedMessage);
        if (evt.Exception is { } ex)
        {
            json.WriteStartObject("exception");
            WriteNullable(json, "type", ex.TypeName);
            WriteNullable(json, "message", ex.Message);
            WriteNullable(json, "text", ex.Text);
            json.WriteEndObject();
        }
        if (evt.TraceId is { } trace) json.WriteString("traceId", trace.ToHexString());
        if (evt.SpanId is { } span) json.WriteString("spanId", span.ToHexString());
        json.WriteStartObject("properties");
        foreach (LogProperty property in evt.Properties)
        {
            json.WritePropertyName(property.Name);
            WriteValue(property.Value, json);
        }
        json.WriteEndObject();
        if (evt.Position is { } position) json.WriteString("position", position.ToString());
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    private static void WriteValue(LogValue value, Utf8JsonWriter json)
    {
        switch (value)
        {
            case LogScalar scalar:
                WriteScalar(scalar.Value, json);
                break;
            case LogOpaqueScalar opaque:
                if (opaque.Text is null) json.WriteNullValue();
                else json.WriteStringValue(opaque.Text);
                break;
            case LogSequence sequence:
                json.WriteStartArray();
                foreach (LogValue element in sequence.Elements) WriteValue(element, json);
                json.WriteEndArray();
                break;
            case LogStructure structure:
                json.WriteStartObject();
                if (structure.TypeTag is not null) json.WriteString("$type", structure.TypeTag);
                foreach (LogProperty property in structure.Properties)
                {
                    json.WritePropertyName(property.Name);
                    WriteValue(property.Value, json);
                }
                json.WriteEndObject();
                break;
            case LogDictionary dictionary:
                json.WriteStartObject();
                foreach (KeyValuePair<LogValue, LogValue> entry in dictionary.Entries)
                {
                    json.WritePropertyName(KeyText(entry.Key));
                    WriteValue(entry.Value, json);
                }
                json.WriteEndObject();
                break;
            default:
                json.WriteNullValue();
                break;
        }
    }

    private static string KeyText(LogValue key) => key switch
    {
        LogScalar { Value: null } => "null",
        LogScalar { Value: IFormattable f } => f.ToString(null, CultureInfo.InvariantCulture),
        LogScalar s => s.Value!.ToString() ?? "",
        LogOpaqueScalar o => o.Text ?? "null",
        _ => "",
    };

    private static void WriteScalar(object? value, Utf8JsonWriter json)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case string s: json.WriteStringValue(s); break;
            case char c: json.WriteStringValue(c.ToString()); break;
            case sbyte v: json.WriteNumberValue(v); break;
            case byte v: json.WriteNumberValue(v); break;
            case short v: json.WriteNumberValue(v); break;
            case ushort v: json.WriteNumberValue(v); break;
            case int v: json.WriteNumberValue(v); break;
            case uint v: json.WriteNumberValue(v); break;
            case long v: json.WriteNumberValue(v); break;
            case ulong v: json.WriteNumberValue(v); break;
            case decimal v: json.WriteNumberValue(v); break;
            case float v when float.IsFinite(v): json.WriteNumberValue(v); break;
            case double v when double.IsFinite(v): json.WriteNumberValue(v); break;
            case float v: json.WriteStringValue(v.ToString(CultureInfo.InvariantCulture)); break;
            case double v: json.WriteStringValue(v.ToString(CultureInfo.InvariantCulture)); break;
            case DateTime v: json.WriteStringValue(v.ToString("O", CultureInfo.InvariantCulture)); break;
            case DateTimeOffset v: json.WriteStringValue(v.ToString("O", CultureInfo.InvariantCulture)); break;
            case TimeSpan v: json.WriteStringValue(v.ToString("c", CultureInfo.InvariantCulture)); break;
            case Guid v: json.WriteStringValue(v.ToString()); break;
            case byte[] v: json.WriteBase64StringValue(v); break;
            case DateOnly v: json.WriteStringValue(v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
            case TimeOnly v: json.WriteStringValue(v.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)); break;
            case IFormattable f: json.WriteStringValue(f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: json.WriteStringValue(value.ToString()); break;
        }
    }
}
