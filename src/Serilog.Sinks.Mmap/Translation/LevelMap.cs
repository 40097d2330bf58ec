using System.Runtime.CompilerServices;
using Serilog.Events;
using Sinks.Mmap;

namespace Serilog.Sinks.Mmap.Translation;

/// <summary>Serilog levels and the neutral levels have the same six steps.</summary>
internal static class LevelMap
{
    // Called for every event: the steps have the same numbers (0 to 5), so a range test and a cast do
    // what a switch would, inlined into Emit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static MmapLevel ToMmap(LogEventLevel level) =>
        (uint)level < (uint)LogEventLevel.Fatal ? (MmapLevel)(byte)level : MmapLevel.Fatal;

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
