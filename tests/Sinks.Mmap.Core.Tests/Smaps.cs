using System;
using System.Globalization;
using System.IO;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Core.Tests;

/// <summary>What the kernel says of a segment's mapping in /proc/self/smaps (Linux).</summary>
internal static unsafe class Smaps
{
    public static bool IsAvailable => OperatingSystem.IsLinux() && File.Exists("/proc/self/smaps");

    /// <summary>The value of <paramref name="field"/> (e.g. "VmFlags:") for the mapping that starts at the storage's base.</summary>
    public static string Field(SegmentStorage storage, string field)
    {
        string start = ((ulong)storage.Base).ToString("x", CultureInfo.InvariantCulture) + "-";
        bool inMapping = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            // A mapping's first line starts with its lowercase hex address range; its fields with a capital.
            if (line.Length > 0 && (char.IsAsciiDigit(line[0]) || char.IsAsciiHexDigitLower(line[0])))
            {
                inMapping = line.StartsWith(start, StringComparison.Ordinal);
            }
            else if (inMapping && line.StartsWith(field, StringComparison.Ordinal))
            {
                return line.Substring(field.Length).Trim();
            }
        }
        throw new InvalidOperationException($"no {field} for a mapping at {start} in /proc/self/smaps");
    }

    /// <summary>A field given in kB (e.g. "Size:", "Referenced:"), in KiB.</summary>
    public static long KiB(SegmentStorage storage, string field) =>
        long.Parse(Field(storage, field).Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
}
