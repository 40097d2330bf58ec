using System;
using System.Collections.Generic;
using System.IO;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Reading;

/// <summary>
/// One run of segments read in number order: a lane of a log (FORMAT.md, <em>Lanes</em>), or a lone
/// segment file. <see cref="Key"/> names it in positions: empty for the first lane, else its files' stem.
/// </summary>
internal sealed record LogLane(string Key, IReadOnlyList<(long Number, string Path)> Segments);

/// <summary>
/// Resolves what a user points a reader at: one segment file, the path the writer was given (every
/// lane of it), or a folder of segments (every run of segments in it). Listing again picks up
/// segments and lanes created or deleted since.
/// </summary>
internal sealed class SegmentSet
{
    private readonly string _path;

    public SegmentSet(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("A path to a segment, a log or a folder is required.", nameof(path));
        _path = Path.GetFullPath(path);
    }

    /// <summary>Every segment, lane after lane.</summary>
    public IReadOnlyList<(long Number, string Path)> List()
    {
        IReadOnlyList<LogLane> lanes = Lanes();
        if (lanes.Count == 1) return lanes[0].Segments;
        var all = new List<(long, string)>();
        foreach (LogLane lane in lanes) all.AddRange(lane.Segments);
        return all;
    }

    /// <summary>The runs of segments to read and merge, the first lane first; never empty lanes.</summary>
    public IReadOnlyList<LogLane> Lanes()
    {
        if (Directory.Exists(_path))
        {
            return FolderLanes();
        }
        if (File.Exists(_path) && SegmentNaming.TryParseSegmentFileName(_path, out _, out long single))
        {
            return new[] { new LogLane("", new[] { (single, _path) }) };
        }
        var log = new SegmentNaming(_path);
        var lanes = new List<LogLane>();
        foreach (int lane in log.LanesPresent())
        {
            SegmentNaming naming = log.ForLane(lane);
            List<(long, string)> segments = naming.List();
            if (segments.Count > 0) lanes.Add(new LogLane(lanes.Count == 0 ? "" : naming.Stem, segments));
        }
        if (lanes.Count == 0 && File.Exists(_path))
        {
            // A segment under another name (copied or renamed): read it alone.
            lanes.Add(new LogLane("", new[] { (0L, _path) }));
        }
        return lanes;
    }

    /// <summary>A folder: each stem (<c>app</c>, <c>app~2</c>, <c>audit</c>) is a run of its own, in stem order.</summary>
    private IReadOnlyList<LogLane> FolderLanes()
    {
        var byStem = new SortedDictionary<string, List<(long, string)>>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(_path))
        {
            if (!file.EndsWith(".lock", StringComparison.Ordinal) && SegmentNaming.TryParseSegmentFileName(file, out string stem, out long number))
            {
                if (!byStem.TryGetValue(stem, out List<(long, string)>? segments)) byStem[stem] = segments = new List<(long, string)>();
                segments.Add((number, file));
            }
        }
        var lanes = new List<LogLane>(byStem.Count);
        foreach ((string stem, List<(long Number, string Path)> segments) in byStem)
        {
            SegmentNaming.PreferPlain(segments);
            lanes.Add(new LogLane(lanes.Count == 0 ? "" : stem, segments));
        }
        return lanes;
    }
}
