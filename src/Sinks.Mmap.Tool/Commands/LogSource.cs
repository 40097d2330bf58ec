using System.Collections.Generic;
using System.CommandLine;
using System.IO;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>The PATH argument every command takes, and opening a reader on it.</summary>
internal static class LogSource
{
    public static Argument<string> PathArgument() => new("PATH")
    {
        Description = "A segment file (app-000001.mlog), the writer's path (logs/app.mlog) or a folder of segments.",
    };

    /// <summary>
    /// A reader of <paramref name="path"/>; a usage error (exit 2) when nothing there is a log: no such
    /// path, no segment files, or no valid segment among them (a text file, random bytes, an empty file).
    /// A follower may start before the log and its folder exist: it waits for them, unless PATH is a
    /// file that is not a segment.
    /// </summary>
    public static MmapLogReader Open(string path, bool following = false)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ToolException("PATH is empty");
        bool isFile = File.Exists(path);
        bool exists = isFile || Directory.Exists(path);
        if (!exists && !following)
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is null || !Directory.Exists(folder)) throw new ToolException($"'{path}' does not exist");
        }
        var reader = new MmapLogReader(path);
        IReadOnlyList<SegmentInspection> segments = reader.InspectSegments();
        if (segments.Count == 0)
        {
            if (following) return reader;
            throw new ToolException(exists
                ? $"no segments found at '{path}'"
                : $"no segments found at '{path}' (no such file or folder, and no {Path.GetFileNameWithoutExtension(path)}-NNNNNN{Path.GetExtension(path)} next to it)");
        }
        string? problem = null;
        foreach ((_, SegmentState state, string? why) in segments)
        {
            if (state == SegmentState.Readable) return reader;
            problem ??= why;
        }
        // Segments prepared but never started may still start; anything else at a file's path never will.
        if (following && !(isFile && problem is not null)) return reader;
        throw new ToolException($"no valid segment at '{path}'" + (problem is null ? " (only segments prepared but never started)" : $": {problem}"));
    }

    /// <summary>The total size of the segment files, for progress and stats.</summary>
    public static long TotalBytes(IReadOnlyList<string> files)
    {
        long total = 0;
        foreach (string file in files)
        {
            try { total += new FileInfo(file).Length; } catch (IOException) { }
        }
        return total;
    }
}
