using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Sinks.Mmap.Reading;
using Sinks.Mmap;
using Sinks.Mmap.Reading;
using Sinks.Mmap.Rendering;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Formatting;

/// <summary>
/// The log's CLEF against Serilog.Formatting.Compact itself, on a broad corpus logged through Serilog
/// into both a collecting sink and Mmap: the mmaplog tool's CLEF (and the core's bytes-to-CLEF writer it
/// uses) equals <see cref="CompactJsonFormatter"/> on the original events, and the reader's read-back
/// <see cref="LogEvent"/>s format byte for byte as the originals under both <see cref="CompactJsonFormatter"/>
/// and <see cref="RenderedCompactJsonFormatter"/>. No expected text is written by hand.
/// </summary>
public class CompactFormatterCorpusTests
{
    private enum Colour { Red = 1, Green = 2, Blue = 4 }

    [Flags]
    private enum Access { None = 0, Read = 1, Write = 2, Execute = 4 }

    private sealed class Point
    {
        public int X { get; set; }
        public double Y { get; set; }
        public string? Label { get; set; }
        public int[] Path { get; set; } = Array.Empty<int>();
        public override string ToString() => $"Point({X}, {Y})";
    }

    private sealed class Collecting : ILogEventSink
    {
        public List<LogEvent> Events { get; } = new();
        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }

    /// <summary>Every value type, format and template shape the issue names, logged once each.</summary>
    private static void LogCorpus(ILogger log)
    {
        foreach (LogEventLevel level in Enum.GetValues<LogEventLevel>())
        {
            log.Write(level, "At level {Level} with {Number}", level, (int)level);
        }

        // Every scalar type the format stores.
        log.Information("Integers {SByte} {Byte} {Short} {UShort} {Int} {UInt} {Long} {ULong}",
            sbyte.MinValue, byte.MaxValue, short.MinValue, ushort.MaxValue, int.MinValue, uint.MaxValue, long.MinValue, ulong.MaxValue);
        log.Information("Floats {Single} {Double} {Tiny} {Huge} {NegZero} {Third}", 1.1f, 0.1, double.Epsilon, 1e300, -0.0, 1.0 / 3);
        log.Information("Not finite {NaN} {Inf} {NegInf} {FNaN}", double.NaN, double.PositiveInfinity, double.NegativeInfinity, float.NaN);
        log.Information("Decimals {Min} {Scaled} {Zero}", decimal.MinValue, 1.500m, 0m);
        log.Information("Booleans {True} {False} and {Nothing}", true, false, null);
        log.Information("Chars {Quote} {Accent} {Control} {Backslash}", '"', '\u00e9', '\u0001', '\\');
        log.Information("Strings {Plain} {Escapes} {Unicode} {Surrogates} {Separators} {Empty}",
            "plain", "quote \" backslash \\ tab \t newline \n cr \r nul \0", "日本語 ñ", "\U0001F600", "\u2028\u2029\u0085", "");
        log.Information("Times {Utc} {Unspecified} {Offset} {Span} {NegSpan}",
            new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567), new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Unspecified),
            new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(-330)), TimeSpan.FromMilliseconds(1500.25), TimeSpan.FromTicks(-1234567890123));
        log.Information("Dates {Date} {Time} {Guid}", new DateOnly(2026, 12, 5), new TimeOnly(23, 59, 59, 999), new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"));
        log.Information("Bytes {Bytes} and {NoBytes}", new byte[] { 0, 0xAB, 0xFF }, Array.Empty<byte>());
        log.Information("Enums {Colour} {Flags} {Undefined} {Numeric:D} {Hex:X}", Colour.Green, Access.Read | Access.Write, (Colour)3, Colour.Blue, Access.Execute);
        log.Information("Other scalars {Uri} {Version}", new Uri("https://example.com/a?b=c"), new Version(1, 2, 3));

        // Format specifiers and alignment.
        log.Information("Formats {Amount:0.00} {Ratio:P1} {Day:yyyy-MM-dd} {Hex:X8} {Exp:E3} {Span:c}",
            1234.5678, 0.4567, new DateTime(2026, 12, 5, 7, 30, 0, DateTimeKind.Utc), 48879, 12345.678, TimeSpan.FromMinutes(90));
        log.Information("Aligned [{Right,10}] [{Left,-10}] [{Both,12:F2}] [{Narrow,2}]", "right", "left", 3.14159, "wider than two");
        log.Information("Formatted strings {Text:l} and {Quoted}", "no quotes", "quotes");

        // Destructuring and stringification.
        log.Information("Destructured {@Point}", new Point { X = 1, Y = 2.5, Label = "a \"b\"", Path = new[] { 1, 2, 3 } });
        log.Information("Anonymous {@Order}", new { Id = 7, Lines = new[] { new { Sku = "x", Qty = 2 } }, Total = 12.5m, Note = (string?)null });
        log.Information("Stringified {$Point} and default {Point}", new Point { X = 3 }, new Point { X = 4 });
        log.Information("Sequences {Ints} {Empty} {Mixed} {Nested}", new List<int> { 1, 2, 3 }, new int[0], new object?[] { 1, "two", null, 3.0 },
            new[] { new[] { 1 }, new[] { 2, 3 } });
        log.Information("Dictionaries {ByName} {ByNumber} {Nested}", new Dictionary<string, int> { ["a"] = 1, ["b \"q\""] = 2 },
            new Dictionary<int, string?> { [1] = "one", [2] = null }, new Dictionary<string, object> { ["inner"] = new Dictionary<string, int> { ["x"] = 1 } });

        // Template shapes.
        log.Information("Escaped {{braces}} and {{ {Name} }} and }} alone", "value");
        log.Information("Positional {0} and {1} and again {0}", "first", 2);
        log.Information("Positional formatted {0:000} {1,6}", 7, "right");
        log.Information("No holes at all");
        log.Information("");
        log.Information("Unclosed {brace and {Valid}", 1);
        log.Information("Missing {Present} {Absent}", "here");
        log.Information("Dotted {a.b} and {Under_score}", 1, 2);
        // Serilog 4's parser: dotted names with formats, any format character, zero-width alignment,
        // a hole that runs to the next '}', names that are not names.
        log.Information("Order {Order.Id} costs {Order.Total:0.00} [{Width,0}] [{Left,-0}]", 7, 12.345, "w", "l");
        log.Information("Formats {Stamp:yyyy-MM-dd HH:mm:ss zzz} {Odd:<=>} {Tabbed:a\tb}", new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.FromHours(1)), 5, 6);
        log.Information("Not names {9lives} {a.} {.b} {a..b} {x,+3} {y,--1} {Un{Closed} {Ünïcödé} {名前}", 1, 2, 3, 4, 5, 6, 7, 8, 9);

        // Names that CLEF escapes or reserves.
        log.ForContext("@Mistake", "at-prefixed").ForContext("@@Twice", 2).ForContext("$dollar", 3)
            .Information("Enriched with @-prefixed names and {Own}", "own");
        log.ForContext("Extra", new[] { "not", "in", "template" }).Information("A property outside the template");

        // Exceptions: thrown (with a stack trace), nested, aggregate.
        try
        {
            try
            {
                throw new InvalidOperationException("inner \"failure\"\nline two");
            }
            catch (Exception inner)
            {
                throw new ApplicationException("outer failure", inner);
            }
        }
        catch (Exception ex)
        {
            log.Error(ex, "Failed to {Action} after {Attempts} attempts", "save", 3);
        }
        log.Fatal(new AggregateException(new ArgumentException("first"), new FormatException("second")), "Aggregate");
        log.Warning(new Exception(""), "An exception with an empty message");

        // Trace and span ids from the current activity.
        using (var activity = new Activity("corpus").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            log.Information("Inside an activity {Step}", 1);
            log.Warning("Inside an activity with a level {Step}", 2);
        }
    }

    private static (List<LogEvent> Originals, string Path, TempFolder Log) LogThroughBoth()
    {
        var log = new TempFolder();
        var collecting = new Collecting();
        using (Logger logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Mmap(log.LogPath)
            .WriteTo.Sink(collecting)
            .CreateLogger())
        {
            LogCorpus(logger);
        }
        return (collecting.Events, log.LogPath, log);
    }

    private static string Format(ITextFormatter formatter, LogEvent e)
    {
        var output = new StringWriter { NewLine = "\n" };
        formatter.Format(e, output);
        return output.ToString();
    }

    [Fact]
    public void The_readers_events_format_byte_for_byte_as_the_originals_under_both_compact_formatters()
    {
        var (originals, path, log) = LogThroughBoth();
        using (log)
        {
            List<LogEvent> readBack = MmapLogEventReader.ReadLogEvents(path).ToList();
            Assert.Equal(originals.Count, readBack.Count);
            Assert.True(originals.Count >= 40, "the corpus is broad");
            foreach (ITextFormatter formatter in new ITextFormatter[] { new CompactJsonFormatter(), new RenderedCompactJsonFormatter() })
            {
                for (int i = 0; i < originals.Count; i++)
                {
                    Assert.Equal(Format(formatter, originals[i]), Format(formatter, readBack[i]));
                }
            }
        }
    }

    [Fact]
    public void The_mmaplog_tool_writes_the_same_clef_lines_as_CompactJsonFormatter_on_the_originals()
    {
        var (originals, path, log) = LogThroughBoth();
        using (log)
        {
            var formatter = new CompactJsonFormatter();
            string[] expected = originals.Select(e => Format(formatter, e).TrimEnd('\n')).ToArray();

            ChildResult tool = DotnetChild.Run(DotnetChild.BesideTests("mmaplog.dll"), new[] { "cat", path, "--format", "clef" }, TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["NO_COLOR"] = "1" });
            string stdout = tool.Stdout;
            Assert.True(tool.ExitCode == 0, tool.Stderr);
            string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(expected.Length, lines.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], lines[i]);
            }
        }
    }

    [Fact]
    public void The_bytes_to_clef_writer_matches_CompactJsonFormatter_for_every_event_it_writes_and_writes_most()
    {
        var (originals, path, log) = LogThroughBoth();
        using (log)
        {
            var formatter = new CompactJsonFormatter();
            var writer = new ClefWriter();
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            int index = 0, fromBytes = 0;
            using (MmapRecordStream records = new MmapLogReader(path).OpenRecordStream())
            {
                while (records.MoveNext())
                {
                    if (records.Kind != MmapRecordKind.Event) continue;
                    buffer.Clear();
                    ClefRecordResult result = writer.Write(records, buffer);
                    Assert.NotEqual(ClefRecordResult.Undecodable, result);
                    if (result == ClefRecordResult.Written)
                    {
                        fromBytes++;
                        Assert.Equal(Format(formatter, originals[index]), Encoding.UTF8.GetString(buffer.WrittenSpan));
                    }
                    else
                    {
                        // What the bytes path leaves to the decoding path: the core's ClefWriter on the decoded event.
                        MmapEvent decoded = records.DecodeEvent()!;
                        Assert.Equal(Format(formatter, originals[index]).TrimEnd('\n'), new ClefWriter().Format(decoded));
                    }
                    index++;
                }
            }
            Assert.Equal(originals.Count, index);
            Assert.True(fromBytes > originals.Count / 2, $"{fromBytes} of {originals.Count} lines came straight from the bytes");
        }
    }
}
