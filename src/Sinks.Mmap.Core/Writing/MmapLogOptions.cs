using System;

namespace Sinks.Mmap;

/// <summary>
/// How a <see cref="MmapLogWriter"/> writes. The names follow Serilog.Sinks.File where the meaning is
/// the same. <see cref="Validate"/> checks every value and names the option that is wrong.
/// </summary>
public sealed class MmapLogOptions
{
    /// <summary>Default segment size: 64 MiB.</summary>
    public const long DefaultSegmentSize = 64L * 1024 * 1024;

    /// <summary>The log's path, e.g. <c>logs/app.mlog</c>; segments are <c>logs/app-000001.mlog</c>, ….</summary>
    public string Path { get; set; } = "";

    /// <summary>
    /// Each segment's size in bytes (Serilog.Sinks.File's <c>fileSizeLimitBytes</c>). The file is
    /// preallocated at this size and trimmed when sealed. 4 KiB to 1 GiB, a multiple of 8.
    /// </summary>
    public long SegmentSizeBytes { get; set; } = DefaultSegmentSize;

    /// <summary>Start a new segment at each period's start, local time.</summary>
    public SegmentInterval RollingInterval { get; set; } = SegmentInterval.Infinite;

    /// <summary>How many segments to keep, the one being written included; null for no limit. Default 31.</summary>
    public int? RetainedFileCountLimit { get; set; } = 31;

    /// <summary>Delete sealed segments last written longer ago than this; null for no limit.</summary>
    public TimeSpan? RetainedFileTimeLimit { get; set; }

    /// <summary>Delete the oldest sealed segments while all segments together exceed this many bytes; null for no limit.</summary>
    public long? RetainedTotalSizeLimitBytes { get; set; }

    /// <summary>
    /// msync and fsync what was written, on this interval, on a background thread; null (the
    /// default) leaves it to the OS. Survives an OS crash or power loss up to the last flush.
    /// </summary>
    public TimeSpan? FlushToDiskInterval { get; set; }

    /// <summary>
    /// Events at or above this level are flushed to disk before the log call returns; null
    /// turns this off. Default <see cref="MmapLevel.Fatal"/>.
    /// </summary>
    public MmapLevel? FlushToDiskLevel { get; set; } = MmapLevel.Fatal;

    /// <summary>After an I/O failure (disk full, permission, lock), how long to wait before trying again. Default 1 s.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where errors go; the adapters route them to Serilog's SelfLog or NLog's InternalLogger.</summary>
    public Action<MmapLogError>? OnError { get; set; }

    /// <summary>
    /// Store sealed segments compressed (FORMAT.md, <i>Compressed segments</i>): a background thread
    /// at low priority replaces each sealed segment with a Zstandard container, which every reader
    /// reads as the segment it was. Default off.
    /// </summary>
    public bool CompressSealedSegments { get; set; }

    /// <summary>Called as segments are sealed, compressed and deleted; null for none.</summary>
    public SegmentLifecycleHooks? Hooks { get; set; }

    /// <summary>The clock and time zone for rolling, retention and segment headers; the system clock by default.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Test hook: behave as if memory mapping were unavailable.</summary>
    internal bool ForceStreamFallback { get; set; }

    /// <summary>Checks every option; throws <see cref="ArgumentException"/> naming the option and its allowed values.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException("path must name the log file, e.g. \"logs/app.mlog\"; it was empty.", "path");
        }
        if (Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0 || Path.EndsWith('/') || Path.EndsWith('\\'))
        {
            throw new ArgumentException($"path must be a file path such as \"logs/app.mlog\"; \"{Path}\" is not.", "path");
        }
        if (SegmentSizeBytes < Format.FormatConstants.MinCapacity || SegmentSizeBytes > Format.FormatConstants.MaxCapacity || SegmentSizeBytes % 8 != 0)
        {
            throw new ArgumentOutOfRangeException("fileSizeLimitBytes", SegmentSizeBytes,
                $"fileSizeLimitBytes (the segment size) must be a multiple of 8 from {Format.FormatConstants.MinCapacity} to {Format.FormatConstants.MaxCapacity} bytes.");
        }
        if (!Enum.IsDefined(RollingInterval))
        {
            throw new ArgumentOutOfRangeException("rollingInterval", RollingInterval, "rollingInterval must be one of Infinite, Year, Month, Day, Hour, Minute.");
        }
        if (RetainedFileCountLimit is < 1)
        {
            throw new ArgumentOutOfRangeException("retainedFileCountLimit", RetainedFileCountLimit, "retainedFileCountLimit must be at least 1, or null for no limit.");
        }
        if (RetainedFileTimeLimit is { } age && age <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("retainedFileTimeLimit", age, "retainedFileTimeLimit must be greater than zero, or null for no limit.");
        }
        if (RetainedTotalSizeLimitBytes is { } total && total < SegmentSizeBytes * 2)
        {
            throw new ArgumentOutOfRangeException("retainedTotalSizeLimitBytes", total,
                $"retainedTotalSizeLimitBytes must be at least twice the segment size ({SegmentSizeBytes * 2} bytes: the segment being written and the one prepared next), or null for no limit.");
        }
        if (FlushToDiskInterval is { } interval && (interval < TimeSpan.FromMilliseconds(1) || interval > TimeSpan.FromDays(1)))
        {
            throw new ArgumentOutOfRangeException("flushToDiskInterval", interval, "flushToDiskInterval must be from 1 ms to 1 day, or null to leave flushing to the OS.");
        }
        if (FlushToDiskLevel is { } level && !Enum.IsDefined(level))
        {
            throw new ArgumentOutOfRangeException("flushToDiskLevel", level, "flushToDiskLevel must be Verbose, Debug, Information, Warning, Error or Fatal, or null for off.");
        }
        if (RetryInterval < TimeSpan.FromMilliseconds(10) || RetryInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException("retryInterval", RetryInterval, "retryInterval must be from 10 ms to 1 hour.");
        }
        ArgumentNullException.ThrowIfNull(TimeProvider, "timeProvider");
    }

    internal MmapLogOptions Clone() => (MmapLogOptions)MemberwiseClone();
}
