using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Sinks.Mmap;
using Sinks.Mmap.Rendering;
using Xunit;
using static Sinks.Mmap.Core.Tests.Rendering.Events;

namespace Sinks.Mmap.Core.Tests.Rendering;

public class MessageRenderingTests
{
    private static readonly string[] MessageFormats = { "", "l", "j", "lj", "jl", "u" };

    [Fact]
    public void RendersEveryScalarWithEveryFormatAlignmentAndCultureLikeSerilog()
    {
        int compared = 0;
        foreach (CultureInfo culture in Samples.Cultures)
        {
            foreach ((object? value, string[] formats) in Samples.Scalars)
            {
                var templates = new List<string> { "{V}", "<{V,12}>", "<{V,-12}>", "{V:l}", "{V:j}" };
                foreach (string format in formats)
                {
                    templates.Add("{V:" + format + "}");
                    templates.Add("[{V,-30:" + format + "}]");
                }

                foreach (string template in templates)
                {
                    MmapEvent e = Make("A " + template + " z", new[] { P("V", value) });
                    AssertSameRendering(e, culture);
                    compared++;
                }
            }
        }
        Assert.True(compared > 1000);
    }

    [Fact]
    public void RendersNestedSequencesStructuresAndDictionariesLikeSerilog()
    {
        foreach (CultureInfo culture in Samples.Cultures)
        {
            foreach (LogValue value in Samples.Nested())
            {
                foreach (string template in new[] { "{V}", "{@V}", "{$V}", "{V:l}", "{V:N1}", "{V,60}", "{V,-60:l}" })
                    AssertSameRendering(Make("x " + template + " y", new[] { new LogProperty("V", value) }), culture);
            }
        }
    }

    [Fact]
    public void UsesTheInvariantCultureLikeSerilogWhenNoFormatProviderIsGiven()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            MmapEvent e = Make("{A} {B:N2} {C} {D:d}", new[] { P("A", 1234.5), P("B", 1234567.891m), P("C", new DateTime(2024, 2, 29)), P("D", new DateTimeOffset(2024, 2, 29, 1, 2, 3, TimeSpan.Zero)) });
            Assert.Equal(SerilogTwin.RenderMessage(e, null), MmapEventRenderer.RenderMessage(e));
            Assert.Equal(SerilogTwin.FormatText(e, "{Message:lj}", null), Render(e, "lj", null));
            Assert.Equal("1234.5 1,234,567.89 02/29/2024 00:00:00 02/29/2024", MmapEventRenderer.RenderMessage(e));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void LeavesMissingPropertiesAsTheirRawTokenText()
    {
        MmapEvent e = Make("Hello {Missing,-10:x8} and {@Gone} and {Present}", new[] { P("Present", "here") });
        Assert.Equal("Hello {Missing,-10:x8} and {@Gone} and \"here\"", MmapEventRenderer.RenderMessage(e, CultureInfo.InvariantCulture));
        AssertSameRendering(e, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void RendersPositionalHolesFromPropertiesNamedByTheirIndex()
    {
        MmapEvent e = Make("{1} then {0:000} then {2}", new[] { P("0", 7), P("1", "first") });
        Assert.Equal("\"first\" then 007 then {2}", MmapEventRenderer.RenderMessage(e, CultureInfo.InvariantCulture));
        AssertSameRendering(e, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void QuotesStringsInMessageButNotWithTheLiteralFormat()
    {
        MmapEvent e = Make("User {User} said {Text}", new[] { P("User", "nb"), P("Text", "a \"quoted\" word") });
        Assert.Equal("User \"nb\" said \"a \\\"quoted\\\" word\"", Render(e, null, CultureInfo.InvariantCulture));
        Assert.Equal("User nb said a \"quoted\" word", Render(e, "l", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RendersStructuresAsJsonWithTheJsonFormat()
    {
        MmapEvent e = Make("Got {@Order} with {Tags} and {Count:000}", new[]
        {
            new LogProperty("Order", Struct("Order", P("Id", 5), P("Name", "x"))),
            new LogProperty("Tags", Seq(S("a"), S(1))),
            P("Count", 7),
        });
        Assert.Equal("Got Order { Id: 5, Name: \"x\" } with [\"a\", 1] and 007", Render(e, null, CultureInfo.InvariantCulture));
        Assert.Equal("Got {\"Id\":5,\"Name\":\"x\",\"$type\":\"Order\"} with [\"a\",1] and 007", Render(e, "lj", CultureInfo.InvariantCulture));
        AssertSameRendering(e, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void RendersDictionariesAsBracketedPairs()
    {
        MmapEvent e = Make("{D}", new[] { new LogProperty("D", Dict(("k", S(1)), ("j", S("v")))) });
        Assert.Equal("[(\"k\": 1), (\"j\": \"v\")]", MmapEventRenderer.RenderMessage(e, CultureInfo.InvariantCulture));
        AssertSameRendering(e, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void RendersEscapedAndMalformedBracesAsText()
    {
        MmapEvent e = Make("{{literal}} {Name {Name} {} }} {Name,x} {Name:{}", new[] { P("Name", "n") });
        AssertSameRendering(e, CultureInfo.InvariantCulture);
        Assert.Equal("{literal} {Name {Name} {} } {Name,x} \"n\"", MmapEventRenderer.RenderMessage(e, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RendersRandomTemplatesOverRandomPropertiesLikeSerilog()
    {
        var random = new Random(7);
        string[] names = { "A", "B", "C", "0", "1", "Missing" };
        string[] holes = { "{{", "}}", "{", "}", " text ", "{A}", "{@B}", "{$C}", "{0}", "{1:x4}", "{A,-8}", "{B,8:l}", "{C:j}", "{Missing,5}", "{A:N1}" };
        LogValue[] values = { S(1), S("s\"q"), S(2.5), S(null), Seq(S(1), S("x")), Struct("T", P("X", "y")), Dict(("k", S(true))), S(new DateTime(2020, 1, 1)) };
        var builder = new StringBuilder();
        for (int n = 0; n < 3000; n++)
        {
            builder.Clear();
            int count = random.Next(0, 8);
            for (int i = 0; i < count; i++)
                builder.Append(holes[random.Next(holes.Length)]);
            var properties = new List<LogProperty>();
            foreach (string name in names)
            {
                if (name != "Missing" && random.Next(4) != 0)
                    properties.Add(new LogProperty(name, values[random.Next(values.Length)]));
            }
            AssertSameRendering(Make(builder.ToString(), properties), CultureInfo.InvariantCulture);
        }
    }

    [Fact]
    public void RendersTheRecordedMessageWhenThereIsNoTemplate()
    {
        MmapEvent e = Make(null, Array.Empty<LogProperty>(), renderedMessage: "NLog said {this}");
        Assert.Equal("NLog said {this}", MmapEventRenderer.RenderMessage(e));
        Assert.Equal("NLog said {this}", Render(e, "lj", null));
        Assert.Equal(string.Empty, MmapEventRenderer.RenderMessage(Make(null, Array.Empty<LogProperty>())));
    }

    [Fact]
    public void RendersByteArraysAsUppercaseHexStrings()
    {
        MmapEvent e = Make("{B} {B:l}", new[] { P("B", new byte[] { 0x01, 0xAB, 0xff }) });
        Assert.Equal("\"01ABFF\" 01ABFF", MmapEventRenderer.RenderMessage(e, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RendersSourceContextFromTheLoggerNameWhenThereIsNoSuchProperty()
    {
        MmapEvent e = Make("From {SourceContext}", Array.Empty<LogProperty>(), loggerName: "App.Worker");
        Assert.Equal("From \"App.Worker\"", MmapEventRenderer.RenderMessage(e, CultureInfo.InvariantCulture));
        AssertSameRendering(e, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void HandsScalarsToACustomFormatterFromTheFormatProviderLikeSerilog()
    {
        var provider = new BracketingProvider();
        MmapEvent e = Make("{A} {B:x} {C} {D,6}", new[] { P("A", 1), P("B", 255), P("C", "str"), P("D", null) });
        Assert.Equal("<1|> <255|x> \"str\"   null", MmapEventRenderer.RenderMessage(e, provider));
        AssertSameRendering(e, provider);
    }

    [Fact]
    public void RendersOpaqueScalarsAsTheirRecordedText()
    {
        MmapEvent e = Make("{Day} {Day:l} {Day,8}", new[] { new LogProperty("Day", new LogOpaqueScalar("System.DayOfWeek", "Monday")) });
        Assert.Equal("Monday Monday   Monday", MmapEventRenderer.RenderMessage(e, CultureInfo.InvariantCulture));
        AssertSameRendering(e, CultureInfo.InvariantCulture);
    }

    private sealed class BracketingProvider : IFormatProvider, ICustomFormatter
    {
        public object? GetFormat(Type? formatType) => formatType == typeof(ICustomFormatter) ? this : null;

        public string Format(string? format, object? arg, IFormatProvider? formatProvider) => "<" + arg + "|" + format + ">";
    }

    private static void AssertSameRendering(MmapEvent e, IFormatProvider? provider)
    {
        Compare(() => SerilogTwin.RenderMessage(e, provider), () => MmapEventRenderer.RenderMessage(e, provider), e.MessageTemplate);
        foreach (string format in MessageFormats)
        {
            string outputTemplate = format.Length == 0 ? "{Message}" : "{Message:" + format + "}";
            Compare(() => SerilogTwin.FormatText(e, outputTemplate, provider), () => Render(e, format.Length == 0 ? null : format, provider), e.MessageTemplate + " with " + outputTemplate);
        }
    }

    // Both sides must agree, including on throwing a FormatException for a format the value's type rejects.
    private static void Compare(Func<string> serilog, Func<string> ours, string? context)
    {
        string expected, actual;
        try
        {
            expected = serilog();
        }
        catch (FormatException)
        {
            expected = "<FormatException>";
        }
        try
        {
            actual = ours();
        }
        catch (FormatException)
        {
            actual = "<FormatException>";
        }
        if (expected != actual)
            Assert.Fail("Template " + context + "\nSerilog: " + expected + "\nOurs:    " + actual);
    }

    private static string Render(MmapEvent e, string? format, IFormatProvider? provider)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        MmapEventRenderer.RenderMessage(e, output, format, provider);
        return output.ToString();
    }
}
