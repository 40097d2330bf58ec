using System.Runtime.CompilerServices;
using Sinks.Mmap;

namespace NLog.Targets.Mmap.Translation;

/// <summary>NLog's levels as the core's: Trace is Verbose, Info is Information, Warn is Warning.</summary>
internal static class LevelMap
{
    /// <summary>
    /// The core level an event of <paramref name="level"/> is written at: Fatal for
    /// <see cref="LogLevel.Off"/> and null. Inlined into every write: NLog's ordinals 0 to 5 are the
    /// core's numbers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static MmapLevel ForEvent(LogLevel? level) =>
        level is not null && (uint)level.Ordinal < (uint)MmapLevel.Fatal ? (MmapLevel)(byte)level.Ordinal : MmapLevel.Fatal;

    /// <summary>The core level of <paramref name="level"/>; null for <see cref="LogLevel.Off"/> (and null).</summary>
    public static MmapLevel? ToMmap(LogLevel? level) =>
        level is null || level == LogLevel.Off ? null : ForEvent(level);
}
