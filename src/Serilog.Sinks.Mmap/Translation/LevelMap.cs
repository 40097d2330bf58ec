using Serilog.Events;
using Sinks.Mmap;

namespace Serilog.Sinks.Mmap.Translation;

/// <summary>Serilog levels and the neutral levels have the same six steps.</summary>
internal static class LevelMap
{
    public static MmapLevel ToMmap(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => MmapLevel.Verbose,
        LogEventLevel.Debug => MmapLevel.Debug,
        LogEventLevel.Information => MmapLevel.Information,
        LogEventLevel.Warning => MmapLevel.Warning,
        LogEventLevel.Error => MmapLevel.Error,
        _ => MmapLevel.Fatal,
    };

    public static LogEventLevel ToSerilog(MmapLevel level) => level switch
    {
        MmapLevel.Verbose => LogEventLevel.Verbose,
        MmapLevel.Debug => LogEventLevel.Debug,
        MmapLevel.Information => LogEventLevel.Information,
        MmapLevel.Warning => LogEventLevel.Warning,
        MmapLevel.Error => LogEventLevel.Error,
        _ => LogEventLevel.Fatal,
    };
}
