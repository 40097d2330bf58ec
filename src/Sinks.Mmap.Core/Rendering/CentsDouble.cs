using System;

namespace Sinks.Mmap.Rendering;

/// <summary>
/// A shortcut for the doubles logs are full of (durations, prices, ratios): values that are a whole
/// number of hundredths. For those the shortest round-trip text (what <c>ToString("R")</c> writes) is
/// the hundredths with trailing zeros dropped, which is much cheaper to write than running the general
/// shortest-digits algorithm. Anything else is left to the framework.
/// </summary>
internal static class CentsDouble
{
    // Below 10^13 a value has at most 15 significant digits here, so no other decimal of as few digits
    // maps to the same double (every 15-digit decimal has its own) and "R" writes no exponent.
    private const double Limit = 1e15;

    /// <summary>Writes <paramref name="value"/> as "R" would, when it is n/100 exactly; false (nothing written) otherwise.</summary>
    public static bool TryWrite(double value, Utf8Buffer output)
    {
        double scaled = value * 100;
        if (!(Math.Abs(scaled) < Limit)) return false; // also NaN
        long n = (long)scaled;
        // n == 0 would lose the sign of -0.0; (double)n / 100 is the double nearest n/100, so equality
        // means the text n/100 reads back as exactly this value.
        if (n == 0 || n != scaled || (double)n / 100 != value) return false;
        Span<byte> text = output.GetSpan(20);
        int at = 0;
        if (n < 0)
        {
            text[at++] = (byte)'-';
            n = -n;
        }
        long whole = n / 100;
        int cents = (int)(n % 100);
        whole.TryFormat(text.Slice(at), out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        at += written;
        if (cents != 0)
        {
            text[at++] = (byte)'.';
            text[at++] = (byte)('0' + cents / 10);
            if (cents % 10 != 0) text[at++] = (byte)('0' + cents % 10);
        }
        output.Advance(at);
        return true;
    }
}
