using System;
using System.IO;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>Resolves --from (a position, or the file --save-position wrote) and writes --save-position files, through the core's position file.</summary>
internal static class PositionStore
{
    /// <summary>
    /// <paramref name="text"/> is a position (<c>segment:offset:sequence</c>) or the name of a file
    /// holding one (what --save-position wrote); a file that does not exist yet means "from the start".
    /// </summary>
    public static LogPosition? Resolve(string? text, out bool fromMissingFile)
    {
        fromMissingFile = false;
        if (text is null) return null;
        if (LogPosition.TryParse(text, out LogPosition position)) return position;
        if (File.Exists(text))
        {
            if (!LogPosition.TryLoadFrom(text, out LogPosition? saved, out string? problem)) throw new ToolException($"--from: '{text}' {problem}");
            fromMissingFile = saved is null && !File.Exists(text);
            return saved;
        }
        if (LooksLikePath(text))
        {
            fromMissingFile = true;
            return null;
        }
        throw new ToolException($"--from: '{text}' is not a position (segment:offset:sequence, e.g. 3:4096:1200) nor a position file");
    }

    /// <summary>Writes <paramref name="position"/> to <paramref name="path"/> (<see cref="LogPosition.SaveTo"/>: atomically, never through a planted link).</summary>
    public static void Save(string path, LogPosition position) => position.SaveTo(path);

    private static bool LooksLikePath(string text) =>
        text.IndexOfAny(new[] { '/', '\\', '.' }) >= 0 || !text.Contains(':');
}
