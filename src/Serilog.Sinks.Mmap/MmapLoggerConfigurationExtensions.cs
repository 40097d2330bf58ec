using System;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.Mmap.Sinks;
using Sinks.Mmap;

namespace Serilog;

/// <summary>Adds <c>WriteTo.Mmap()</c> and <c>AuditTo.Mmap()</c> to the logger configuration.</summary>
public static class MmapLoggerConfigurationExtensions
{
    /// <summary>
    /// Writes events into a crash-safe memory-mapped log: each event is in the OS page cache when the
    /// log call returns, so killing the process loses nothing, and no system call sits on the
    /// logging thread. I/O faults go to <c>SelfLog</c> and are counted; they never reach the application. An event
    /// that cannot be written goes to the failure listener of <c>WriteTo.FallbackChain</c> / <c>WriteTo.Fallible</c>.
    /// </summary>
    /// <param name="sinkConfiguration">Logger sink configuration.</param>
    /// <param name="path">The log's path, e.g. <c>logs/app.mlog</c>; segments are named <c>logs/app-000001.mlog</c>, …</param>
    /// <param name="restrictedToMinimumLevel">The minimum level for events passed through the sink. Ignored when <paramref name="levelSwitch"/> is specified.</param>
    /// <param name="levelSwitch">A switch allowing the pass-through minimum level to be changed at runtime.</param>
    /// <param name="fileSizeLimitBytes">The size of each segment file in bytes (4 KiB to 1 GiB, a multiple of 8; default 64 MiB). Segments are preallocated at this size and trimmed when sealed.</param>
    /// <param name="rollingInterval">Start a new segment at each Minute, Hour, Day, Month or Year (local time), or never (Infinite, the default).</param>
    /// <param name="retainedFileCountLimit">How many segments to keep, the current one included (default 31); null for no limit.</param>
    /// <param name="retainedFileTimeLimit">Delete sealed segments last written longer ago than this; null (default) for no limit.</param>
    /// <param name="retainedTotalSizeLimitBytes">Delete the oldest sealed segments while all segments together exceed this many bytes; null (default) for no limit.</param>
    /// <param name="flushToDiskInterval">msync and fsync on this interval, on a background thread, so an OS crash or power loss loses at most this much; null (default) leaves it to the OS.</param>
    /// <param name="flushToDiskLevel">Events at or above this level (Verbose, Debug, Information, Warning, Error or Fatal, the default) reach the disk before the log call returns; "Off" turns it off.</param>
    /// <param name="retryInterval">After a fault (disk full, permission, another writer), how long to wait before trying again (default 1 s).</param>
    /// <param name="compress">Store sealed segments compressed (Zstandard, in the background at the lowest CPU priority); every reader reads them as before. Default false.</param>
    /// <param name="hooks">Called as segments are sealed, compressed and deleted, e.g. to copy sealed segments elsewhere; null (default) for none.</param>
    /// <returns>Configuration object allowing method chaining.</returns>
    public static LoggerConfiguration Mmap(
        this LoggerSinkConfiguration sinkConfiguration,
        string path,
        LogEventLevel restrictedToMinimumLevel = LevelAlias.Minimum,
        LoggingLevelSwitch? levelSwitch = null,
        long fileSizeLimitBytes = MmapLogOptions.DefaultSegmentSize,
        SegmentInterval rollingInterval = SegmentInterval.Infinite,
        int? retainedFileCountLimit = 31,
        TimeSpan? retainedFileTimeLimit = null,
        long? retainedTotalSizeLimitBytes = null,
        TimeSpan? flushToDiskInterval = null,
        string flushToDiskLevel = "Fatal",
        TimeSpan? retryInterval = null,
        bool compress = false,
        SegmentLifecycleHooks? hooks = null)
    {
        ArgumentNullException.ThrowIfNull(sinkConfiguration);
        MmapLogOptions options = BuildOptions(path, fileSizeLimitBytes, rollingInterval, retainedFileCountLimit, retainedFileTimeLimit,
            retainedTotalSizeLimitBytes, flushToDiskInterval, flushToDiskLevel, retryInterval, compress, hooks);
        return sinkConfiguration.Sink(new MmapSink(options, audit: false, LevelSwitchFor(restrictedToMinimumLevel, levelSwitch)));
    }

    /// <summary>
    /// Audits events into a memory-mapped log: like <see cref="Mmap(LoggerSinkConfiguration, string, LogEventLevel, LoggingLevelSwitch?, long, SegmentInterval, int?, TimeSpan?, long?, TimeSpan?, string, TimeSpan?, bool, SegmentLifecycleHooks?)"/>,
    /// except that an event that cannot be written throws to the caller, as <c>AuditTo.File</c> does.
    /// </summary>
    /// <param name="sinkConfiguration">Logger audit sink configuration.</param>
    /// <param name="path">The log's path, e.g. <c>logs/audit.mlog</c>.</param>
    /// <param name="restrictedToMinimumLevel">The minimum level for events passed through the sink.</param>
    /// <param name="levelSwitch">A switch allowing the pass-through minimum level to be changed at runtime.</param>
    /// <param name="fileSizeLimitBytes">The size of each segment file in bytes (default 64 MiB).</param>
    /// <param name="rollingInterval">Start a new segment at each period, or never (Infinite).</param>
    /// <param name="retainedFileCountLimit">How many segments to keep (default 31); null for no limit.</param>
    /// <param name="retainedFileTimeLimit">Delete sealed segments older than this; null for no limit.</param>
    /// <param name="retainedTotalSizeLimitBytes">Keep all segments together under this many bytes; null for no limit.</param>
    /// <param name="flushToDiskInterval">msync and fsync on this interval; null leaves it to the OS.</param>
    /// <param name="flushToDiskLevel">Events at or above this level reach the disk before the call returns (default "Fatal"); "Off" turns it off.</param>
    /// <param name="retryInterval">After a fault, how long to wait before trying again (default 1 s).</param>
    /// <param name="compress">Store sealed segments compressed (default false).</param>
    /// <param name="hooks">Called as segments are sealed, compressed and deleted; null for none.</param>
    /// <returns>Configuration object allowing method chaining.</returns>
    public static LoggerConfiguration Mmap(
        this LoggerAuditSinkConfiguration sinkConfiguration,
        string path,
        LogEventLevel restrictedToMinimumLevel = LevelAlias.Minimum,
        LoggingLevelSwitch? levelSwitch = null,
        long fileSizeLimitBytes = MmapLogOptions.DefaultSegmentSize,
        SegmentInterval rollingInterval = SegmentInterval.Infinite,
        int? retainedFileCountLimit = 31,
        TimeSpan? retainedFileTimeLimit = null,
        long? retainedTotalSizeLimitBytes = null,
        TimeSpan? flushToDiskInterval = null,
        string flushToDiskLevel = "Fatal",
        TimeSpan? retryInterval = null,
        bool compress = false,
        SegmentLifecycleHooks? hooks = null)
    {
        ArgumentNullException.ThrowIfNull(sinkConfiguration);
        MmapLogOptions options = BuildOptions(path, fileSizeLimitBytes, rollingInterval, retainedFileCountLimit, retainedFileTimeLimit,
            retainedTotalSizeLimitBytes, flushToDiskInterval, flushToDiskLevel, retryInterval, compress, hooks);
        return sinkConfiguration.Sink(new MmapSink(options, audit: true, LevelSwitchFor(restrictedToMinimumLevel, levelSwitch)));
    }

    /// <summary>
    /// The level restriction, as Serilog's own <c>Sink(sink, level, switch)</c> would apply it, for the
    /// sink to apply itself: Serilog's restricting wrapper hides the sink's failure listener.
    /// </summary>
    private static LoggingLevelSwitch? LevelSwitchFor(LogEventLevel restrictedToMinimumLevel, LoggingLevelSwitch? levelSwitch)
    {
        if (levelSwitch is not null)
        {
            if (restrictedToMinimumLevel != LevelAlias.Minimum)
            {
                Serilog.Debugging.SelfLog.WriteLine("Serilog.Sinks.Mmap was configured with both a level switch and minimum level '{0}'; the minimum level will be ignored and the switch level used", restrictedToMinimumLevel);
            }
            return levelSwitch;
        }
        return restrictedToMinimumLevel > LevelAlias.Minimum ? new LoggingLevelSwitch(restrictedToMinimumLevel) : null;
    }

    /// <summary>The core options by the names of <c>WriteTo.Mmap</c>'s parameters (and JSON configuration's keys), for error messages.</summary>
    private static readonly MmapOptionNames OptionNames = new()
    {
        Path = "path",
        SegmentSizeBytes = "fileSizeLimitBytes",
        RollingInterval = "rollingInterval",
        RetainedFileCountLimit = "retainedFileCountLimit",
        RetainedFileTimeLimit = "retainedFileTimeLimit",
        RetainedTotalSizeLimitBytes = "retainedTotalSizeLimitBytes",
        FlushToDiskInterval = "flushToDiskInterval",
        FlushToDiskLevel = "flushToDiskLevel",
        RetryInterval = "retryInterval",
        TimeProvider = "timeProvider",
    };

    /// <summary>Builds and validates the core options; a wrong value throws here, naming the option.</summary>
    internal static MmapLogOptions BuildOptions(string path, long fileSizeLimitBytes, SegmentInterval rollingInterval, int? retainedFileCountLimit,
        TimeSpan? retainedFileTimeLimit, long? retainedTotalSizeLimitBytes, TimeSpan? flushToDiskInterval, string? flushToDiskLevel, TimeSpan? retryInterval,
        bool compress = false, SegmentLifecycleHooks? hooks = null)
    {
        MmapLevel? diskLevel = ParseFlushLevel(flushToDiskLevel);
        var options = new MmapLogOptions
        {
            Path = path,
            SegmentSizeBytes = fileSizeLimitBytes,
            RollingInterval = rollingInterval,
            RetainedFileCountLimit = retainedFileCountLimit,
            RetainedFileTimeLimit = retainedFileTimeLimit,
            RetainedTotalSizeLimitBytes = retainedTotalSizeLimitBytes,
            FlushToDiskInterval = flushToDiskInterval,
            FlushToDiskLevel = diskLevel,
            CompressSealedSegments = compress,
            Hooks = hooks,
        };
        if (retryInterval is { } retry)
        {
            options.RetryInterval = retry;
        }
        options.Validate(OptionNames);
        return options;
    }

    private static MmapLevel? ParseFlushLevel(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || string.Equals(text, "Off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        if (!int.TryParse(text, out _) && Enum.TryParse(text, ignoreCase: true, out LogEventLevel level) && Enum.IsDefined(level))
        {
            return Serilog.Sinks.Mmap.Translation.LevelMap.ToMmap(level);
        }
        throw new ArgumentOutOfRangeException("flushToDiskLevel", text,
            "flushToDiskLevel must be Verbose, Debug, Information, Warning, Error, Fatal or Off.");
    }
}
