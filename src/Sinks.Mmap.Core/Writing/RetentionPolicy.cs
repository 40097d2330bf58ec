using System;
using System.Collections.Generic;
using System.IO;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>Deletes the oldest sealed segments beyond the count, age and total-size limits; never the live ones.</summary>
internal static class RetentionPolicy
{
    /// <summary>Applies the limits; returns the files it deleted. Segments numbered <paramref name="oldestLiveNumber"/> or above are never touched.</summary>
    public static List<string> Apply(SegmentNaming naming, MmapLogOptions options, long oldestLiveNumber, DateTime nowUtc, Action<MmapLogError> report)
    {
        var deleted = new List<string>();
        if (options.RetainedFileCountLimit is null && options.RetainedFileTimeLimit is null && options.RetainedTotalSizeLimitBytes is null)
        {
            return deleted;
        }
        List<(long Number, string Path)> segments = naming.List();
        int liveCount = 0;
        long totalBytes = 0;
        var candidates = new List<(string Path, long Bytes, DateTime WrittenUtc)>();
        foreach ((long number, string path) in segments)
        {
            var info = new FileInfo(path);
            if (!info.Exists) continue;
            totalBytes += info.Length;
            if (number >= oldestLiveNumber)
            {
                // A segment prepared ahead and not started holds no events: it is not one of the files the count keeps.
                if (HasStarted(path)) liveCount++;
                continue;
            }
            candidates.Add((path, info.Length, info.LastWriteTimeUtc));
        }
        int remaining = candidates.Count + liveCount;
        foreach ((string path, long bytes, DateTime written) in candidates)
        {
            bool tooMany = options.RetainedFileCountLimit is { } count && remaining > count;
            bool tooOld = options.RetainedFileTimeLimit is { } age && written < nowUtc - age;
            bool tooBig = options.RetainedTotalSizeLimitBytes is { } limit && totalBytes > limit;
            if (!tooMany && !tooOld && !tooBig)
            {
                continue;
            }
            try
            {
                File.Delete(path);
                deleted.Add(path);
                remaining--;
                totalBytes -= bytes;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                report(new MmapLogError(MmapLogErrorKind.Io, $"retention could not delete {path}", ex));
            }
        }
        return deleted;
    }

    private static bool HasStarted(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            byte[] head = new byte[Format.FormatConstants.HeaderSize];
            return file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) != head.Length || !Format.SegmentHeader.IsNeverStarted(head);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
