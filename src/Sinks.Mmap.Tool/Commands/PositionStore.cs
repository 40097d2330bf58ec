using System.IO;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>Reads --from and writes --save-position files.</summary>
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
            string content = File.ReadAllText(text).Trim();
            if (content.Length == 0) return null;
            if (LogPosition.TryParse(content, out position)) return position;
            throw new ToolException($"--from: the file '{text}' does not hold a position (segment:offset:sequence)");
        }
        if (LooksLikePath(text))
        {
            fromMissingFile = true;
            return null;
        }
        throw new ToolException($"--from: '{text}' is not a position (segment:offset:sequence, e.g. 3:4096:1200) nor a position file");
    }

    /// <summary>Writes <paramref name="position"/> to <paramref name="path"/> atomically (temp file, then rename).</summary>
    public static void Save(string path, LogPosition position)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, position.ToString() + "\n");
        File.Move(temp, path, overwrite: true);
    }

    private static bool LooksLikePath(string text) =>
        text.IndexOfAny(new[] { '/', '\\', '.' }) >= 0 || !text.Contains(':');
}
