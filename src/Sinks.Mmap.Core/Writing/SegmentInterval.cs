namespace Sinks.Mmap;

/// <summary>
/// How often a new segment is started regardless of size (the option <see cref="MmapLogOptions.RollingInterval"/>);
/// the same values as Serilog.Sinks.File's <c>RollingInterval</c>. Named apart from it so that a user who
/// imports both <c>Serilog</c> and <c>Sinks.Mmap</c> can name either without qualifying it.
/// </summary>
public enum SegmentInterval
{
    /// <summary>Never roll by time; roll only when a segment is full.</summary>
    Infinite,
    /// <summary>At the start of each year.</summary>
    Year,
    /// <summary>At the start of each month.</summary>
    Month,
    /// <summary>At the start of each day.</summary>
    Day,
    /// <summary>At the start of each hour.</summary>
    Hour,
    /// <summary>At the start of each minute.</summary>
    Minute,
}
