using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Sinks.Mmap.Rendering;

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
/// keyed by each key's text. An event whose JSON is large is written out as it is built (the message
/// too), so memory does not follow its size (see <see cref="BoundedEventOutput"/>).
/// </summary>
internal sealed class JsonEventOutput : BoundedEventOutput
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = 256,
    };

    /// <summary>Bytes the JSON writer may hold before they are handed on as text.</summary>
    private const int DrainAbove = 1 << 16;

    private readonly ArrayBufferWriter<byte> _bytes = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
    private readonly EventTextWriter _message = new();
    private char[] _chars = new char[1024];
    private TextWriter _output = TextWriter.Null;

    public JsonEventOutput() => _json = new Utf8JsonWriter(_bytes, Options);

    // Text JSON cannot carry (a lone surrogate where the writer checks): keep the event's identity at least.
    protected override bool IsRenderingFailure(Exception e) => e is FormatException or ArgumentException;

    protected override void Render(MmapEvent evt, TextWriter output) => WriteLine(evt, output);

    protected override void RenderFallback(MmapEvent evt, TextWriter output) =>
        WriteLine(SafeRender.RawTemplateCopy(evt, keepProperties: false), output);

    private void WriteLine(MmapEvent evt, TextWriter output)
    {
        _output = output;
        _bytes.ResetWrittenCount();
        _json.Reset(_bytes);
        _decoder.Reset();
        try
        {
            WriteEvent(evt);
            Drain();
            output.Write('\n');
        }
        finally
        {
            _output = TextWriter.Null;
        }
    }

    /// <summary>Hands what the JSON writer holds to the output as text, when it holds enough (or at the end).</summary>
    private void DrainIfLarge()
    {
        if (_json.BytesPending + _bytes.WrittenCount > DrainAbove) Drain();
    }

    private void Drain()
    {
        _json.Flush();
        ReadOnlySpan<byte> bytes = _bytes.WrittenSpan;
        if (bytes.IsEmpty) return;
        int needed = _decoder.GetCharCount(bytes, flush: false);
        if (_chars.Length < needed) _chars = new char[Math.Max(needed, _chars.Length * 2)];
        int count = _decoder.GetChars(bytes, _chars, flush: false);
        _output.Write(_chars, 0, count);
        _bytes.ResetWrittenCount();
    }

    private void WriteEvent(MmapEvent evt)
    {
        Utf8JsonWriter json = _json;
        json.WriteStartObject();
        json.WriteNumber("sequence", evt.Sequence);
        json.WriteString("timestamp", evt.Timestamp.ToString("O", CultureInfo.InvariantCulture));
        json.WriteString("level", evt.Level.ToString());
        if (evt.MessageTemplate is null) json.WriteNull("template");
        else json.WriteString("template", evt.MessageTemplate);
        WriteMessage(evt);
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
            WriteValue(property.Value);
        }
        json.WriteEndObject();
        if (evt.Position is { } position) json.WriteString("position", position.ToString());
        json.WriteEndObject();
    }

    /// <summary>
    /// The rendered message (its raw template when a format fails or would write gigabytes). A message
    /// too large to hold is checked by a dry run, then written as it renders, in segments.
    /// </summary>
    private void WriteMessage(MmapEvent evt)
    {
        _json.WritePropertyName("message");
        if (SafeRender.IsHostile(evt.MessageTemplate))
        {
            _json.WriteStringValue(evt.MessageTemplate);
            return;
        }
        _message.StartBuffered();
        try
        {
            MmapEventRenderer.RenderMessage(evt, _message, null);
            _json.WriteStringValue(_message.Buffered.ToString());
            return;
        }
        catch (FormatException)
        {
            _json.WriteStringValue(evt.MessageTemplate ?? evt.RenderedMessage ?? "");
            return;
        }
        catch (EventTextWriter.TooLargeException)
        {
        }
        _message.StartDiscarding();
        try
        {
            MmapEventRenderer.RenderMessage(evt, _message, null);
        }
        catch (FormatException)
        {
            _json.WriteStringValue(evt.MessageTemplate ?? evt.RenderedMessage ?? "");
            return;
        }
        var segments = new JsonStringSegments(this);
        MmapEventRenderer.RenderMessage(evt, segments, null);
        segments.End();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }

    private void WriteValue(LogValue value)
    {
        Utf8JsonWriter json = _json;
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
                foreach (LogValue element in sequence.Elements)
                {
                    WriteValue(element);
                    DrainIfLarge();
                }
                json.WriteEndArray();
                break;
            case LogStructure structure:
                json.WriteStartObject();
                if (structure.TypeTag is not null) json.WriteString("$type", structure.TypeTag);
                foreach (LogProperty property in structure.Properties)
                {
                    json.WritePropertyName(property.Name);
                    WriteValue(property.Value);
                    DrainIfLarge();
                }
                json.WriteEndObject();
                break;
            case LogDictionary dictionary:
                json.WriteStartObject();
                foreach (KeyValuePair<LogValue, LogValue> entry in dictionary.Entries)
                {
                    json.WritePropertyName(KeyText(entry.Key));
                    WriteValue(entry.Value);
                    DrainIfLarge();
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
            // A lone surrogate is not text JSON can carry: U+FFFD, as every UTF-8 output writes it.
            case char c: json.WriteStringValue(char.IsSurrogate(c) ? "\uFFFD" : c.ToString()); break;
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

    /// <summary>
    /// A text writer whose text becomes one JSON string value, written in segments as it comes. Lone
    /// surrogates become U+FFFD (a high surrogate at the end of a write waits for the next one).
    /// </summary>
    private sealed class JsonStringSegments : TextWriter
    {
        private readonly JsonEventOutput _owner;
        private char _pendingHigh;

        public JsonStringSegments(JsonEventOutput owner) : base(CultureInfo.InvariantCulture) => _owner = owner;

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => Write(new ReadOnlySpan<char>(in value));

        public override void Write(string? value) => Write(value.AsSpan());

        public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

        public override void Write(ReadOnlySpan<char> text)
        {
            Span<char> one = stackalloc char[2];
            while (!text.IsEmpty)
            {
                if (_pendingHigh != 0)
                {
                    bool pair = char.IsLowSurrogate(text[0]);
                    one[0] = pair ? _pendingHigh : '\uFFFD';
                    one[1] = text[0];
                    _pendingHigh = '\0';
                    Segment(pair ? one : one.Slice(0, 1));
                    if (pair) text = text.Slice(1);
                    continue;
                }
                int bad = IndexOfLoneSurrogate(text);
                if (bad < 0)
                {
                    Segment(text);
                    return;
                }
                Segment(text.Slice(0, bad));
                if (char.IsHighSurrogate(text[bad]) && bad == text.Length - 1)
                {
                    _pendingHigh = text[bad];
                    return;
                }
                one[0] = '\uFFFD';
                Segment(one.Slice(0, 1));
                text = text.Slice(bad + 1);
            }
        }

        public void End()
        {
            if (_pendingHigh != 0)
            {
                _pendingHigh = '\0';
                Segment("\uFFFD");
            }
            _owner._json.WriteStringValueSegment(ReadOnlySpan<char>.Empty, isFinalSegment: true);
            _owner.DrainIfLarge();
        }

        private void Segment(ReadOnlySpan<char> text)
        {
            if (text.IsEmpty) return;
            _owner._json.WriteStringValueSegment(text, isFinalSegment: false);
            _owner.DrainIfLarge();
        }

        /// <summary>The first surrogate that is not half of a pair (a high one at the end counts: its pair may follow).</summary>
        private static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (!char.IsSurrogate(c)) continue;
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    i++;
                    continue;
                }
                return i;
            }
            return -1;
        }
    }
}
