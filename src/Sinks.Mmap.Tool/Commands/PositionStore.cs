using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using Sinks.Mmap.Reading;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>Reads --from and writes --save-position files, safely in a folder others can write to.</summary>
internal static class PositionStore
{
    /// <summary>A position file holds one short line; more than this is not one (and is not read).</summary>
    private const int MaxPositionFileBytes = 4096;

    /// <summary>
    /// <paramref name="text"/> is a position (<c>segment:offset:sequence</c>) or the name of a file
    /// holding one (what --save-position wrote); a file that does not exist yet means "from the start".
    /// Only a regular file of at most 4 KiB is read: not a FIFO (it would wait), not /dev/zero (it never ends).
    /// </summary>
    public static LogPosition? Resolve(string? text, out bool fromMissingFile)
    {
        fromMissingFile = false;
        if (text is null) return null;
        if (LogPosition.TryParse(text, out LogPosition position)) return position;
        if (File.Exists(text))
        {
            byte[]? bytes;
            string? notRegular;
            bool longer;
            try
            {
                bytes = RegularFile.ReadPrefix(text, MaxPositionFileBytes, out notRegular, out longer);
            }
            catch (FileNotFoundException)
            {
                fromMissingFile = true;
                return null;
            }
            if (bytes is null) throw new ToolException($"--from: '{text}' is not a regular file ({notRegular})");
            if (longer) throw new ToolException($"--from: '{text}' is larger than a position file ({MaxPositionFileBytes} bytes at most)");
            string content = Encoding.UTF8.GetString(bytes).Trim();
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

    /// <summary>
    /// Writes <paramref name="position"/> to <paramref name="path"/> atomically: into a new file of a random
    /// name beside it, created exclusively (O_CREAT|O_EXCL: it never opens an existing file, nor follows a
    /// symbolic link planted under that name), then renamed over <paramref name="path"/> (a rename replaces a
    /// link at <paramref name="path"/> itself, never the file it points to).
    /// </summary>
    public static void Save(string path, LogPosition position)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        byte[] content = Encoding.ASCII.GetBytes(position.ToString() + "\n");
        for (int attempt = 0; ; attempt++)
        {
            string temp = Path.Combine(folder, "." + Path.GetFileName(full) + "." + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + ".tmp");
            FileStream file;
            try
            {
                file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (attempt < 4)
            {
                // The name exists (planted there, or a one-in-2^64 clash): never open it, take another.
                continue;
            }
            try
            {
                using (file)
                {
                    file.Write(content);
                }
                File.Move(temp, full, overwrite: true);
                return;
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static bool LooksLikePath(string text) =>
        text.IndexOfAny(new[] { '/', '\\', '.' }) >= 0 || !text.Contains(':');
}
