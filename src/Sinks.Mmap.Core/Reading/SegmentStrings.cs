using System;
using System.Text;

namespace Sinks.Mmap.Reading;

/// <summary>
/// The strings a segment's Definition records define, by id, kept once: as UTF-8 bytes, with the .NET
/// string and the JSON renderings made on first use. What is kept is bounded whatever the segment
/// holds: a definition over <see cref="MaxRetainedLength"/> bytes, or past <see cref="RetainedBudget"/>
/// for the segment, is remembered only by where it is in the file and read again when used, so a
/// segment of huge definitions costs a reader no more memory than its largest record.
/// </summary>
internal sealed class SegmentStrings
{
    /// <summary>Definitions longer than this are not kept in memory (the writer interns strings of up to 4 096 chars, ≤ 12 KiB).</summary>
    public const int MaxRetainedLength = 64 * 1024;

    /// <summary>
    /// Bytes of definitions kept in memory for one segment, each counted four times over (the UTF-8, the
    /// UTF-16 string, a JSON form): 16 MiB of definitions, far more than a writer's segment holds.
    /// </summary>
    public const long RetainedBudget = 64L << 20;

    private readonly SegmentSource? _source;
    private InternedString?[] _entries = new InternedString?[64];
    private long _retained;

    /// <summary>Strings of a segment read through <paramref name="source"/> (null: definitions are always kept).</summary>
    public SegmentStrings(SegmentSource? source = null) => _source = source;

    /// <summary>Bytes of definitions kept in memory now (four times their UTF-8 length).</summary>
    public long RetainedBytes => _retained;

    /// <summary>
    /// Defines <paramref name="id"/> (1 … 65 535) as <paramref name="utf8"/>, found at <paramref name="fileOffset"/>
    /// in the segment. The first definition of an id wins (FORMAT.md): false, and nothing changes, when the id
    /// is already defined.
    /// </summary>
    public bool Define(int id, ReadOnlySpan<byte> utf8, long fileOffset)
    {
        if (id < _entries.Length && _entries[id] is not null) return false;
        if (id >= _entries.Length) Array.Resize(ref _entries, Math.Max(id + 1, _entries.Length * 2));
        long cost = 4L * utf8.Length;
        if (_source is null || (utf8.Length <= MaxRetainedLength && _retained + cost <= RetainedBudget))
        {
            _entries[id] = new InternedString(utf8.ToArray());
            _retained += cost;
        }
        else
        {
            _entries[id] = new InternedString(_source, fileOffset, utf8.Length, Utf8IsValid(utf8));
        }
        return true;
    }

    /// <summary>The string defined as <paramref name="id"/>, or null when it is not defined (yet).</summary>
    public InternedString? Get(ulong id) => id < (ulong)_entries.Length ? _entries[id] : null;

    private static bool Utf8IsValid(ReadOnlySpan<byte> utf8) => System.Text.Unicode.Utf8.IsValid(utf8);
}

/// <summary>
/// One interned string and what rendering it needs, computed on first use. A string not kept in memory
/// (<see cref="IsKept"/> false) is read from its segment file at each use and nothing is cached.
/// </summary>
internal sealed class InternedString
{
    private readonly byte[]? _utf8;
    private readonly SegmentSource? _source;
    private readonly long _offset;
    private string? _value;

    public InternedString(byte[] utf8)
    {
        _utf8 = utf8;
        IsKept = true;
        Length = utf8.Length;
        IsValidUtf8 = System.Text.Unicode.Utf8.IsValid(utf8);
    }

    public InternedString(SegmentSource source, long offset, int length, bool isValidUtf8)
    {
        _source = source;
        _offset = offset;
        Length = length;
        IsValidUtf8 = isValidUtf8;
    }

    // Fields rather than properties: the CLEF writer reads them for every string of every record (see StrRef).

    /// <summary>True when the bytes are in memory; false when they are read from the file at each use.</summary>
    public readonly bool IsKept;

    /// <summary>The length in UTF-8 bytes.</summary>
    public readonly int Length;

    /// <summary>The string; invalid UTF-8 reads as U+FFFD replacements (FORMAT.md).</summary>
    public string Value => _utf8 is null ? Encoding.UTF8.GetString(Load()) : _value ??= Encoding.UTF8.GetString(_utf8);

    public byte[] Utf8 => _utf8 ?? Load();

    /// <summary>False when the bytes are not valid UTF-8: the decoded string then holds U+FFFD replacements.</summary>
    public readonly bool IsValidUtf8;

    /// <summary>How the fast CLEF writer may treat this string as a message template; 0 until it has looked.</summary>
    public byte TemplateState;

    /// <summary>The JSON string literal, quotes included, once the CLEF writer has made it (kept strings only).</summary>
    public byte[]? JsonCache;

    /// <summary><c>,"name":</c> as CLEF writes a top-level property name, once the CLEF writer has made it (kept strings only).</summary>
    public byte[]? ClefPropertyPrefixCache;

    /// <summary>Reads a string not kept in memory; a file cut short since reads as what is left of it.</summary>
    private byte[] Load()
    {
        var bytes = new byte[Length];
        int read = _source!.ReadAt(_offset, bytes);
        return read == Length ? bytes : bytes.AsSpan(0, read).ToArray();
    }
}
