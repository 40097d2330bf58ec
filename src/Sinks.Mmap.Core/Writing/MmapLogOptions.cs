using System;

namespace Sinks.Mmap;

/// <summary>
/// How a <see cref="MmapLogWriter"/> writes. The names follow Serilog.Sinks.File where the meaning is
/// the same. <see cref="Validate(MmapOptionNames)"/> checks every value and names the option that is wrong.
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

    /// <summary>For tests: every logging thread claims its records in claim blocks from its first record (<c>ThreadClaims</c>).</summary>
    internal bool ClaimBlocksAlways { get; set; }

    /// <summary>
    /// Checks every option; throws <see cref="ArgumentException"/> naming the option (by its property name here)
    /// and its allowed values.
    /// </summary>
    public void Validate() => Validate(MmapOptionNames.Core);

    /// <summary>
    /// Checks every option; throws <see cref="ArgumentException"/> naming the option as <paramref name="names"/>
    /// spells it (the exception's <see cref="ArgumentException.ParamName"/> and its message) and its allowed values.
    /// </summary>
    /// <param name="names">The option names of the API the user called.</param>
    public void Validate(MmapOptionNames names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (string.IsNullOrWhiteSpace(Path))
        {
            throw new ArgumentException($"{names.Path} must name the log file, e.g. \"logs/app.mlog\"; it was empty.", names.Path);
        }
        if (Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0 || Path.EndsWith('/') || Path.EndsWith('\\'))
        {
            throw new ArgumentException($"{names.Path} must be a file path such as \"logs/app.mlog\"; \"{Path}\" is not.", names.Path);
        }
        if (SegmentSizeBytes < Format.FormatConstants.MinCapacity || SegmentSizeBytes > Format.FormatConstants.MaxCapacity || SegmentSizeBytes % 8 != 0)
        {
            throw new ArgumentOutOfRangeException(names.SegmentSizeBytes, SegmentSizeBytes,
                $"{names.SegmentSizeBytes} (the segment size) must be a multiple of 8 from {Format.FormatConstants.MinCapacity} to {Format.FormatConstants.MaxCapacity} bytes.");
        }
        if (!Enum.IsDefined(RollingInterval))
        {
            throw new ArgumentOutOfRangeException(names.RollingInterval, RollingInterval, $"{names.RollingInterval} must be one of Infinite, Year, Month, Day, Hour, Minute.");
        }
        if (RetainedFileCountLimit is < 1)
        {
            throw new ArgumentOutOfRangeException(names.RetainedFileCountLimit, RetainedFileCountLimit, $"{names.RetainedFileCountLimit} must be at least 1, or {names.NoLimit} for no limit.");
        }
        if (RetainedFileTimeLimit is { } age && age <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(names.RetainedFileTimeLimit, age, $"{names.RetainedFileTimeLimit} must be greater than zero, or {names.NoLimit} for no limit.");
        }
        if (RetainedTotalSizeLimitBytes is { } total && total < SegmentSizeBytes * 2)
        {
            throw new ArgumentOutOfRangeException(names.RetainedTotalSizeLimitBytes, total,
                $"{names.RetainedTotalSizeLimitBytes} must be at least twice the segment size ({SegmentSizeBytes * 2} bytes: the segment being written and the one prepared next), or {names.NoLimit} for no limit.");
        }
        if (FlushToDiskInterval is { } interval && (interval < TimeSpan.FromMilliseconds(1) || interval > TimeSpan.FromDays(1)))
        {
            throw new ArgumentOutOfRangeException(names.FlushToDiskInterval, interval, $"{names.FlushToDiskInterval} must be from 1 ms to 1 day, or null to leave flushing to the OS.");
        }
        if (FlushToDiskLevel is { } level && !Enum.IsDefined(level))
        {
            throw new ArgumentOutOfRangeException(names.FlushToDiskLevel, level, $"{names.FlushToDiskLevel} must be Verbose, Debug, Information, Warning, Error or Fatal, or null for off.");
        }
        if (RetryInterval < TimeSpan.FromMilliseconds(10) || RetryInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(names.RetryInterval, RetryInterval, $"{names.RetryInterval} must be from 10 ms to 1 hour.");
        }
        ArgumentNullException.ThrowIfNull(TimeProvider, names.TimeProvider);
    }

    internal MmapLogOptions Clone() => (MmapLogOptions)MemberwiseClone();
}
