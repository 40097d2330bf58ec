using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.Json;
using Serilog.Events;
using Serilog.Formatting.Json;
using Serilog.Parsing;
using Sinks.Mmap;
using Sinks.Mmap.Rendering;
using Xunit;
using static Sinks.Mmap.Core.Tests.Rendering.Events;

namespace Sinks.Mmap.Core.Tests.Rendering;

public class ClefWriterTests
{
    private static readonly DateTimeOffset ReadmeTime = new DateTimeOffset(2016, 6, 7, 13, 44, 57, TimeSpan.FromHours(10)).AddTicks(8532799);

    [Fact]
    public void WritesTheReadmeHelloEventByteForByte()
    {
        MmapEvent e = Make("Hello, {User}", new[] { P("User", "nblumhardt") }, timestamp: ReadmeTime);
        Assert.Equal("{\"@t\":\"2016-06-07T03:44:57.8532799Z\",\"@mt\":\"Hello, {User}\",\"User\":\"nblumhardt\"}", new ClefWriter().Format(e));
    }

    [Fact]
    public void WritesTheReadmeComparisonEventWithRenderingsByteForByte()
    {
        MmapEvent e = Make(
            "Hello, {@User}, {N:x8} at {Now}",
            new[]
            {
                new LogProperty("User", Struct(null, P("Name", "nblumhardt"), P("Tags", Seq(S(1), S(2), S(3))))),
                P("N", 123),
                P("Now", ReadmeTime),
            },
            timestamp: ReadmeTime);
        Assert.Equal(
            "{\"@t\":\"2016-06-07T03:44:57.8532799Z\",\"@mt\":\"Hello, {@User}, {N:x8} at {Now}\",\"@r\":[\"0000007b\"]," +
            "\"User\":{\"Name\":\"nblumhardt\",\"Tags\":[1,2,3]},\"N\":123,\"Now\":\"2016-06-07T13:44:57.8532799+10:00\"}",
            new ClefWriter().Format(e));
    }

    [Fact]
    public void OmitsTheLevelForInformationAndNamesEveryOtherLevel()
    {
        var writer = new ClefWriter();
        Assert.DoesNotContain("@l", writer.Format(Make("m", Array.Empty<LogProperty>(), MmapLevel.Information, timestamp: ReadmeTime)));
        Assert.Equal("{\"@t\":\"2016-06-07T03:44:57.8532799Z\",\"@mt\":\"m\",\"@l\":\"Warning\"}", writer.Format(Make("m", Array.Empty<LogProperty>(), MmapLevel.Warning, timestamp: ReadmeTime)));
        Assert.Contains(",\"@l\":\"Verbose\"", writer.Format(Make("m", Array.Empty<LogProperty>(), MmapLevel.Verbose)));
        Assert.Contains(",\"@l\":\"Fatal\"", writer.Format(Make("m", Array.Empty<LogProperty>(), MmapLevel.Fatal)));
    }

    [Fact]
    public void DoublesALeadingAtSignInUserPropertyNames()
    {
        MmapEvent e = Make("Hello", new[] { P("@Mistake", 42), P("Not@Leading", 1) }, timestamp: ReadmeTime);
        Assert.Equal("{\"@t\":\"2016-06-07T03:44:57.8532799Z\",\"@mt\":\"Hello\",\"@@Mistake\":42,\"Not@Leading\":1}", new ClefWriter().Format(e));
    }

    [Fact]
    public void WritesExceptionTraceAndSpanInCompactJsonFormattersOrder()
    {
        MmapEvent e = Make("Oops {Code}", new[] { P("Code", 7) }, MmapLevel.Error,
            exception: new MmapExceptionInfo("System.Exception", "x", "System.Exception: x\r\n   at A.B()"),
            traceId: ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c".AsSpan()),
            spanId: ActivitySpanId.CreateFromString("b7ad6b7169203331".AsSpan()),
            timestamp: ReadmeTime);
        Assert.Equal(
            "{\"@t\":\"2016-06-07T03:44:57.8532799Z\",\"@mt\":\"Oops {Code}\",\"@l\":\"Error\",\"@x\":\"System.Exception: x\\r\\n   at A.B()\"," +
            "\"@tr\":\"0af7651916cd43dd8448eb211c80319c\",\"@sp\":\"b7ad6b7169203331\",\"Code\":7}",
            new ClefWriter().Format(e));
    }

    [Fact]
    public void WritesLoggerNameAsSourceContextWhenTheEventHasNoSuchProperty()
    {
        var writer = new ClefWriter();
        Assert.EndsWith(",\"A\":1,\"SourceContext\":\"My.Logger\"}", writer.Format(Make("m", new[] { P("A", 1) }, loggerName: "My.Logger")));
        string withProperty = writer.Format(Make("m", new[] { P("SourceContext", "Real") }, loggerName: "My.Logger"));
        Assert.EndsWith(",\"SourceContext\":\"Real\"}", withProperty);
        Assert.DoesNotContain("My.Logger", withProperty);
    }

    [Fact]
    public void WritesTheRecordedMessageAsRenderedMessageWhenThereIsNoTemplate()
    {
        MmapEvent e = Make(null, new[] { P("X", 1) }, renderedMessage: "NLog \"said\"", timestamp: ReadmeTime);
        Assert.Equal("{\"@t\":\"2016-06-07T03:44:57.8532799Z\",\"@m\":\"NLog \\\"said\\\"\",\"X\":1}", new ClefWriter().Format(e));
    }

    [Fact]
    public void AddsTheRenderedMessageWhenAsked()
    {
        MmapEvent e = Make("Hello, {User} {N:000}", new[] { P("User", "nb"), P("N", 5) }, timestamp: ReadmeTime);
        Assert.Equal(
            "{\"@t\":\"2016-06-07T03:44:57.8532799Z\",\"@mt\":\"Hello, {User} {N:000}\",\"@m\":\"Hello, \\\"nb\\\" 005\",\"@r\":[\"005\"],\"User\":\"nb\",\"N\":5}",
            new ClefWriter(includeRenderedMessage: true).Format(e));
    }

    [Fact]
    public void WritesOneLinePerEventEndingInANewLine()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var writer = new ClefWriter();
        writer.Write(Make("a", Array.Empty<LogProperty>()), output);
        writer.Write(Make("b", Array.Empty<LogProperty>()), output);
        string[] lines = output.ToString().Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Equal(string.Empty, lines[2]);
    }

    [Fact]
    public void MatchesCompactJsonFormattersAlgorithmOverSerilogsOwnPiecesForManyEvents()
    {
        Exception exception = new InvalidOperationException("bad \"thing\"\n\ttabbed");
        int n = 0;
        var nested = new List<LogValue>(Samples.Nested());
        foreach ((object? value, string[] formats) in Samples.Scalars)
        {
            foreach (MmapLevel level in Enum.GetValues<MmapLevel>())
            {
                string format = formats.Length == 0 ? "l" : formats[n % formats.Length];
                var properties = new List<LogProperty>
                {
                    P("V", value),
                    new("Nested", nested[n % nested.Count]),
                    P("@at", "escaped"),
                    P("Plain", value),
                };
                MmapEvent e = Make("Value {V:" + format + "} {V,-20} {Nested} {Missing:x} {{esc}}", properties, level,
                    loggerName: n % 2 == 0 ? "Ctx" : null,
                    exception: n % 3 == 0 ? new MmapExceptionInfo("System.InvalidOperationException", exception.Message, exception.ToString()) : null,
                    traceId: n % 4 == 0 ? ActivityTraceId.CreateRandom() : null,
                    spanId: n % 4 == 0 ? ActivitySpanId.CreateRandom() : null,
                    timestamp: ReadmeTime.AddMinutes(n * 37));
                n++;

                string expected;
                try
                {
                    expected = ReferenceClef(SerilogTwin.ToLogEvent(e, n % 3 == 1 ? exception : null));
                }
                catch (FormatException)
                {
                    Assert.Throws<FormatException>(() => new ClefWriter().Format(e));
                    continue;
                }
                string actual = new ClefWriter().Format(e);
                Assert.Equal(expected, actual);
                using JsonDocument parsed = JsonDocument.Parse(actual);
            }
        }
    }

    // CompactJsonFormatter 3.0's documented layout, assembled from Serilog 4.4.0's own value formatter,
    // string escaper and property-token renderer.
    private static string ReferenceClef(LogEvent logEvent)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var values = new JsonValueFormatter("$type");
        output.Write("{\"@t\":\"");
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("O"));
        output.Write("\",\"@mt\":");
        JsonValueFormatter.WriteQuotedJsonString(logEvent.MessageTemplate.Text, output);

        var formatted = new List<PropertyToken>();
        foreach (MessageTemplateToken token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken { Format: not null } pt)
                formatted.Add(pt);
        }
        if (formatted.Count > 0)
        {
            output.Write(",\"@r\":[");
            for (int i = 0; i < formatted.Count; i++)
            {
                if (i > 0)
                    output.Write(',');
                var space = new StringWriter(CultureInfo.InvariantCulture);
                formatted[i].Render(logEvent.Properties, space, CultureInfo.InvariantCulture);
                JsonValueFormatter.WriteQuotedJsonString(space.ToString(), output);
            }
            output.Write(']');
        }

        if (logEvent.Level != LogEventLevel.Information)
            output.Write(",\"@l\":\"" + logEvent.Level + "\"");
        if (logEvent.Exception != null)
        {
            output.Write(",\"@x\":");
            JsonValueFormatter.WriteQuotedJsonString(logEvent.Exception.ToString(), output);
        }
        if (logEvent.TraceId != null)
            output.Write(",\"@tr\":\"" + logEvent.TraceId.Value.ToHexString() + "\"");
        if (logEvent.SpanId != null)
            output.Write(",\"@sp\":\"" + logEvent.SpanId.Value.ToHexString() + "\"");

        foreach (KeyValuePair<string, LogEventPropertyValue> property in logEvent.Properties)
        {
            string name = property.Key.StartsWith('@') ? "@" + property.Key : property.Key;
            output.Write(',');
            JsonValueFormatter.WriteQuotedJsonString(name, output);
            output.Write(':');
            values.Format(property.Value, output);
        }
        output.Write('}');
        return output.ToString();
    }
}
