namespace Sinks.Mmap.Tool.Output;

/// <summary>ANSI colour codes; used only when stdout is a terminal and NO_COLOR is not set.</summary>
internal static class Ansi
{
    public const string Reset = "\u001b[0m";
    public const string Grey = "\u001b[90m";
    public const string Yellow = "\u001b[33m";
    public const string Red = "\u001b[31m";
    public const string BoldRed = "\u001b[1;31m";
    public const string Green = "\u001b[32m";
    public const string Bold = "\u001b[1m";

    public static string ForLevel(MmapLevel level) => level switch
    {
        MmapLevel.Verbose or MmapLevel.Debug => Grey,
        MmapLevel.Warning => Yellow,
        MmapLevel.Error => Red,
        MmapLevel.Fatal => BoldRed,
        _ => "",
    };

    public static string Paint(string text, string colour, bool enabled) => enabled && colour.Length > 0 ? colour + text + Reset : text;
}
