using System;
using System.IO;
using NLog.Targets.Mmap.Translation;
using Sinks.Mmap;

namespace NLog.Targets.Mmap.Configuration;

/// <summary>Turns the target's FileTarget-style options into the core's <see cref="MmapLogOptions"/>, validated.</summary>
internal static class TargetOptions
{
    /// <summary>The core options by the names of the target's attributes in nlog.config and appsettings.json, for error messages.</summary>
    public static readonly MmapOptionNames Names = new()
    {
        Path = "fileName",
        SegmentSizeBytes = "archiveAboveSize",
        RollingInterval = "archiveEvery",
        RetainedFileCountLimit = "maxArchiveFiles",
        RetainedFileTimeLimit = "maxArchiveDays",
        RetainedTotalSizeLimitBytes = "maxTotalSizeBytes",
        FlushToDiskInterval = "flushToDiskInterval",
        FlushToDiskLevel = "flushToDiskLevel",
        RetryInterval = "retryInterval",
        TimeProvider = "timeProvider",
        NoLimit = "0",
    };

    /// <summary>
    /// The core options <paramref name="target"/>'s settings amount to, validated; throws
    /// <see cref="NLogConfigurationException"/> naming the option that is wrong.
    /// </summary>
    /// <param name="target">The target whose options are read.</param>
    /// <param name="datedFileName">True when the file name depends on the event's date or time (a minute or coarser).</param>
    /// <param name="nameMinute">The minute, of NLog's clock now, the file name was rendered for.</param>
    public static MmapLogOptions Build(MmapTarget target, out bool datedFileName, out long nameMinute)
    {
        datedFileName = FileNameCheck.RefuseFileNamesThatVary(target.FileName, target.Name, target.Configuration);
        LogEventInfo now = LogEventInfo.CreateNullEvent();
        now.TimeStamp = NLog.Time.TimeSource.Current.Time;
        nameMinute = now.TimeStamp.Ticks / TimeSpan.TicksPerMinute;
        string path = ResolvePath(target.FileName?.Render(now) ?? "");
        var options = new MmapLogOptions
        {
            Path = path,
            SegmentSizeBytes = target.ArchiveAboveSize,
            RollingInterval = ToSegmentInterval(target.ArchiveEvery, target.Name),
            RetainedFileCountLimit = target.MaxArchiveFiles < 0 ? null : target.MaxArchiveFiles + 1,
            RetainedFileTimeLimit = target.MaxArchiveDays > 0 ? TimeSpan.FromDays(target.MaxArchiveDays) : null,
            RetainedTotalSizeLimitBytes = target.MaxTotalSizeBytes > 0 ? target.MaxTotalSizeBytes : null,
            FlushToDiskInterval = target.FlushToDiskInterval,
            FlushToDiskLevel = LevelMap.ToMmap(target.FlushToDiskLevel),
            RetryInterval = target.RetryInterval,
            CompressSealedSegments = target.EnableArchiveFileCompression,
            Hooks = target.Hooks,
        };
        try
        {
            options.Validate(Names);
        }
        catch (ArgumentException ex)
        {
            throw InvalidOption(target.Name, ex.ParamName, ex.Message, ex);
        }
        return options;
    }

    /// <summary>A relative path is relative to the application's base directory, as FileTarget's.</summary>
    public static string ResolvePath(string path) =>
        !string.IsNullOrWhiteSpace(path) && !Path.IsPathRooted(path) ? Path.Combine(AppContext.BaseDirectory, path) : path;

    private static SegmentInterval ToSegmentInterval(FileArchivePeriod period, string? targetName) => period switch
    {
        FileArchivePeriod.None => SegmentInterval.Infinite,
        FileArchivePeriod.Minute => SegmentInterval.Minute,
        FileArchivePeriod.Hour => SegmentInterval.Hour,
        FileArchivePeriod.Day => SegmentInterval.Day,
        FileArchivePeriod.Month => SegmentInterval.Month,
        FileArchivePeriod.Year => SegmentInterval.Year,
        _ => throw InvalidOption(targetName, Names.RollingInterval,
            $"{Names.RollingInterval}={period} is not supported; use None, Minute, Hour, Day, Month or Year.", null),
    };

    /// <summary>
    /// The option named by its attribute and, for code that sets the target's properties, by its property
    /// (the attribute with a capital: NLog matches attributes to properties ignoring case).
    /// </summary>
    private static NLogConfigurationException InvalidOption(string? targetName, string? attribute, string detail, Exception? inner)
    {
        string option = string.IsNullOrEmpty(attribute)
            ? "an option"
            : $"{attribute} (property {char.ToUpperInvariant(attribute[0])}{attribute.AsSpan(1)})";
        return new NLogConfigurationException($"Mmap target '{targetName}': {option} is invalid. {detail}", inner);
    }
}
