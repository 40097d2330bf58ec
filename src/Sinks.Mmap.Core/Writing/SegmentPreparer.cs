using System;
using System.IO;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>Creates a segment file, preallocates it, maps it (or falls back to positional writes) and pre-faults it.</summary>
internal sealed class SegmentPreparer
{
    private readonly MmapLogOptions _options;
    private readonly Action<MmapLogError> _report;
    // More taken names in a row than this is not a planted name but a folder this writer cannot use.
    private const int MaxNamesSkipped = 64;
    private readonly System.Collections.Generic.HashSet<string> _reportedTaken = new(StringComparer.Ordinal);
    private bool _fallbackReported;

    public SegmentPreparer(MmapLogOptions options, Action<MmapLogError> report)
    {
        _options = options;
        _report = report;
    }

    /// <summary>
    /// Creates the segment numbered <paramref name="number"/> in <paramref name="naming"/>'s lane, or
    /// the next number whose name is free: a name already taken (a planted link, FIFO or folder, a
    /// leftover) is never opened, deleted or waited on; it is reported once and stepped past, so a
    /// name nobody can use never stops logging. Throws <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> when no file can be created. Every page is faulted
    /// in; <see cref="PageWindow"/> renews the ones just ahead of the tail later, as the kernel may
    /// write back or reclaim them before they are used.
    /// </summary>
    public SegmentStorage Prepare(SegmentNaming naming, long number)
    {
        for (int attempt = 0; ; attempt++)
        {
            string path = naming.PathFor(number + attempt);
            FileStream file;
            try
            {
                file = SegmentFiles.CreatePreallocated(path, _options.SegmentSizeBytes);
            }
            catch (SegmentNameTakenException taken) when (attempt < MaxNamesSkipped)
            {
                ReportTaken(taken);
                continue;
            }
            try
            {
                SegmentStorage storage = Map(path, file);
                storage.Prefault(0, storage.Capacity);
                storage.Number = number + attempt;
                return storage;
            }
            catch
            {
                file.Dispose();
                SegmentFiles.TryDelete(path);
                throw;
            }
        }
    }

    private void ReportTaken(SegmentNameTakenException taken)
    {
        lock (_reportedTaken)
        {
            if (!_reportedTaken.Add(taken.Path)) return;
        }
        _report(new MmapLogError(MmapLogErrorKind.Io,
            $"{taken.Path} is already taken ({UnixFiles.Describe(taken.Kind)}) and is not a segment this writer may use; it is left alone and the next number is used"));
    }

    private SegmentStorage Map(string path, FileStream file)
    {
        if (!_options.ForceStreamFallback)
        {
            try
            {
                return new MappedSegmentStorage(path, file, _options.SegmentSizeBytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or PlatformNotSupportedException)
            {
                ReportFallback(path, ex);
            }
        }
        else
        {
            ReportFallback(path, null);
        }
        return new StreamSegmentStorage(path, file, _options.SegmentSizeBytes);
    }

    private void ReportFallback(string path, Exception? cause)
    {
        if (_fallbackReported) return;
        _fallbackReported = true;
        _report(new MmapLogError(MmapLogErrorKind.MappingUnavailable,
            $"memory mapping is unavailable for {path}; writing each record through with positional writes instead (same bytes on disk, one system call per event)", cause));
    }
}
