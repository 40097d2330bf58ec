using Sinks.Mmap;

namespace NLog.Targets.Mmap.Translation;

/// <summary>NLog's levels as the core's: Trace is Verbose, Info is Information, Warn is Warning.</summary>
internal static class LevelMap
{
    /// <summary>The core level of <paramref name="level"/>; null for <see cref="LogLevel.Off"/> (and null).</summary>
    public static MmapLevel? ToMmap(LogLevel? level)
    {
        if (level is null || level == LogLevel.Off)
        {
            return null;
        }
        return level.Ordinal switch
        {
            0 => MmapLevel.Verbose,
            1 => MmapLevel.Debug,
            2 => MmapLevel.Information,
            3 => MmapLevel.Warning,
            4 => MmapLevel.Error,
            _ => MmapLevel.Fatal,
        };
    }
}
