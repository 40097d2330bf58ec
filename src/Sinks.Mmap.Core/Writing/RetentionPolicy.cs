using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.Win32.SafeHandles;
using Sinks.Mmap.Compression;
using Sinks.Mmap.Format;
using Sinks.Mmap.Reading;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>
/// Deletes the oldest segments beyond the count, age and total-size limits, over every lane of the
/// log (the limits are the log's, however many writers share it). Never deletes the segments this
/// writer is writing or has prepared, a segment another writer has in use, or a segment of another
/// lane that is not sealed: only finished files go.
/// </summary>
internal static class RetentionPolicy
{
    /// <summary>
    /// Applies the limits; returns the files it deleted. <paramref name="naming"/> is the caller's lane:
    /// its segments numbered <paramref name="oldestLiveNumber"/> or above are never touched.
    /// <paramref name="claim"/> is asked, for each of the caller's own segments just before it goes, whether it may
    /// go now (not while its sealed hook is pending or while it is being compressed, and not once compression
    /// replaced it: the file list was taken earlier); <paramref name="deleting"/> is then called with its path
    /// (the lifecycle hook).
    /// </summary>
    public static List<string> Apply(SegmentNaming naming, MmapLogOptions options, long oldestLiveNumber, DateTime nowUtc, Action<MmapLogError> report, Action<string>? deleting = null, Func<string, bool>? claim = null)
    {
        var deleted = new List<string>();
        if (options.RetainedFileCountLimit is null && options.RetainedFileTimeLimit is null && options.RetainedTotalSizeLimitBytes is null)
        {
            return deleted;
        }
        int liveCount = 0;
        long totalBytes = 0;
        var candidates = new List<Candidate>();
        foreach (int lane in naming.LanesPresent())
        {
            bool own = lane == naming.Lane;
            foreach ((long number, string path) in naming.ForLane(lane).List())
            {
                var info = new FileInfo(path);
                if (!info.Exists || info.LinkTarget is not null) continue;
                totalBytes += info.Length;
                // A compressed segment is sealed by definition and nobody writes it.
                bool deletable = own ? number < oldestLiveNumber : CompressedSegment.IsContainerName(path, naming.Extension) || IsSealedAndIdle(path);
                if (!deletable)
                {
                    // A segment prepared ahead and not started holds no events: it is not one of the files the count keeps.
                    if (HasStarted(path)) liveCount++;
                    continue;
                }
                candidates.Add(new Candidate(path, info.Length, info.LastWriteTimeUtc, CreatedTicks(path, info), lane, number, own));
            }
        }
        // Oldest first: by when each was started (its header says; one lane's files are in number order), then
        // lane and number. Not by the file's time: writes through a mapping whose pages were faulted in
        // ahead do not move it, so a segment sealed a moment ago may look older than all the others.
        candidates.Sort(static (a, b) =>
            a.CreatedTicks != b.CreatedTicks ? a.CreatedTicks.CompareTo(b.CreatedTicks) : a.Lane != b.Lane ? a.Lane.CompareTo(b.Lane) : a.Number.CompareTo(b.Number));
        int remaining = candidates.Count + liveCount;
        foreach (Candidate candidate in candidates)
        {
            bool tooMany = options.RetainedFileCountLimit is { } count && remaining > count;
            bool tooOld = options.RetainedFileTimeLimit is { } age && candidate.WrittenUtc < nowUtc - age;
            bool tooBig = options.RetainedTotalSizeLimitBytes is { } limit && totalBytes > limit;
            if (!tooMany && !tooOld && !tooBig)
            {
                continue;
            }
            if (candidate.Own && claim?.Invoke(candidate.Path) == false)
            {
                // Kept for now: it still counts against the limits, and the next pass looks again.
                continue;
            }
            try
            {
                deleting?.Invoke(candidate.Path);
                File.Delete(candidate.Path);
                deleted.Add(candidate.Path);
                remaining--;
                totalBytes -= candidate.Bytes;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                report(new MmapLogError(MmapLogErrorKind.Io, $"retention could not delete {candidate.Path}", ex));
            }
        }
        return deleted;
    }

    private readonly record struct Candidate(string Path, long Bytes, DateTime WrittenUtc, long CreatedTicks, int Lane, long Number, bool Own);

    /// <summary>When the segment was started, from its header; the file's time when the header cannot be read.</summary>
    private static long CreatedTicks(string path, FileInfo info)
    {
        try
        {
            // Through SegmentSource: a compressed segment's header is in its first block. A window of the
            // header alone: this runs after every rotation, once a segment, and the reader's default window
            // (1 MiB, read and allocated whole) made each pass read megabytes and fill the large-object heap,
            // whose collections stopped the logging threads.
            using SegmentSource? source = SegmentSource.Open(path, FormatConstants.HeaderSize, out _);
            if (source is null) return info.LastWriteTimeUtc.Ticks;
            ReadOnlySpan<byte> head = source.Read(0, FormatConstants.HeaderSize);
            if (head.Length == FormatConstants.HeaderSize && SegmentHeader.TryParse(head, System.IO.Path.GetFileName(path), out _) is { } header)
            {
                return header.CreatedUtcTicks;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or MmapFormatException)
        {
        }
        return info.LastWriteTimeUtc.Ticks;
    }

    /// <summary>Another lane's segment that its writer finished: sealed and trimmed, and in use by nobody.</summary>
    private static bool IsSealedAndIdle(string path)
    {
        SafeFileHandle? handle = null;
        try
        {
            if (UnixFiles.IsSupported)
            {
                handle = UnixFiles.OpenRegular(path, writable: true, create: false, createNew: false, out _, out _);
                if (handle is null || !UnixFiles.TryLockSegment(handle, out _)) return false;
            }
            else
            {
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            return SegmentFiles.TryReadSeal(handle, out _);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            handle?.Dispose();
        }
    }

    // Read without a FileStream: this runs for every live segment on every pass, a few passes a segment, and a
    // FileStream's 4 KiB buffer each time was most of what retention allocated.
    private static bool HasStarted(string path)
    {
        try
        {
            using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Span<byte> head = stackalloc byte[FormatConstants.HeaderSize];
            return SegmentFiles.ReadFully(file, head, 0) != head.Length || !SegmentHeader.IsNeverStarted(head);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
