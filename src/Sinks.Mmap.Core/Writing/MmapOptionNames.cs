namespace Sinks.Mmap;

/// <summary>
/// The names a user knows each <see cref="MmapLogOptions"/> property by, for
/// <see cref="MmapLogOptions.Validate(MmapOptionNames)"/> to name the option that is wrong as the API the user
/// called spells it: an adapter maps its own option names onto the core properties (Serilog's
/// <c>fileSizeLimitBytes</c>, NLog's <c>archiveAboveSize</c>, both <see cref="MmapLogOptions.SegmentSizeBytes"/>).
/// <see cref="Core"/> names the core properties themselves.
/// </summary>
public sealed record MmapOptionNames
{
    /// <summary>The core property names, for code that sets <see cref="MmapLogOptions"/> directly.</summary>
    public static MmapOptionNames Core { get; } = new();

    /// <summary>The name of <see cref="MmapLogOptions.Path"/>.</summary>
    public string Path { get; init; } = nameof(MmapLogOptions.Path);

    /// <summary>The name of <see cref="MmapLogOptions.SegmentSizeBytes"/>.</summary>
    public string SegmentSizeBytes { get; init; } = nameof(MmapLogOptions.SegmentSizeBytes);

    /// <summary>The name of <see cref="MmapLogOptions.RollingInterval"/>.</summary>
    public string RollingInterval { get; init; } = nameof(MmapLogOptions.RollingInterval);

    /// <summary>The name of <see cref="MmapLogOptions.RetainedFileCountLimit"/>.</summary>
    public string RetainedFileCountLimit { get; init; } = nameof(MmapLogOptions.RetainedFileCountLimit);

    /// <summary>The name of <see cref="MmapLogOptions.RetainedFileTimeLimit"/>.</summary>
    public string RetainedFileTimeLimit { get; init; } = nameof(MmapLogOptions.RetainedFileTimeLimit);

    /// <summary>The name of <see cref="MmapLogOptions.RetainedTotalSizeLimitBytes"/>.</summary>
    public string RetainedTotalSizeLimitBytes { get; init; } = nameof(MmapLogOptions.RetainedTotalSizeLimitBytes);

    /// <summary>The name of <see cref="MmapLogOptions.FlushToDiskInterval"/>.</summary>
    public string FlushToDiskInterval { get; init; } = nameof(MmapLogOptions.FlushToDiskInterval);

    /// <summary>The name of <see cref="MmapLogOptions.FlushToDiskLevel"/>.</summary>
    public string FlushToDiskLevel { get; init; } = nameof(MmapLogOptions.FlushToDiskLevel);

    /// <summary>The name of <see cref="MmapLogOptions.RetryInterval"/>.</summary>
    public string RetryInterval { get; init; } = nameof(MmapLogOptions.RetryInterval);

    /// <summary>
    /// How the user's API turns a retention limit off, as the messages say it ("or null for no limit"):
    /// <c>null</c> in code and JSON; NLog's attributes take 0.
    /// </summary>
    public string NoLimit { get; init; } = "null";

    /// <summary>The name of <see cref="MmapLogOptions.TimeProvider"/>.</summary>
    public string TimeProvider { get; init; } = nameof(MmapLogOptions.TimeProvider);
}
