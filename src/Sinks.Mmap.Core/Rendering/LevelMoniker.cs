namespace Sinks.Mmap.Rendering;

/// <summary>
/// The <c>{Level}</c> token's text with Serilog's width/casing formats: <c>u3</c> gives <c>INF</c>,
/// <c>w1</c> gives <c>i</c>, <c>t4</c> gives <c>Info</c>; <c>u</c>/<c>w</c> alone change the full name's case.
/// </summary>
internal static class LevelMoniker
{
    private static readonly string[] Names = { "Verbose", "Debug", "Information", "Warning", "Error", "Fatal" };

    private static readonly string[][] TitleCase =
    {
        new[] { "V", "Vb", "Vrb", "Verb", "Verbo" },
        new[] { "D", "De", "Dbg", "Dbug", "Debug" },
        new[] { "I", "In", "Inf", "Info", "Infor" },
        new[] { "W", "Wn", "Wrn", "Warn", "Warni" },
        new[] { "E", "Er", "Err", "Eror", "Error" },
        new[] { "F", "Fa", "Ftl", "Fatl", "Fatal" },
    };

    private static readonly string[][] LowerCase =
    {
        new[] { "v", "vb", "vrb", "verb", "verbo" },
        new[] { "d", "de", "dbg", "dbug", "debug" },
        new[] { "i", "in", "inf", "info", "infor" },
        new[] { "w", "wn", "wrn", "warn", "warni" },
        new[] { "e", "er", "err", "eror", "error" },
        new[] { "f", "fa", "ftl", "fatl", "fatal" },
    };

    private static readonly string[][] UpperCase =
    {
        new[] { "V", "VB", "VRB", "VERB", "VERBO" },
        new[] { "D", "DE", "DBG", "DBUG", "DEBUG" },
        new[] { "I", "IN", "INF", "INFO", "INFOR" },
        new[] { "W", "WN", "WRN", "WARN", "WARNI" },
        new[] { "E", "ER", "ERR", "EROR", "ERROR" },
        new[] { "F", "FA", "FTL", "FATL", "FATAL" },
    };

    /// <summary>The level's name as Serilog's <c>LevelOutputFormat.GetLevelMoniker</c> gives it.</summary>
    public static string Get(MmapLevel level, string? format)
    {
        int index = (int)level;
        string name = index >= 0 && index < Names.Length ? Names[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);

        if (format == null || (format.Length != 2 && format.Length != 3))
            return Casing(name, format);

        // Junk such as "wxy" is accepted, as Serilog accepts it.
        int width = format[1] - '0';
        if (format.Length == 3)
            width = width * 10 + (format[2] - '0');

        if (width < 1)
            return string.Empty;

        if (width > 5)
        {
            string truncated = name.Length > width ? name.Substring(0, width) : name;
            return Casing(truncated, format.Substring(0, 1));
        }

        if (index >= 0 && index < Names.Length)
        {
            switch (format[0])
            {
                case 'w': return LowerCase[index][width - 1];
                case 'u': return UpperCase[index][width - 1];
                case 't': return TitleCase[index][width - 1];
            }
        }

        return Casing(name, format);
    }

    private static string Casing(string text, string? format) => format switch
    {
        "u" => text.ToUpperInvariant(),
        "w" => text.ToLowerInvariant(),
        _ => text,
    };
}
