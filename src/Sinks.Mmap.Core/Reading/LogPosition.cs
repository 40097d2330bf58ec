using System;
using System.Globalization;

namespace Sinks.Mmap;

/// <summary>
/// Where a reader is in a log: the segment, the byte offset of the next record in it, and the
/// sequence number expected there. Save <see cref="ToString"/> and <see cref="Parse"/> it after a
/// restart to resume exactly where reading stopped.
/// </summary>
/// <param name="SegmentNumber">The segment's number.</param>
/// <param name="Offset">The byte offset of the next record in that segment.</param>
/// <param name="NextSequence">The sequence number of the next record to read.</param>
public readonly record struct LogPosition(long SegmentNumber, long Offset, long NextSequence)
{
    /// <summary>Text of the form <c>segment:offset:sequence</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{SegmentNumber}:{Offset}:{NextSequence}");

    /// <summary>Parses <c>segment:offset:sequence</c>.</summary>
    public static bool TryParse(string? text, out LogPosition position)
    {
        position = default;
        if (text is null) return false;
        string[] parts = text.Trim().Split(':');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long segment) || segment < 1
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long offset) || offset < 0
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long sequence) || sequence < 1)
        {
            return false;
        }
        position = new LogPosition(segment, offset, sequence);
        return true;
    }

    /// <summary>Parses <c>segment:offset:sequence</c>; throws <see cref="FormatException"/> when it is not that.</summary>
    public static LogPosition Parse(string text) =>
        TryParse(text, out LogPosition position) ? position : throw new FormatException($"'{text}' is not a log position; expected segment:offset:sequence, e.g. 3:4096:1200.");
}
