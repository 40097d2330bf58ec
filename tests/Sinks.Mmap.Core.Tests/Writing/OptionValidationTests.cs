using System;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

public class OptionValidationTests
{
    private static MmapLogOptions Valid() => new() { Path = "logs/app.mlog", SegmentSizeBytes = 65536 };

    private static readonly MmapOptionNames Renamed = new()
    {
        Path = "where",
        SegmentSizeBytes = "segmentBytes",
        RollingInterval = "rollEvery",
        RetainedFileCountLimit = "keepFiles",
        RetainedFileTimeLimit = "keepFor",
        RetainedTotalSizeLimitBytes = "keepBytes",
        FlushToDiskInterval = "syncEvery",
        FlushToDiskLevel = "syncLevel",
        RetryInterval = "retryAfter",
        TimeProvider = "clock",
    };

    public static TheoryData<string, string, string> WrongValues() => new()
    {
        { "EmptyPath", "where", "must name the log file" },
        { nameof(MmapLogOptions.Path), "where", "must be a file path" },
        { nameof(MmapLogOptions.SegmentSizeBytes), "segmentBytes", "multiple of 8 from 4096" },
        { nameof(MmapLogOptions.RollingInterval), "rollEvery", "Infinite, Year, Month, Day, Hour, Minute" },
        { nameof(MmapLogOptions.RetainedFileCountLimit), "keepFiles", "at least 1" },
        { nameof(MmapLogOptions.RetainedFileTimeLimit), "keepFor", "greater than zero" },
        { nameof(MmapLogOptions.RetainedTotalSizeLimitBytes), "keepBytes", "twice the segment size" },
        { nameof(MmapLogOptions.FlushToDiskInterval), "syncEvery", "1 ms to 1 day" },
        { nameof(MmapLogOptions.FlushToDiskLevel), "syncLevel", "Error or Fatal" },
        { nameof(MmapLogOptions.RetryInterval), "retryAfter", "10 ms to 1 hour" },
        { nameof(MmapLogOptions.TimeProvider), "clock", "" },
    };

    /// <summary>Valid options with the one named option made wrong; returns the core property it sets.</summary>
    private static (MmapLogOptions Options, string Property) Spoiled(string option)
    {
        MmapLogOptions o = Valid();
        switch (option)
        {
            case "EmptyPath": o.Path = ""; return (o, nameof(MmapLogOptions.Path));
            case nameof(MmapLogOptions.Path): o.Path = "logs/"; break;
            case nameof(MmapLogOptions.SegmentSizeBytes): o.SegmentSizeBytes = 1000; break;
            case nameof(MmapLogOptions.RollingInterval): o.RollingInterval = (SegmentInterval)42; break;
            case nameof(MmapLogOptions.RetainedFileCountLimit): o.RetainedFileCountLimit = 0; break;
            case nameof(MmapLogOptions.RetainedFileTimeLimit): o.RetainedFileTimeLimit = TimeSpan.Zero; break;
            case nameof(MmapLogOptions.RetainedTotalSizeLimitBytes): o.RetainedTotalSizeLimitBytes = 1000; break;
            case nameof(MmapLogOptions.FlushToDiskInterval): o.FlushToDiskInterval = TimeSpan.FromDays(2); break;
            case nameof(MmapLogOptions.FlushToDiskLevel): o.FlushToDiskLevel = (MmapLevel)42; break;
            case nameof(MmapLogOptions.RetryInterval): o.RetryInterval = TimeSpan.Zero; break;
            case nameof(MmapLogOptions.TimeProvider): o.TimeProvider = null!; break;
            default: throw new ArgumentOutOfRangeException(nameof(option), option, null);
        }
        return (o, option);
    }

    [Theory]
    [MemberData(nameof(WrongValues))]
    public void Validate_names_the_core_property_and_the_allowed_values(string option, string name, string allowed)
    {
        _ = name;
        (MmapLogOptions options, string property) = Spoiled(option);
        ArgumentException ex = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(property, ex.ParamName);
        Assert.Contains(property, ex.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(WrongValues))]
    public void Validate_with_names_names_the_option_as_the_caller_spells_it(string option, string name, string allowed)
    {
        (MmapLogOptions options, string property) = Spoiled(option);
        ArgumentException ex = Assert.ThrowsAny<ArgumentException>(() => options.Validate(Renamed));
        Assert.Equal(name, ex.ParamName);
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(property, ex.Message, StringComparison.Ordinal);
        Assert.Contains(allowed, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_options_pass_with_any_names()
    {
        Valid().Validate();
        Valid().Validate(Renamed);
        Assert.Throws<ArgumentNullException>(() => Valid().Validate(null!));
    }

    [Fact]
    public void The_core_names_are_the_property_names()
    {
        Assert.Equal(nameof(MmapLogOptions.SegmentSizeBytes), MmapOptionNames.Core.SegmentSizeBytes);
        Assert.Equal(nameof(MmapLogOptions.RollingInterval), MmapOptionNames.Core.RollingInterval);
        Assert.Equal("fileSizeLimitBytes", (MmapOptionNames.Core with { SegmentSizeBytes = "fileSizeLimitBytes" }).SegmentSizeBytes);
    }
}
