using System;
using System.Buffers;

namespace Sinks.Mmap.Rendering;

/// <summary>
/// JSON string escaping, defined once for both CLEF writers' paths: what Serilog's
/// <c>JsonValueFormatter.WriteQuotedJsonString</c> escapes (<c>"</c>, <c>\</c>, control characters below
/// U+0020: <c>\n \r \f \t</c> by name, the rest as <c>\u00XX</c>), written from UTF-8 here and from text by
/// <see cref="ValueRenderer.WriteQuotedJsonString"/>. Those characters are all ASCII, and in valid UTF-8 an
/// ASCII byte is always that character, so escaping byte by byte gives the same bytes as escaping the decoded string.
/// </summary>
internal static class JsonUtf8
{
    /// <summary>The characters a JSON string literal escapes.</summary>
    private const string Escaped =
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\"\\";

    private static readonly SearchValues<byte> NeedsEscape = SearchValues.Create(System.Text.Encoding.ASCII.GetBytes(Escaped));

    /// <summary>The characters a JSON string literal escapes, to search text for.</summary>
    public static readonly SearchValues<char> NeedsEscapeChars = SearchValues.Create(Escaped);

    /// <summary>How JSON writes <paramref name="c"/>, one of <see cref="NeedsEscapeChars"/>.</summary>
    public static string EscapeOf(char c) => c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\f' => "\\f",
        '\t' => "\\t",
        _ => "\\u00" + (char)HexUpper[c >> 4] + (char)HexUpper[c & 0xF],
    };

    /// <summary><see cref="EscapeOf"/> as UTF-8, by byte value (escaped bytes only: all below 0x80).</summary>
    private static readonly byte[][] EscapesUtf8 = BuildEscapesUtf8();

    private static byte[][] BuildEscapesUtf8()
    {
        var escapes = new byte[128][];
        foreach (char c in Escaped) escapes[c] = System.Text.Encoding.ASCII.GetBytes(EscapeOf(c));
        return escapes;
    }

    private static ReadOnlySpan<byte> HexUpper => "0123456789ABCDEF"u8;
    private static ReadOnlySpan<byte> HexLower => "0123456789abcdef"u8;

    /// <summary>Writes <paramref name="utf8"/> (valid UTF-8) as a quoted JSON string.</summary>
    public static void WriteQuoted(ReadOnlySpan<byte> utf8, Utf8Buffer output)
    {
        output.Write((byte)'"');
        WriteEscaped(utf8, output);
        output.Write((byte)'"');
    }

    /// <summary>Writes <paramref name="utf8"/> (valid UTF-8) escaped, without quotes.</summary>
    public static void WriteEscaped(ReadOnlySpan<byte> utf8, Utf8Buffer output)
    {
        while (true)
        {
            int index = utf8.IndexOfAny(NeedsEscape);
            if (index < 0)
            {
                output.Write(utf8);
                return;
            }
            output.Write(utf8.Slice(0, index));
            output.Write(EscapesUtf8[utf8[index]]);
            utf8 = utf8.Slice(index + 1);
        }
    }

    /// <summary>Writes bytes as hex digits.</summary>
    public static void WriteHex(ReadOnlySpan<byte> bytes, bool upper, Utf8Buffer output)
    {
        ReadOnlySpan<byte> digits = upper ? HexUpper : HexLower;
        Span<byte> span = output.GetSpan(bytes.Length * 2);
        for (int i = 0; i < bytes.Length; i++)
        {
            span[2 * i] = digits[bytes[i] >> 4];
            span[2 * i + 1] = digits[bytes[i] & 0xF];
        }
        output.Advance(bytes.Length * 2);
    }

    public static byte[] Quote(ReadOnlySpan<byte> utf8)
    {
        var buffer = new Utf8Buffer(utf8.Length + 8);
        WriteQuoted(utf8, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] ClefPropertyPrefix(ReadOnlySpan<byte> utf8)
    {
        var buffer = new Utf8Buffer(utf8.Length + 8);
        WriteClefPropertyPrefix(utf8, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>,"name":</c>: CLEF reserves a leading <c>@</c>, so a user property's is doubled.</summary>
    public static void WriteClefPropertyPrefix(ReadOnlySpan<byte> utf8, Utf8Buffer output)
    {
        output.Write(",\""u8);
        if (!utf8.IsEmpty && utf8[0] == (byte)'@') output.Write((byte)'@');
        WriteEscaped(utf8, output);
        output.Write("\":"u8);
    }
}
