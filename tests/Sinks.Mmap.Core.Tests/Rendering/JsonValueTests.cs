using System;
using System.Globalization;
using System.IO;
using System.Text;
using Serilog.Formatting.Json;
using Sinks.Mmap;
using Sinks.Mmap.Rendering;
using Xunit;
using static Sinks.Mmap.Core.Tests.Rendering.Events;

namespace Sinks.Mmap.Core.Tests.Rendering;

public class JsonValueTests
{
    [Fact]
    public void WritesEveryScalarAsJsonExactlyAsSerilogsJsonValueFormatter()
    {
        foreach (CultureInfo culture in Samples.Cultures)
        {
            WithCulture(culture, () =>
            {
                foreach ((object? value, _) in Samples.Scalars)
                    Assert.Equal(SerilogTwin.Json(S(value)), Json(S(value)));
            });
        }
    }

    [Fact]
    public void WritesNestedValuesAsJsonExactlyAsSerilogsJsonValueFormatterInTheInvariantCultureWhateverTheCurrentOne()
    {
        // Serilog writes dictionary keys in the culture of the process; a reader writes them as Serilog does
        // in the invariant culture, so the same log reads the same on every machine (1.5, not 1,5).
        var expected = new System.Collections.Generic.List<string>();
        WithCulture(CultureInfo.InvariantCulture, () =>
        {
            foreach (LogValue value in Samples.Nested())
                expected.Add(SerilogTwin.Json(value));
        });
        foreach (CultureInfo culture in Samples.Cultures)
        {
            WithCulture(culture, () =>
            {
                int i = 0;
                foreach (LogValue value in Samples.Nested())
                    Assert.Equal(expected[i++], Json(value));
            });
        }
    }

    [Fact]
    public void RendersNestedValuesAsTextExactlyAsSerilog()
    {
        foreach (CultureInfo culture in Samples.Cultures)
        {
            foreach (LogValue value in Samples.Nested())
            {
                foreach (string? format in new[] { null, "l", "N1", "000" })
                    Assert.Equal(Guarded(() => SerilogTwin.Render(value, format, culture)), Guarded(() => Text(value, format, culture)));
            }
        }
    }

    [Fact]
    public void EscapesJsonStringsExactlyAsSerilogForEveryUtf16CodeUnit()
    {
        var builder = new StringBuilder();
        for (int c = 0; c <= 0xFFFF; c++)
            builder.Append((char)c);
        string all = builder.ToString();

        var expected = new StringWriter(CultureInfo.InvariantCulture);
        JsonValueFormatter.WriteQuotedJsonString(all, expected);
        var actual = new StringWriter(CultureInfo.InvariantCulture);
        ValueRenderer.WriteQuotedJsonString(all, actual);
        Assert.Equal(expected.ToString(), actual.ToString());
    }

    [Fact]
    public void EscapesOnlyQuotesBackslashesAndControlCharacters()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        ValueRenderer.WriteQuotedJsonString("a\"b\\c\nd\re\tf\fg\u0001h<>&'\u2028é😀", output);
        Assert.Equal("\"a\\\"b\\\\c\\nd\\re\\tf\\fg\\u0001h<>&'\u2028é😀\"", output.ToString());
    }

    [Fact]
    public void WritesByteArraysAsHexStrings()
    {
        Assert.Equal("\"00FF10\"", Json(S(new byte[] { 0, 255, 16 })));
    }

    [Fact]
    public void WritesOpaqueScalarsAsTheirTextAndNullTextAsNull()
    {
        Assert.Equal("\"Monday\"", Json(new LogOpaqueScalar("System.DayOfWeek", "Monday")));
        Assert.Equal("null", Json(new LogOpaqueScalar("Some.Type", null)));
    }

    private static string Json(LogValue value)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        ValueRenderer.WriteJson(value, output);
        return output.ToString();
    }

    private static string Text(LogValue value, string? format, IFormatProvider? provider)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        ValueRenderer.Render(value, output, format, provider);
        return output.ToString();
    }

    // A format the value's type rejects throws on both sides; compare that too.
    private static string Guarded(Func<string> render)
    {
        try
        {
            return render();
        }
        catch (FormatException)
        {
            return "<FormatException>";
        }
    }

    private static void WithCulture(CultureInfo culture, Action action)
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = culture;
            action();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
