using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Sinks.Mmap.Storage;

/// <summary>
/// Maps the path a user configures onto segment files: <c>logs/app.mlog</c> → <c>logs/app-000001.mlog</c>.
/// A log has one or more <em>lanes</em>, each a run of segments with its own lock and sequence numbers,
/// written by one writer at a time: lane 1 is <c>app-000001.mlog</c> (lock <c>app.mlog.lock</c>), lane
/// <c>n</c> ≥ 2 is <c>app~n-000001.mlog</c> (lock <c>app~n.mlog.lock</c>). A second writer on the same path
/// takes the next free lane instead of waiting, and readers merge the lanes by time (FORMAT.md, Files).
/// </summary>
internal sealed class SegmentNaming
{
    /// <summary>How many writers may share one path at once.</summary>
    public const int MaxLanes = 16;

    /// <summary>Separates a lane's number from the stem: <c>app~2</c>.</summary>
    public const char LaneSeparator = '~';

    public SegmentNaming(string path, int lane = 1)
    {
        if (lane < 1 || lane > MaxLanes) throw new ArgumentOutOfRangeException(nameof(lane));
        string full = Path.GetFullPath(path);
        Directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no directory part.", nameof(path));
        BaseStem = Path.GetFileNameWithoutExtension(full);
        Extension = Path.GetExtension(full);
        if (Extension.Length == 0)
        {
            Extension = ".mlog";
        }
        Lane = lane;
        Stem = lane == 1 ? BaseStem : BaseStem + LaneSeparator + lane.ToString(CultureInfo.InvariantCulture);
        LockPath = Path.Combine(Directory, Stem + Extension + ".lock");
        ConfiguredPath = Path.Combine(Directory, BaseStem + Extension);
    }

    public string Directory { get; }

    /// <summary>The configured file name without extension: <c>app</c>.</summary>
    public string BaseStem { get; }

    /// <summary>This lane's stem: <c>app</c> for lane 1, <c>app~2</c> for lane 2.</summary>
    public string Stem { get; }
    public string Extension { get; }
    public string LockPath { get; }
    public int Lane { get; }

    /// <summary>The path the user configured, whatever the lane.</summary>
    public string ConfiguredPath { get; }

    /// <summary>The same log's lane <paramref name="lane"/>.</summary>
    public SegmentNaming ForLane(int lane) => lane == Lane ? this : new SegmentNaming(ConfiguredPath, lane);

    public string PathFor(long number) =>
        Path.Combine(Directory, Stem + "-" + number.ToString("D6", CultureInfo.InvariantCulture) + Extension);

    /// <summary>The segment files present now, ordered by number.</summary>
    public List<(long Number, string Path)> List()
    {
        var result = new List<(long, string)>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return result;
        }
        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, Stem + "-*" + Extension))
        {
            if (TryParseNumber(Path.GetFileName(file), out long number))
            {
                result.Add((number, file));
            }
        }
        AddCompressed(result);
        result.Sort(static (a, b) => a.Item1.CompareTo(b.Item1));
        return result;
    }

    /// <summary>
    /// The lanes of this log that have a lock file or a segment now, lane 1 always among them, in order.
    /// </summary>
    public List<int> LanesPresent()
    {
        var lanes = new SortedSet<int> { 1 };
        if (System.IO.Directory.Exists(Directory))
        {
            string prefix = BaseStem + LaneSeparator;
            foreach (string file in System.IO.Directory.EnumerateFileSystemEntries(Directory, prefix + "*"))
            {
                if (TryParseLane(Path.GetFileName(file), out int lane)) lanes.Add(lane);
            }
        }
        return new List<int>(lanes);
    }

    /// <summary>Whether <paramref name="fileName"/> is one of this log's lane files (<c>app~2-…</c> or <c>app~2.mlog.lock</c>), and which lane.</summary>
    private bool TryParseLane(string fileName, out int lane)
    {
        lane = 0;
        int start = BaseStem.Length + 1;
        int end = start;
        while (end < fileName.Length && end - start < 3 && fileName[end] >= '0' && fileName[end] <= '9') end++;
        if (end == start || end >= fileName.Length || !fileName.StartsWith(BaseStem + LaneSeparator, StringComparison.Ordinal)) return false;
        string rest = fileName.Substring(end);
        if (rest[0] != '-' && rest != Extension + ".lock") return false;
        return int.TryParse(fileName.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out lane) && lane >= 2 && lane <= MaxLanes;
    }

    /// <summary>
    /// Adds the compressed segments (<c>app-000007.mlogz</c>) whose plain file is not there: while both
    /// exist the compression has not finished, and the plain file is the segment (FORMAT.md).
    /// </summary>
    private void AddCompressed(List<(long Number, string Path)> segments)
    {
        HashSet<long>? plain = null;
        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, Stem + "-*" + Extension + Compression.CompressedSegment.FileSuffix))
        {
            string name = Path.GetFileName(file);
            if (TryParseNumber(name.Substring(0, name.Length - Compression.CompressedSegment.FileSuffix.Length), out long number))
            {
                plain ??= Numbers(segments);
                if (!plain.Contains(number))
                {
                    segments.Add((number, file));
                }
            }
        }
    }

    /// <summary>Sorts by number and drops a compressed segment whose plain file is listed too (see <see cref="AddCompressed"/>).</summary>
    public static void PreferPlain(List<(long Number, string Path)> segments)
    {
        // Ordinal order puts "app-000007.mlog" right before "app-000007.mlogz".
        segments.Sort(static (a, b) => a.Number != b.Number ? a.Number.CompareTo(b.Number) : string.CompareOrdinal(a.Path, b.Path));
        for (int i = segments.Count - 1; i > 0; i--)
        {
            (long number, string path) = segments[i];
            if (number == segments[i - 1].Number && path == Compression.CompressedSegment.ContainerPath(segments[i - 1].Path))
            {
                segments.RemoveAt(i);
            }
        }
    }

    private static HashSet<long> Numbers(List<(long Number, string Path)> segments)
    {
        var numbers = new HashSet<long>();
        foreach ((long number, _) in segments) numbers.Add(number);
        return numbers;
    }

    public bool TryParseNumber(string fileName, out long number)
    {
        number = 0;
        if (!fileName.StartsWith(Stem + "-", StringComparison.Ordinal) || !fileName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }
        ReadOnlySpan<char> digits = fileName.AsSpan(Stem.Length + 1, fileName.Length - Stem.Length - 1 - Extension.Length);
        return digits.Length >= 6 && IsAllDigits(digits) && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out number) && number > 0;
    }

    /// <summary>Splits any segment file name into its stem and number, whatever the configured path was.</summary>
    public static bool TryParseSegmentFileName(string fileName, out string stem, out long number)
    {
        stem = "";
        number = 0;
        string name = Path.GetFileNameWithoutExtension(fileName);
        int dash = name.LastIndexOf('-');
        if (dash <= 0 || name.Length - dash - 1 < 6)
        {
            return false;
        }
        ReadOnlySpan<char> digits = name.AsSpan(dash + 1);
        if (!IsAllDigits(digits) || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number <= 0)
        {
            return false;
        }
        stem = name.Substring(0, dash);
        return true;
    }

    private static bool IsAllDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (c < '0' || c > '9') return false;
        }
        return true;
    }
}
