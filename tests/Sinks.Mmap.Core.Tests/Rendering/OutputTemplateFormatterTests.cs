using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Sinks.Mmap;
using Sinks.Mmap.Rendering;
using Xunit;
using static Sinks.Mmap.Core.Tests.Rendering.Events;

namespace Sinks.Mmap.Core.Tests.Rendering;

public class OutputTemplateFormatterTests
{
    private static readonly ActivityTraceId TraceId = ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c".AsSpan());
    private static readonly ActivitySpanId SpanId = ActivitySpanId.CreateFromString("b7ad6b7169203331".AsSpan());

    private static readonly string[] OutputTemplates =
    {
        OutputTemplateFormatter.DefaultOutputTemplate,
        "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}",
        "{Timestamp} {Level} {Message} {Properties}{NewLine}",
        "{Timestamp:o}|{Level,-12}|{Level,12:u}|{Message,-40:l}|{Properties:j}|{Exception,5}",
        "{Level:u1}{Level:u2}{Level:u3}{Level:u4}{Level:u5}{Level:u6}{Level:u12}{Level:w1}{Level:w3}{Level:w5}{Level:w9}{Level:t1}{Level:t4}{Level:t5}{Level:t7}{Level:u0}{Level:u}{Level:w}{Level:t}{Level:x3}{Level:U3}{Level:uab}",
        "{SourceContext} {SourceContext:u} {SourceContext,-20:w} {Name} {Name,8} {Count:000} {Count,-6} {Missing,10}|{Missing:x}",
        "{TraceId} {SpanId,20} {TraceId,-34}|",
        "{Message:j} {Properties} {Name}",
        "{@Name} {$Count} {Timestamp:yyyy-MM-dd HH:mm:ss.fffffff zzz} {Timestamp:R} {Timestamp,40:D}",
        "{{literal}} {Level {Message:l",
        "{NewLine,5}|{NewLine,-5}|",
    };

    [Fact]
    public void FormatsEventsThroughOutputTemplatesExactlyAsSerilogsTextFormatter()
    {
        Exception exception = Thrown();
        foreach (CultureInfo culture in Samples.Cultures)
        {
            foreach (MmapLevel level in Enum.GetValues<MmapLevel>())
            {
                foreach (bool withContext in new[] { false, true })
                {
                    MmapEvent e = Make(
                        "User {Name} did {Count:x4} things with {@Order}",
                        new[]
                        {
                            P("Name", "nb\"q"),
                            P("Count", 42),
                            new LogProperty("Order", Struct("Order", P("Id", 5), P("Tags", Seq(S("a"), S(1.5))))),
                            P("Extra", 12.75),
                            new LogProperty("Map", Dict(("k", S(new DateTime(2020, 1, 2, 3, 4, 5))))),
                            P("Str", "free text"),
                        },
                        level,
                        loggerName: withContext ? "App.Services.Worker" : null,
                        exception: withContext ? new MmapExceptionInfo(exception.GetType().FullName, exception.Message, exception.ToString()) : null,
                        traceId: withContext ? TraceId : null,
                        spanId: withContext ? SpanId : null);

                    foreach (string template in OutputTemplates)
                    {
                        string expected = SerilogTwin.FormatText(e, template, culture, withContext ? exception : null);
                        Assert.Equal(expected, new OutputTemplateFormatter(template, culture).Format(e));
                    }
                }
            }
        }
    }

    [Fact]
    public void UsesTheInvariantCultureForTimestampsAndValuesLikeSerilogWhenNoFormatProviderIsGiven()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            MmapEvent e = Make("{A} {B:N2}", new[] { P("A", 1234.5), P("B", 1234567.891m), P("C", 0.5) });
            const string template = "{Timestamp} {Timestamp:D} {Message} {C} {Properties}";
            Assert.Equal(SerilogTwin.FormatText(e, template, null), new OutputTemplateFormatter(template).Format(e));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void WritesTheFileSinkDefaultLayoutByDefault()
    {
        MmapEvent e = Make("Hello, {Name}! {Data}", new[] { P("Name", "World"), new LogProperty("Data", Struct("D", P("X", 1))) }, MmapLevel.Warning);
        string expected = "2024-02-29 13:14:15.123 +05:30 [WRN] Hello, World! {\"X\":1,\"$type\":\"D\"}" + Environment.NewLine;
        Assert.Equal(expected, new OutputTemplateFormatter(formatProvider: CultureInfo.InvariantCulture).Format(e));
        Assert.Equal(OutputTemplateFormatter.DefaultOutputTemplate, new OutputTemplateFormatter().OutputTemplate);
    }

    [Fact]
    public void WritesTheExceptionTextFollowedByANewLine()
    {
        var e = Make("Failed", Array.Empty<LogProperty>(), MmapLevel.Error, exception: new MmapExceptionInfo("System.InvalidOperationException", "Boom", "System.InvalidOperationException: Boom\n   at Somewhere()"));
        Assert.Equal("[ERR] Failed" + Environment.NewLine + "System.InvalidOperationException: Boom\n   at Somewhere()" + Environment.NewLine,
            new OutputTemplateFormatter("[{Level:u3}] {Message:lj}{NewLine}{Exception}").Format(e));
    }

    [Fact]
    public void BuildsExceptionTextFromTypeAndMessageWhenNoFullTextWasRecorded()
    {
        var e = Make("Failed", Array.Empty<LogProperty>(), exception: new MmapExceptionInfo("System.TimeoutException", "Too slow", null));
        Assert.Equal("System.TimeoutException: Too slow" + Environment.NewLine, new OutputTemplateFormatter("{Exception}").Format(e));
    }

    [Fact]
    public void MapsSourceContextToTheLoggerNameOnlyWhenNoSuchPropertyExists()
    {
        MmapEvent fromLogger = Make("m", Array.Empty<LogProperty>(), loggerName: "NLog.Logger");
        MmapEvent fromProperty = Make("m", new[] { P("SourceContext", "Serilog.Context") }, loggerName: "NLog.Logger");
        var formatter = new OutputTemplateFormatter("{SourceContext}: {Message}");
        Assert.Equal("NLog.Logger: m", formatter.Format(fromLogger));
        Assert.Equal("Serilog.Context: m", formatter.Format(fromProperty));
    }

    [Fact]
    public void ListsLoggerNameAsSourceContextAmongTheRemainingProperties()
    {
        MmapEvent e = Make("{A}", new[] { P("A", 1), P("B", "b") }, loggerName: "Cat");
        Assert.Equal("{ B: \"b\", SourceContext: \"Cat\" }", new OutputTemplateFormatter("{Properties}").Format(e));
        Assert.Equal("{\"B\":\"b\"}", new OutputTemplateFormatter("{Properties:j} {SourceContext}").Format(e).Split(' ')[0]);
    }

    [Fact]
    public void WritesTheRecordedMessageForEventsWithoutATemplate()
    {
        MmapEvent e = Make(null, new[] { P("X", 1) }, MmapLevel.Debug, loggerName: "N", renderedMessage: "rendered by NLog");
        Assert.Equal("[DBG] N rendered by NLog { X: 1 }", new OutputTemplateFormatter("[{Level:u3}] {SourceContext} {Message:lj} {Properties}").Format(e));
    }

    [Fact]
    public void WritesTraceAndSpanIdsAsHexAndNothingWhenAbsent()
    {
        var formatter = new OutputTemplateFormatter("{TraceId}/{SpanId}");
        Assert.Equal("0af7651916cd43dd8448eb211c80319c/b7ad6b7169203331", formatter.Format(Make("m", Array.Empty<LogProperty>(), traceId: TraceId, spanId: SpanId)));
        Assert.Equal("/", formatter.Format(Make("m", Array.Empty<LogProperty>())));
    }

    [Fact]
    public void WritesToATextWriterTheSameAsToAString()
    {
        MmapEvent e = Make("x {Y}", new[] { P("Y", 2) });
        var formatter = new OutputTemplateFormatter();
        var output = new StringWriter(CultureInfo.InvariantCulture);
        formatter.Format(e, output);
        Assert.Equal(formatter.Format(e), output.ToString());
    }

    private static Exception Thrown()
    {
        try
        {
            throw new InvalidOperationException("Something \"bad\"\nhappened", new ArgumentException("inner"));
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}
