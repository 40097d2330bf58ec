using System;
using System.Collections.Generic;
using Sinks.Mmap.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>
/// Rendering that never throws for one bad event: a property format the value rejects
/// (<see cref="FormatException"/>) falls back to the raw message template.
/// </summary>
internal static class SafeRender
{
    private static readonly IReadOnlyList<LogProperty> NoProperties = Array.Empty<LogProperty>();

    /// <summary>The rendered message, or the raw template when rendering fails.</summary>
    public static string Message(MmapEvent evt)
    {
        if (IsHostile(evt.MessageTemplate)) return evt.MessageTemplate!;
        try
        {
            return MmapEventRenderer.RenderMessage(evt);
        }
        catch (FormatException)
        {
            return evt.MessageTemplate ?? evt.RenderedMessage ?? "";
        }
    }

    /// <summary>
    /// Whether <see cref="Message"/> contains <paramref name="text"/> (ordinal), found as the message renders,
    /// so that an event's message is never held whole however large it is.
    /// </summary>
    public static bool MessageContains(MmapEvent evt, string text)
    {
        if (IsHostile(evt.MessageTemplate)) return evt.MessageTemplate!.Contains(text, StringComparison.Ordinal);
        var search = new SearchingWriter(text);
        try
        {
            MmapEventRenderer.RenderMessage(evt, search, null);
            return search.Found;
        }
        catch (FormatException)
        {
            return (evt.MessageTemplate ?? evt.RenderedMessage ?? "").Contains(text, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// True when a hole in <paramref name="template"/> asks for an alignment or a format precision
    /// over 10 000 (say <c>{A,2000000000}</c> or <c>{N:D999999999}</c>): rendering it
    /// would write gigabytes, so such an event is shown with its raw template instead.
    /// </summary>
    public static bool IsHostile(string? template) => MmapEventRenderer.IsHostileTemplate(template);

    /// <summary>The event to render: <paramref name="evt"/> itself, or its raw-template copy when its template is hostile.</summary>
    public static MmapEvent Defused(MmapEvent evt, bool keepProperties) =>
        IsHostile(evt.MessageTemplate) ? RawTemplateCopy(evt, keepProperties) : evt;

    /// <summary>
    /// The same event with its message fixed to the raw template (no template to render), for a
    /// second attempt after a <see cref="FormatException"/>. <paramref name="keepProperties"/> false
    /// also drops the properties, which an output template might format again.
    /// </summary>
    public static MmapEvent RawTemplateCopy(MmapEvent evt, bool keepProperties) => new(
        evt.Sequence,
        evt.Timestamp,
        evt.Level,
        messageTemplate: null,
        keepProperties ? evt.Properties : NoProperties,
        evt.LoggerName,
        evt.MessageTemplate ?? evt.RenderedMessage,
        evt.Exception,
        evt.TraceId,
        evt.SpanId);
}

/// <summary>Looks for a text in what is written to it, across writes, keeping only a few characters.</summary>
internal sealed class SearchingWriter : System.IO.TextWriter
{
    private readonly string _text;
    // The last (text length - 1) characters written, then room for as many more: a match may straddle two writes.
    private readonly char[] _window;
    private int _tail;

    public SearchingWriter(string text) : base(System.Globalization.CultureInfo.InvariantCulture)
    {
        _text = text;
        _window = new char[Math.Max(0, 2 * (text.Length - 1))];
        Found = text.Length == 0;
    }

    public bool Found { get; private set; }

    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public override void Write(char value) => Write(new ReadOnlySpan<char>(in value));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> chars)
    {
        if (Found || chars.IsEmpty) return;
        if (chars.IndexOf(_text.AsSpan(), StringComparison.Ordinal) >= 0)
        {
            Found = true;
            return;
        }
        int keep = _text.Length - 1;
        int head = Math.Min(chars.Length, keep);
        chars.Slice(0, head).CopyTo(_window.AsSpan(_tail));
        if (_window.AsSpan(0, _tail + head).IndexOf(_text.AsSpan(), StringComparison.Ordinal) >= 0)
        {
            Found = true;
            return;
        }
        // Keep the last `keep` characters of everything so far.
        if (chars.Length >= keep)
        {
            chars.Slice(chars.Length - keep).CopyTo(_window);
            _tail = keep;
        }
        else
        {
            int total = _tail + head;
            int from = Math.Max(0, total - keep);
            _window.AsSpan(from, total - from).CopyTo(_window);
            _tail = total - from;
        }
    }
}
