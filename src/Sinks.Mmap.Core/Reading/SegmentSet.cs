using System;
using System.Collections.Generic;
using System.IO;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Resolves what a user points a reader at: one segment file, the path the writer was given, or a
/// folder of segments. Listing again picks up segments created or deleted since.
/// </summary>
internal sealed class SegmentSet
{
    private readonly string _path;

    public SegmentSet(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("A path to a segment, a log or a folder is required.", nameof(path));
        _path = Path.GetFullPath(path);
    }

    public IReadOnlyList<(long Number, string Path)> List()
    {
        if (Directory.Exists(_path))
        {
            var found = new List<(string Stem, long Number, string Path)>();
            foreach (string file in Directory.EnumerateFiles(_path))
            {
                if (!file.EndsWith(".lock", StringComparison.Ordinal) && SegmentNaming.TryParseSegmentFileName(file, out string stem, out long number))
                {
                    found.Add((stem, number, file));
                }
            }
            found.Sort(static (a, b) => a.Stem != b.Stem ? string.CompareOrdinal(a.Stem, b.Stem) : a.Number.CompareTo(b.Number));
            var result = new List<(long, string)>(found.Count);
            foreach ((_, long n, string p) in found) result.Add((n, p));
            return result;
        }
        if (File.Exists(_path) && SegmentNaming.TryParseSegmentFileName(_path, out _, out long single))
        {
            return new[] { (single, _path) };
        }
        var naming = new SegmentNaming(_path);
        List<(long, string)> segments = naming.List();
        if (segments.Count == 0 && File.Exists(_path))
        {
            // A segment under another name (copied or renamed): read it alone.
            return new[] { (0L, _path) };
        }
        return segments;
    }
}
