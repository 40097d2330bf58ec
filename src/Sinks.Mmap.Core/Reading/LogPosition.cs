using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Sinks.Mmap;

/// <summary>
/// Where a reader is in a log: the segment, the byte offset of the next record in it, and the
/// sequence number expected there. Save <see cref="ToString"/> and <see cref="Parse"/> it after a
/// restart to resume exactly where reading stopped.
/// </summary>
/// <remarks>
/// A log that several writers shared has several lanes (FORMAT.md, <em>Lanes</em>), each with its own
/// segments and sequence numbers, which readers merge by time. A position read from such a log holds
/// one place per lane: this one (<see cref="Lane"/>, the lane of the record it follows) and the others'
/// (<see cref="Lanes"/>), so resuming continues every lane exactly where the merged read stopped. Its
/// text is the places joined by commas, each a lane's stem and <c>@</c> before the first lane's omitted:
/// <c>3:4096:1200</c> for a log of one lane, <c>3:4096:1200,app~2@1:8192:77</c> for two.
/// </remarks>
/// <param name="SegmentNumber">The segment's number.</param>
/// <param name="Offset">The byte offset of the next record in that segment.</param>
/// <param name="NextSequence">The sequence number of the next record to read.</param>
public readonly record struct LogPosition(long SegmentNumber, long Offset, long NextSequence)
{
    private readonly string? _lane;
    private readonly LogPosition[]? _others;

    /// <summary>The lane this place is in: empty for the log's first lane, else its files' stem (<c>app~2</c>).</summary>
    public string Lane
    {
        get => _lane ?? "";
        init => _lane = value.Length == 0 ? null : value;
    }

    /// <summary>Every lane's place, this one first; one entry for a log of one lane.</summary>
    public IReadOnlyList<LogPosition> Lanes
    {
        get
        {
            var all = new List<LogPosition>(1 + (_others?.Length ?? 0)) { Alone };
            if (_others is not null) all.AddRange(_others);
            return all;
        }
    }

    /// <summary>This lane's place without the others.</summary>
    internal LogPosition Alone => new(SegmentNumber, Offset, NextSequence) { Lane = Lane };

    /// <summary>This place together with the other lanes' places (none of them in this lane).</summary>
    internal LogPosition With(LogPosition[]? others) => new(SegmentNumber, Offset, NextSequence, _lane, others is { Length: > 0 } ? others : null);

    /// <summary>A position made of each lane's place, the reverse of <see cref="Lanes"/>: reading resumes from each of them.</summary>
    /// <param name="places">One place a lane, the first lane's first (each place's own other lanes are ignored).</param>
    /// <returns>The first place together with the others.</returns>
    public static LogPosition FromLanes(IReadOnlyList<LogPosition> places)
    {
        ArgumentNullException.ThrowIfNull(places);
        if (places.Count == 0) throw new ArgumentException("At least one place is needed.", nameof(places));
        var others = new LogPosition[places.Count - 1];
        for (int i = 1; i < places.Count; i++) others[i - 1] = places[i].Alone;
        return places[0].With(others);
    }

    private LogPosition(long segmentNumber, long offset, long nextSequence, string? lane, LogPosition[]? others)
        : this(segmentNumber, offset, nextSequence)
    {
        _lane = lane;
        _others = others;
    }

    /// <summary>The place of lane <paramref name="lane"/> (empty: the first lane), when this position has one.</summary>
    /// <param name="lane">A lane, as <see cref="Lane"/> names it.</param>
    /// <returns>That lane's place alone, or null when this position has none for it.</returns>
    public LogPosition? ForLane(string lane)
    {
        if (Lane == lane) return Alone;
        if (_others is not null)
        {
            foreach (LogPosition other in _others)
            {
                if (other.Lane == lane) return other;
            }
        }
        return null;
    }

    /// <inheritdoc />
    public bool Equals(LogPosition other)
    {
        if (SegmentNumber != other.SegmentNumber || Offset != other.Offset || NextSequence != other.NextSequence || Lane != other.Lane) return false;
        int count = _others?.Length ?? 0;
        if (count != (other._others?.Length ?? 0)) return false;
        for (int i = 0; i < count; i++)
        {
            if (!_others![i].Equals(other._others![i])) return false;
        }
        return true;
    }

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(SegmentNumber, Offset, NextSequence, Lane, _others?.Length ?? 0);

    /// <summary>Text of the form <c>segment:offset:sequence</c>, one such place a lane, joined by commas.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Append(text, Alone);
        if (_others is not null)
        {
            foreach (LogPosition other in _others)
            {
                text.Append(',');
                Append(text, other);
            }
        }
        return text.ToString();
    }

    private static void Append(StringBuilder text, LogPosition place)
    {
        if (place.Lane.Length > 0) text.Append(place.Lane).Append('@');
        text.Append(CultureInfo.InvariantCulture, $"{place.SegmentNumber}:{place.Offset}:{place.NextSequence}");
    }

    /// <summary>Parses what <see cref="ToString"/> writes: <c>segment:offset:sequence</c>, or several lanes' places joined by commas.</summary>
    public static bool TryParse(string? text, out LogPosition position)
    {
        position = default;
        if (text is null || text.Length > 64 * 1024) return false;
        string[] entries = text.Trim().Split(',');
        var places = new LogPosition[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            if (!TryParseOne(entries[i], out places[i])) return false;
            for (int j = 0; j < i; j++)
            {
                if (places[j].Lane == places[i].Lane) return false;
            }
        }
        position = places[0].With(places.Length > 1 ? places[1..] : null);
        return true;
    }

    private static bool TryParseOne(string entry, out LogPosition place)
    {
        place = default;
        int at = entry.LastIndexOf('@');
        string lane = at < 0 ? "" : entry.Substring(0, at);
        if (at == 0 || lane.IndexOfAny(new[] { ':', ',', '/', '\\' }) >= 0) return false;
        string[] parts = entry.Substring(at + 1).Split(':');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long segment) || segment < 1
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long offset) || offset < 0
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long sequence) || sequence < 1)
        {
            return false;
        }
        place = new LogPosition(segment, offset, sequence) { Lane = lane };
        return true;
    }

    /// <summary>
    /// Saves this position to a file, to be read back with <see cref="TryLoadFrom"/> after a restart:
    /// atomically (a new file beside it, renamed over it), and safely in a folder others can write to
    /// (an existing file or a planted link is never opened or followed).
    /// </summary>
    /// <param name="path">The position file.</param>
    public void SaveTo(string path) => Reading.PositionFile.Save(path, this);

    /// <summary>
    /// Reads a position that <see cref="SaveTo"/> saved. Only a regular file of at most 4 KiB is read:
    /// never a FIFO (which would wait) nor a device (which never ends).
    /// </summary>
    /// <param name="path">The position file.</param>
    /// <param name="position">The position; null when the file does not exist or is empty (read from the start).</param>
    /// <param name="problem">When false: why the file is not a position file ("is not a regular file (a FIFO)", …).</param>
    /// <returns>False when the file exists but holds no position that can be read.</returns>
    public static bool TryLoadFrom(string path, out LogPosition? position, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem) =>
        Reading.PositionFile.TryLoad(path, out position, out problem);

    /// <summary>Parses what <see cref="ToString"/> writes; throws <see cref="FormatException"/> when it is not that.</summary>
    public static LogPosition Parse(string text) =>
        TryParse(text, out LogPosition position) ? position : throw new FormatException($"'{text}' is not a log position; expected segment:offset:sequence, e.g. 3:4096:1200 (and, for a log of several lanes, more places after commas: 3:4096:1200,app~2@1:8192:77).");
}
