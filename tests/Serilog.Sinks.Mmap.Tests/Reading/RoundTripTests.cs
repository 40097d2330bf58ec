using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Serilog.Events;
using Serilog.Parsing;
using Serilog.Sinks.Mmap.Formatting;
using Serilog.Sinks.Mmap.Reading;
using Serilog.Sinks.Mmap.Translation;
using Sinks.Mmap;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Reading;

public class RoundTripTests
{
    private static readonly MessageTemplateParser Parser = new();

    internal sealed class Customer
    {
        public int Id { get; set; }
        public string Name { get; set; } = "";
        public decimal Balance { get; set; }
        public List<string> Tags { get; set; } = new();
        public Dictionary<string, int> Scores { get; set; } = new();
    }

    private static IReadOnlyList<LogEvent> RichEvents(bool withTrace = true)
    {
        var timestamp = new DateTimeOffset(2026, 11, 21, 10, 30, 15, TimeSpan.FromHours(2)).AddTicks(1234567);
        Exception exception;
        try
        {
            throw new InvalidOperationException("The cart is empty");
        }
        catch (InvalidOperationException ex)
        {
            exception = ex;
        }
        var sink = new CollectingSink();
        var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger();
        logger.ForContext("SourceContext", "Shop.Checkout").Information("User {UserId} logged in from {Ip} after {Elapsed:0.0} ms", 42, "10.0.0.1", 12.5);
        logger.Warning(exception, "Checkout failed for {@Customer} at {When}", new Customer
        {
            Id = 7,
            Name = "Ada \"Countess\" Lovelace",
            Balance = 12.345m,
            Tags = { "vip", "ü-ber" },
            Scores = { ["a"] = 1, ["b"] = 2 },
        }, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        logger.Error("Types {Guid} {Span} {Long} {ULong} {Float} {Char} {Bytes} {DateOnly} {Null} {Flag} {Day}",
            Guid.Parse("9c2f1e2a-0000-4000-8000-00000000abcd"), TimeSpan.FromMinutes(90), long.MinValue, ulong.MaxValue, 1.5f, 'x',
            new byte[] { 1, 2, 3 }, new DateOnly(2026, 11, 21), null, true, DayOfWeek.Saturday);
        logger.Debug("A {$Stringified} and a {@Sequence}", new[] { 1, 2 }, new object[] { 1, "two", new[] { 3.0 } });

        // Give every event a fixed timestamp and (unless told not to) a trace, as a real request would have.
        var fixedEvents = new List<LogEvent>();
        for (int i = 0; i < sink.Events.Count; i++)
        {
            LogEvent e = sink.Events[i];
            fixedEvents.Add(withTrace
                ? new LogEvent(timestamp.AddSeconds(i), e.Level, e.Exception, e.MessageTemplate,
                    e.Properties.Select(p => new LogEventProperty(p.Key, p.Value)),
                    ActivityTraceId.CreateFromString("4bf92f3577b34da6a3ce929d0e0e4736"), ActivitySpanId.CreateFromString("00f067aa0ba902b7"))
                : new LogEvent(timestamp.AddSeconds(i), e.Level, e.Exception, e.MessageTemplate,
                    e.Properties.Select(p => new LogEventProperty(p.Key, p.Value))));
        }
        fixedEvents.Add(new LogEvent(timestamp, LogEventLevel.Fatal, null, Parser.Parse("No trace here"), Array.Empty<LogEventProperty>()));
        return fixedEvents;
    }

    // Without a trace, an event with no exception takes the sink's short header and one with an exception the full one.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_rich_event_reads_back_equal_to_the_original_with_a_trace_or_without(bool withTrace)
    {
        using var log = new TempFolder();
        IReadOnlyList<LogEvent> originals = RichEvents(withTrace);
        using (var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Mmap(log.LogPath, fileSizeLimitBytes: 1 << 20).CreateLogger())
        {
            foreach (LogEvent e in originals) logger.Write(e);
        }

        List<LogEvent> readBack = MmapLogEventReader.ReadLogEvents(log.LogPath).ToList();

        Assert.Equal(originals.Count, readBack.Count);
        var formatter = new ClefFormatter();
        for (int i = 0; i < originals.Count; i++)
        {
            // CLEF shows every field (timestamp, level, template, renderings, exception, trace, span,
            // every property with its JSON type), so equal lines mean equal events.
            Assert.Equal(Clef(formatter, originals[i]), Clef(formatter, readBack[i]));
            Assert.Equal(originals[i].Timestamp, readBack[i].Timestamp);
            Assert.Equal(originals[i].Timestamp.Offset, readBack[i].Timestamp.Offset);
            Assert.Equal(originals[i].RenderMessage(), readBack[i].RenderMessage());
        }
        var scalar = (ScalarValue)readBack[2].Properties["Long"];
        Assert.IsType<long>(scalar.Value);
        Assert.IsType<Guid>(((ScalarValue)readBack[2].Properties["Guid"]).Value);
        Assert.Equal(originals[1].Exception!.ToString(), readBack[1].Exception!.ToString());
        Assert.Equal(withTrace, readBack[0].TraceId is not null);
    }

    [Fact]
    public void Every_Serilog_level_reads_back_as_itself()
    {
        using var log = new TempFolder();
        LogEventLevel[] levels = Enum.GetValues<LogEventLevel>();
        using (var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Mmap(log.LogPath).CreateLogger())
        {
            foreach (LogEventLevel level in levels) logger.Write(level, "At {Level}", level);
        }

        Assert.Equal(levels, MmapLogEventReader.ReadLogEvents(log.LogPath).Select(e => e.Level));
    }

    [Fact]
    public void A_level_past_Fatal_is_written_as_Fatal()
    {
        // Serilog's levels are an enum any caller can cast an int to.
        Assert.Equal(MmapLevel.Fatal, LevelMap.ToMmap((LogEventLevel)6));
        Assert.Equal(MmapLevel.Fatal, LevelMap.ToMmap((LogEventLevel)(-1)));
        Assert.Equal(MmapLevel.Verbose, LevelMap.ToMmap(LogEventLevel.Verbose));
        Assert.Equal(MmapLevel.Error, LevelMap.ToMmap(LogEventLevel.Error));
    }

    [Fact]
    public void A_rich_event_round_trip_matches_its_snapshot()
    {
        using var log = new TempFolder();
        using (var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Mmap(log.LogPath, fileSizeLimitBytes: 1 << 20).CreateLogger())
        {
            foreach (LogEvent e in RichEvents().Skip(2)) logger.Write(e);
        }
        var formatter = new ClefFormatter();
        string text = string.Concat(MmapLogEventReader.ReadLogEvents(log.LogPath).Select(e => Clef(formatter, e)));
        Snapshot.Verify(text);
    }

    private static string Clef(ClefFormatter formatter, LogEvent e)
    {
        var writer = new StringWriter { NewLine = "\n" };
        formatter.Format(e, writer);
        return writer.ToString();
    }
}

internal sealed class CollectingSink : Serilog.Core.ILogEventSink
{
    public List<LogEvent> Events { get; } = new();
    public void Emit(LogEvent logEvent) => Events.Add(logEvent);
}
