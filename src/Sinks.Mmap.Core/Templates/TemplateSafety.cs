namespace Sinks.Mmap.Templates;

/// <summary>Spots message templates whose holes would make rendering write gigabytes.</summary>
internal static class TemplateSafety
{
    /// <summary>Widths and precisions above this in a template's holes are treated as hostile.</summary>
    public const int MaxWidth = 10_000;

    /// <summary>
    /// True when a hole in <paramref name="template"/> asks for an alignment or a format precision
    /// over <see cref="MaxWidth"/> (say <c>{A,2000000000}</c> or <c>{N:D999999999}</c>).
    /// </summary>
    public static bool IsHostile(string? template)
    {
        if (template is null) return false;
        bool inHole = false;
        long run = 0;
        foreach (char c in template)
        {
            if (c == '{') { inHole = true; run = 0; continue; }
            if (c == '}') { inHole = false; run = 0; continue; }
            if (!inHole) continue;
            if (c is >= '0' and <= '9')
            {
                run = run * 10 + (c - '0');
                if (run > MaxWidth) return true;
            }
            else
            {
                run = 0;
            }
        }
        return false;
    }
}
