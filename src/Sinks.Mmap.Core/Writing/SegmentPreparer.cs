using System;
using System.IO;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>Creates a segment file, preallocates it, maps it (or falls back to positional writes) and pre-faults it.</summary>
internal sealed class SegmentPreparer
{
    private readonly MmapLogOptions _options;
    private readonly Action<MmapLogError> _report;
    private bool _fallbackReported;

    public SegmentPreparer(MmapLogOptions options, Action<MmapLogError> report)
    {
        _options = options;
        _report = report;
    }

    /// <summary>Throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when the file cannot be created.</summary>
    public SegmentStorage Prepare(string path)
    {
        if (File.Exists(path))
        {
            // Only a never-started segment can be here (recovery deletes those, but a crash can race it).
            SegmentFiles.TryDelete(path);
        }
        FileStream file = SegmentFiles.CreatePreallocated(path, _options.SegmentSizeBytes);
        try
        {
            SegmentStorage storage = Map(path, file);
            storage.Prefault();
            return storage;
        }
        catch
        {
            file.Dispose();
            SegmentFiles.TryDelete(path);
            throw;
        }
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
