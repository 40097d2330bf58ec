using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace Sinks.Mmap.Reading;

/// <summary>
/// The file a reader keeps its <see cref="LogPosition"/> in between runs (<see cref="LogPosition.SaveTo"/>,
/// <see cref="LogPosition.TryLoadFrom"/>): the position's text and a newline, written and read here only,
/// safely in a folder others can write to.
/// </summary>
internal static class PositionFile
{
    /// <summary>A position file holds one short line; more than this is not one (and is not read).</summary>
    public const int MaxBytes = 4096;

    /// <summary>
    /// Only a regular file of at most <see cref="MaxBytes"/> is read: not a FIFO (it would wait), not
    /// /dev/zero (it never ends). A missing or empty file is no position (null), not a problem.
    /// </summary>
    public static bool TryLoad(string path, out LogPosition? position, [NotNullWhen(false)] out string? problem)
    {
        position = null;
        problem = null;
        byte[]? bytes;
        bool longer;
        try
        {
            bytes = RegularFile.ReadPrefix(path, MaxBytes, out string? notRegular, out longer);
            if (bytes is null)
            {
                problem = $"is not a regular file ({notRegular})";
                return false;
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return true;
        }
        if (longer)
        {
            problem = $"is larger than a position file ({MaxBytes} bytes at most)";
            return false;
        }
        string content = Encoding.UTF8.GetString(bytes).Trim();
        if (content.Length == 0) return true;
        if (!LogPosition.TryParse(content, out LogPosition parsed))
        {
            problem = "does not hold a position (segment:offset:sequence)";
            return false;
        }
        position = parsed;
        return true;
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
}
