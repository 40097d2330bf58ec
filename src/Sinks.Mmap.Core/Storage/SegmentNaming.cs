using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Sinks.Mmap.Storage;

/// <summary>Maps the path a user configures onto segment files: <c>logs/app.mlog</c> → <c>logs/app-000001.mlog</c>.</summary>
internal sealed class SegmentNaming
{
    public SegmentNaming(string path)
    {
        string full = Path.GetFullPath(path);
        Directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no directory part.", nameof(path));
        Stem = Path.GetFileNameWithoutExtension(full);
        Extension = Path.GetExtension(full);
        if (Extension.Length == 0)
        {
            Extension = ".mlog";
        }
        LockPath = Path.Combine(Directory, Stem + Extension + ".lock");
    }

    public string Directory { get; }
    public string Stem { get; }
    public string Extension { get; }
    public string LockPath { get; }

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
        result.Sort(static (a, b) => a.Item1.CompareTo(b.Item1));
        return result;
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
