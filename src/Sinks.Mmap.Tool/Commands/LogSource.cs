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

    /// <summary>A reader of <paramref name="path"/>; throws a usage error when nothing there looks like a log.</summary>
    public static MmapLogReader Open(string path, bool allowEmpty = false)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ToolException("PATH is empty");
        bool exists = File.Exists(path) || Directory.Exists(path);
        if (!exists)
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is null || !Directory.Exists(folder)) throw new ToolException($"'{path}' does not exist");
        }
        var reader = new MmapLogReader(path);
        if (!allowEmpty && reader.SegmentFiles().Count == 0)
        {
            throw new ToolException(exists
                ? $"no segments found at '{path}'"
                : $"no segments found at '{path}' (no such file or folder, and no {Path.GetFileNameWithoutExtension(path)}-NNNNNN{Path.GetExtension(path)} next to it)");
        }
        return reader;
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
