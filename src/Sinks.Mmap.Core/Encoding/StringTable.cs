using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Sinks.Mmap.Format;

namespace Sinks.Mmap;

/// <summary>
/// One segment's interned strings (the segment writes their Definition records: <see cref="IStringDefinitions"/>). Lookups by reference go through a lock-free direct-mapped cache
/// (templates and property names are usually the same string instances every time, so this hits
/// in a few nanoseconds); a miss falls back to a value lookup under a lock, and a string seen for
/// the first time is defined in the segment under that lock.
/// An id is published only after its Definition record is, so a record that uses it always
/// follows its definition in the file, even across a crash.
/// </summary>
internal sealed class StringTable
{
    private const int CacheSize = 1024;

    // Each slot holds an immutable entry, so a reader sees a whole (string, id) pair or none.
    private readonly Entry?[] _cache = new Entry?[CacheSize];
    // The instance last looked up by value in each slot: a cache entry is made for an instance seen
    // there twice, so that a string built anew for every event (a name parsed per event) costs a
    // lookup under the lock but never an allocation, while a reused instance is cached on its second miss.
    private readonly string?[] _candidates = new string?[CacheSize];
    private readonly Dictionary<string, int> _byValue;
    private readonly object _gate = new();
    private int _nextId = 1;
    private bool _full;
    // UTF-16 units held by the long strings defined so far (exception texts, mostly): past the budget,
    // new long strings are written inline, so a stream of distinct ones cannot grow the table without end.
    private long _longChars;

    /// <summary>A string longer than this counts against <see cref="MaxLongChars"/>.</summary>
    public const int LongStringChars = 256;

    /// <summary>The UTF-16 units of long strings a segment's table keeps (8 MB of strings).</summary>
    public const long MaxLongChars = 4L << 20;

    /// <summary>An empty table with room for <paramref name="capacity"/> strings before its lookup grows.</summary>
    public StringTable(int capacity = 0) => _byValue = new Dictionary<string, int>(capacity);

    public int Count => _nextId - 1;

    /// <summary>The id of an already-defined string, or 0 to write it inline.</summary>
    public int Find(string value)
    {
        Entry? entry = Volatile.Read(ref _cache[Slot(value)]);
        if (entry is not null && ReferenceEquals(entry.Value, value))
        {
            return entry.Id;
        }
        int id;
        lock (_gate)
        {
            return _byValue.TryGetValue(value, out id) ? id : 0;
        }
    }

    /// <summary>
    /// The id of <paramref name="value"/>, defining it first if needed; 0 to write it inline.
    /// <paramref name="effect"/> says whether this call wrote a definition, or found the segment full.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Intern(string value, IStringDefinitions definitions, out InternEffect effect)
    {
        effect = InternEffect.None;
        int slot = Slot(value);
        Entry? entry = Volatile.Read(ref _cache[slot]);
        if (entry is not null && ReferenceEquals(entry.Value, value))
        {
            return entry.Id;
        }
        int id;
        lock (_gate)
        {
            if (!_byValue.TryGetValue(value, out id))
            {
                if (_full || _nextId > FormatConstants.MaxInternedStrings)
                {
                    _full = true;
                    return 0;
                }
                bool isLong = value.Length > LongStringChars;
                if (isLong && _longChars + value.Length > MaxLongChars)
                {
                    return 0;
                }
                DefineResult result = definitions.TryWriteDefinition(_nextId, value);
                if (result == DefineResult.Sealed)
                {
                    effect = InternEffect.SegmentSealed;
                    return 0;
                }
                if (result == DefineResult.TooLarge)
                {
                    return 0;
                }
                effect = InternEffect.Defined;
                id = _nextId++;
                _byValue.Add(value, id);
                if (isLong) _longChars += value.Length;
            }
            else if (!ReferenceEquals(_candidates[slot], value))
            {
                _candidates[slot] = value;
                return id;
            }
            Volatile.Write(ref _cache[slot], new Entry(value, id));
            return id;
        }
    }

    private static int Slot(string value) => RuntimeHelpers.GetHashCode(value) & (CacheSize - 1);

    private sealed class Entry
    {
        public Entry(string value, int id)
        {
            Value = value;
            Id = id;
        }

        public readonly string Value;
        public readonly int Id;
    }
}

/// <summary>What a <see cref="StringTable.Intern"/> call did to the segment besides returning an id.</summary>
internal enum InternEffect
{
    /// <summary>Nothing: the string was defined before, or is to be written inline.</summary>
    None,

    /// <summary>It wrote the string's definition record.</summary>
    Defined,

    /// <summary>The definition did not fit: the segment is sealed, and the event must go to the next one.</summary>
    SegmentSealed,
}
