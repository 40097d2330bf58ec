using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Writing;

/// <summary>
/// One segment's interned strings. Lookups by reference are lock-free (templates and property
/// names are usually the same string instances every time); a miss falls back to a value lookup
/// under a lock, and a string seen for the first time is defined in the segment under that lock.
/// An id is published only after its Definition record is, so a record that uses it always
/// follows its definition in the file, even across a crash.
/// </summary>
internal sealed class StringTable
{
    private const int MaxReferenceEntries = 16384;

    private readonly ConcurrentDictionary<string, int> _byReference = new(StringReferenceComparer.Instance);
    private readonly Dictionary<string, int> _byValue = new();
    private readonly object _gate = new();
    private int _nextId = 1;
    private bool _full;

    public int Count => _nextId - 1;

    /// <summary>The id of an already-defined string, or 0 to write it inline.</summary>
    public int Find(string value)
    {
        if (_byReference.TryGetValue(value, out int id))
        {
            return id;
        }
        lock (_gate)
        {
            return _byValue.TryGetValue(value, out id) ? id : 0;
        }
    }

    /// <summary>
    /// The id of <paramref name="value"/>, defining it first if needed; 0 to write it inline.
    /// <paramref name="segmentSealed"/> is set when the segment filled up while defining.
    /// </summary>
    public int Intern(string value, ActiveSegment segment, out bool segmentSealed)
    {
        segmentSealed = false;
        if (_byReference.TryGetValue(value, out int id))
        {
            return id;
        }
        lock (_gate)
        {
            if (!_byValue.TryGetValue(value, out id))
            {
                if (_full || _nextId > FormatConstants.MaxInternedStrings)
                {
                    _full = true;
                    return 0;
                }
                DefineResult result = segment.TryWriteDefinition(_nextId, value, out _);
                if (result == DefineResult.Sealed)
                {
                    segmentSealed = true;
                    return 0;
                }
                if (result == DefineResult.TooLarge)
                {
                    return 0;
                }
                id = _nextId++;
                _byValue.Add(value, id);
            }
            if (_byReference.Count < MaxReferenceEntries)
            {
                _byReference.TryAdd(value, id);
            }
            return id;
        }
    }

    private sealed class StringReferenceComparer : IEqualityComparer<string>
    {
        public static readonly StringReferenceComparer Instance = new();
        public bool Equals(string? x, string? y) => ReferenceEquals(x, y);
        public int GetHashCode(string obj) => RuntimeHelpers.GetHashCode(obj);
    }
}
