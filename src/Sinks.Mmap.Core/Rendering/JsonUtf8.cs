using System;
using System.Buffers;

namespace Sinks.Mmap.Rendering;

/// <summary>
/// JSON string literals straight from UTF-8, escaping exactly what <see cref="ValueRenderer.WriteQuotedJsonString"/>
/// escapes. Those are all ASCII (<c>"</c>, <c>\</c>, below U+0020), and in valid UTF-8 an ASCII byte is
/// always that character, so escaping byte by byte gives the same bytes as escaping the decoded string.
/// </summary>
internal static class JsonUtf8
{
    private static readonly SearchValues<byte> NeedsEscape = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\"\\"u8);

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
            byte c = utf8[index];
            switch (c)
            {
                case (byte)'"': output.Write("\\\""u8); break;
                case (byte)'\\': output.Write("\\\\"u8); break;
                case (byte)'\n': output.Write("\\n"u8); break;
                case (byte)'\r': output.Write("\\r"u8); break;
                case (byte)'\f': output.Write("\\f"u8); break;
                case (byte)'\t': output.Write("\\t"u8); break;
                default:
                    Span<byte> u = output.GetSpan(6);
                    "\\u00"u8.CopyTo(u);
                    u[4] = HexUpper[c >> 4];
                    u[5] = HexUpper[c & 0xF];
                    output.Advance(6);
                    break;
            }
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
