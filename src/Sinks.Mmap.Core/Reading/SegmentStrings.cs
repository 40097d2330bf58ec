using System;
using System.Collections.Generic;
using System.Text;

namespace Sinks.Mmap.Reading;

/// <summary>
/// The strings a segment's Definition records define, by id: as .NET strings for the decoder and as
/// UTF-8 bytes with renderings (JSON-quoted, CLEF property prefix) computed once per segment, so
/// rendering an event that refers to them allocates nothing.
/// </summary>
internal sealed class SegmentStrings
{
    private readonly Dictionary<int, string> _map = new();
    private InternedString?[] _entries = new InternedString?[64];

    /// <summary>The strings by id, as <see cref="EventDecoder"/> wants them.</summary>
    public IReadOnlyDictionary<int, string> Map => _map;

    /// <summary>Defines (or redefines) <paramref name="id"/> (1 … 65 535) as the UTF-8 <paramref name="utf8"/>.</summary>
    public void Define(int id, ReadOnlySpan<byte> utf8)
    {
        var entry = new InternedString(Encoding.UTF8.GetString(utf8), utf8.ToArray());
        _map[id] = entry.Value;
        if (id >= _entries.Length) Array.Resize(ref _entries, Math.Max(id + 1, _entries.Length * 2));
        _entries[id] = entry;
    }

    /// <summary>The string defined as <paramref name="id"/>, or null when it is not defined (yet).</summary>
    public InternedString? Get(ulong id) => id < (ulong)_entries.Length ? _entries[id] : null;
}

/// <summary>One interned string and what rendering it needs, computed on first use.</summary>
internal sealed class InternedString
{
    private byte[]? _json;
    private byte[]? _clefPropertyPrefix;

    public InternedString(string value, byte[] utf8)
    {
        Value = value;
        Utf8 = utf8;
        IsValidUtf8 = System.Text.Unicode.Utf8.IsValid(utf8);
    }

    public string Value { get; }

    public byte[] Utf8 { get; }

    /// <summary>False when the bytes are not valid UTF-8: the decoded string then holds U+FFFD replacements.</summary>
    public bool IsValidUtf8 { get; }

    /// <summary>How the fast CLEF writer may treat this string as a message template; 0 until it has looked.</summary>
    public byte TemplateState { get; set; }

    /// <summary>The JSON string literal, quotes included (only for valid UTF-8).</summary>
    public byte[] Json => _json ??= Rendering.JsonUtf8.Quote(Utf8);

    /// <summary><c>,"name":</c> as CLEF writes a top-level property name, a leading <c>@</c> doubled.</summary>
    public byte[] ClefPropertyPrefix => _clefPropertyPrefix ??= Rendering.JsonUtf8.ClefPropertyPrefix(Utf8);
}
