using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using Microsoft.Win32.SafeHandles;
using Sinks.Mmap.Compression;
using Sinks.Mmap.Format;
using Sinks.Mmap.Reading;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Recovery;

/// <summary>
/// Runs when a writer opens a log, under the writer lock. Sealed segments are checked by their last
/// 32 bytes only. A segment left unsealed by a crash is scanned: holes between valid records are
/// filled with padding, the torn tail is cut, the segment is sealed and trimmed, and the sequence
/// continues after it. Recovered segments are never written to again; the writer starts a new one.
/// </summary>
internal static class SegmentRecovery
{
    /// <summary>
    /// Recovers every segment of <paramref name="naming"/>'s lane but those in <paramref name="owned"/>
    /// (segments the calling writer itself has open) and those another writer has in use.
    /// </summary>
    public static RecoveryReport Recover(SegmentNaming naming, long nowUtcTicks, IReadOnlyCollection<string>? owned = null)
    {
        long nextNumber = 1;
        long nextSequence = 1;
        var repaired = new List<RepairedSegment>();
        var problems = new List<string>();
        var inUse = new List<string>();
        foreach ((long number, string path) in naming.List())
        {
            nextNumber = Math.Max(nextNumber, number + 1);
            if (owned is not null && Contains(owned, path))
            {
                continue;
            }
            if (CompressedSegment.IsContainerName(path, naming.Extension))
            {
                // Sealed before it was compressed, and written by nobody: nothing to repair, but the
                // sequence goes on after it (it may be the lane's newest segment).
                if (TryReadSeal(path, out long containerSeal, out string? unreadable)) nextSequence = Math.Max(nextSequence, containerSeal + 1);
                else problems.Add(unreadable);
                continue;
            }
            SegmentHeader? header;
            string? problem;
            bool sealedAndTrimmed;
            long sealSequence;
            SafeFileHandle? handle = null;
            try
            {
                handle = OpenOwned(path, out string? refusal, out bool busy);
                if (handle is null)
                {
                    if (busy) inUse.Add(path);
                    else problems.Add(refusal!);
                    continue;
                }
                byte[] head = new byte[FormatConstants.HeaderSize];
                int n = RandomAccess.Read(handle, head, 0);
                if (SegmentHeader.IsNeverStarted(head.AsSpan(0, n)))
                {
                    // A segment prepared ahead and never started: nothing in it, and its number is free again.
                    SegmentFiles.TryDelete(path);
                    handle.Dispose();
                    if (nextNumber == number + 1) nextNumber = number;
                    continue;
                }
                header = SegmentHeader.TryParse(head.AsSpan(0, n), Path.GetFileName(path), out problem);
                sealedAndTrimmed = SegmentFiles.TryReadSeal(handle, out sealSequence);
                if (header is null)
                {
                    problems.Add(problem!);
                    continue;
                }
                if (sealedAndTrimmed)
                {
                    nextSequence = Math.Max(nextSequence, sealSequence + 1);
                    continue;
                }
                RepairedSegment result = Repair(handle, path, header.Value, nowUtcTicks);
                repaired.Add(result);
                nextSequence = Math.Max(nextSequence, result.LastSequence + 1);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or MmapFormatException)
            {
                problems.Add($"{Path.GetFileName(path)}: could not be recovered: {ex.Message}");
            }
            finally
            {
                handle?.Dispose();
            }
        }
        return new RecoveryReport(nextNumber, nextSequence, repaired, problems, inUse);
    }

    private static bool Contains(IReadOnlyCollection<string> paths, string path)
    {
        foreach (string p in paths)
        {
            if (string.Equals(p, path, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>
    /// Opens a segment for repair and takes its "in use" lock, or says why not: a name that is not a
    /// regular file (a planted link, FIFO or folder) is never opened; a segment that another writer has
    /// mapped (its lock is held) is never repaired, since cutting a mapped file's tail would kill that
    /// writer with SIGBUS.
    /// </summary>
    private static SafeFileHandle? OpenOwned(string path, out string? refusal, out bool inUse)
    {
        inUse = false;
        refusal = null;
        if (!UnixFiles.IsSupported)
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        }
        SafeFileHandle? handle = UnixFiles.OpenRegular(path, writable: true, create: false, createNew: false, out FileKind kind, out int errno);
        if (handle is null)
        {
            refusal = kind is FileKind.Regular or FileKind.Missing
                ? $"{Path.GetFileName(path)}: cannot open (errno {errno})"
                : $"{Path.GetFileName(path)} is {UnixFiles.Describe(kind)}, not a segment; left alone";
            return null;
        }
        if (!UnixFiles.TryLockSegment(handle, out errno) && errno is UnixFiles.EAGAIN or UnixFiles.EACCES)
        {
            handle.Dispose();
            inUse = true;
            return null;
        }
        return handle;
    }

    /// <summary>
    /// The sequence of a segment's seal, read by path: through its last block when it is compressed.
    /// Or why it cannot be read.
    /// </summary>
    internal static bool TryReadSeal(string path, out long sequence, [NotNullWhen(false)] out string? problem)
    {
        sequence = 0;
        problem = null;
        try
        {
            using SegmentSource? source = SegmentSource.Open(path, FormatConstants.SealReserve, out string? notRegular);
            if (source is null)
            {
                problem = $"{Path.GetFileName(path)} is {notRegular}, not a segment; left alone";
                return false;
            }
            if (source.Unreadable is not null)
            {
                problem = $"{Path.GetFileName(path)}: {source.Unreadable}";
                return false;
            }
            ReadOnlySpan<byte> tail = source.Read(source.Length - FormatConstants.SealReserve, FormatConstants.SealReserve);
            if (RecordFrame.TryReadSeal(tail, out sequence))
            {
                return true;
            }
            problem = $"{Path.GetFileName(path)}: a compressed segment without its seal; left alone";
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or MmapFormatException)
        {
            problem = $"{Path.GetFileName(path)}: could not be read: {ex.Message}";
            return false;
        }
    }

    private static RepairedSegment Repair(SafeFileHandle handle, string path, SegmentHeader header, long nowUtcTicks)
    {
        long records = 0;
        long lastSequence = header.FirstSequence - 1;
        long end = FormatConstants.HeaderSize;
        int holes = 0;
        long lost = 0;
        long tornBytes = 0;
        bool alreadySealed = false;
        var gaps = new List<(long Offset, long Length, long Sequence, long Count)>();
        long fileLength;
        using (var source = new SegmentSource(path))
        {
            fileLength = source.Length;
            var scanner = new FrameScanner(source, FormatConstants.HeaderSize, Math.Min(fileLength, header.Capacity), header.FirstSequence);
            ScanItem? pendingGap = null;
            while (scanner.Next(out ScanItem item, out ReadOnlySpan<byte> frame))
            {
                if (item.Kind == ScanItemKind.TornTail)
                {
                    tornBytes = item.Length;
                    break;
                }
                if (item.Kind != ScanItemKind.Record)
                {
                    pendingGap = item;
                    continue;
                }
                long sequence = RecordFrame.Sequence(frame);
                if (pendingGap is { } gap)
                {
                    long missing = Math.Max(0, sequence - (lastSequence + 1));
                    gaps.Add((gap.Offset, gap.Length, lastSequence + 1, missing));
                    lost += missing;
                    holes++;
                    pendingGap = null;
                }
                records++;
                lastSequence = PaddingRecord.IsCounted(RecordFrame.Kind(frame)) ? sequence + PaddingRecord.Count(frame) - 1 : sequence;
                end = item.Offset + FormatConstants.Align(item.Length);
                if (RecordFrame.Kind(frame) == RecordKind.EndOfSegment)
                {
                    alreadySealed = true;
                    break;
                }
            }
        }

        foreach ((long offset, long length, long sequence, long count) in gaps)
        {
            if (length < FormatConstants.SealReserve)
            {
                continue;
            }
            byte[] padding = new byte[length];
            RecordFrame.WritePadding(padding, sequence, (uint)Math.Min(count, uint.MaxValue), nowUtcTicks);
            RandomAccess.Write(handle, padding, offset);
        }
        long finalLength = end;
        if (!alreadySealed && end + FormatConstants.SealReserve <= fileLength)
        {
            byte[] seal = new byte[FormatConstants.SealReserve];
            lastSequence++;
            RecordFrame.WriteSeal(seal, lastSequence, nowUtcTicks);
            RandomAccess.Write(handle, seal, end);
            finalLength = end + FormatConstants.SealReserve;
        }
        // Cutting the file removes every stale byte after the last good record.
        RandomAccess.SetLength(handle, finalLength);
        // Disposing the stream closes the handle, which releases the "in use" lock: repair is done.
        using (var flusher = new FileStream(handle, FileAccess.ReadWrite, 1))
        {
            flusher.Flush(flushToDisk: true);
        }
        return new RepairedSegment(path, records, lastSequence, holes, lost, tornBytes);
    }
}
