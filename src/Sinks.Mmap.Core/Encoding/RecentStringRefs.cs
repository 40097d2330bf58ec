using System;

namespace Sinks.Mmap;

/// <summary>
/// A per-thread memory of the string ids the last events used, by position in the event: the
/// template is the first string reference, the first property name the second, and so on. A thread
/// that logs the same template again (the common case) finds each string at its position by one
/// reference comparison (or, for the same text in a new string, one comparison of the text),
/// without hashing it for the segment's <see cref="StringTable"/>.
/// Ids belong to one segment, so the memory is cleared when the thread writes to another.
/// </summary>
internal sealed class RecentStringRefs
{
    // Covers the template, logger name and a dozen or so property names; later positions are not remembered.
    public const int Positions = 32;

    private readonly string?[] _values = new string?[Positions];
    private readonly int[] _ids = new int[Positions];
    private IStringDefinitions? _segment;

    /// <summary>Forgets everything when <paramref name="segment"/> is not the one the ids belong to.</summary>
    public void BindTo(IStringDefinitions segment)
    {
        if (!ReferenceEquals(segment, _segment))
        {
            Array.Clear(_values);
            _segment = segment;
        }
    }

    /// <summary>The id remembered for <paramref name="value"/> at <paramref name="position"/>, or 0.</summary>
    public int Find(int position, string value)
    {
        string?[] values = _values;
        if ((uint)position < (uint)values.Length)
        {
            // The same instance (a literal, a cached name) is string.Equals' first compare. The same text in
            // a new string (NLog parses the template again for each event it formats itself, and its names
            // are new strings each time) is the same id too: comparing lengths, then the text, costs less
            // than the segment's table would, which looks a new instance up by value under its lock.
            if (string.Equals(values[position], value))
            {
                return _ids[position];
            }
        }
        return 0;
    }

    /// <summary>Remembers a defined id (never 0) for <paramref name="value"/> at <paramref name="position"/>.</summary>
    public void Remember(int position, string value, int id)
    {
        string?[] values = _values;
        if ((uint)position < (uint)values.Length)
        {
            // Id first: Find compares the string, then reads the id, on this same thread only.
            _ids[position] = id;
            values[position] = value;
        }
    }
}
