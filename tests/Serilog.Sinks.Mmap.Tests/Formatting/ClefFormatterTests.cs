using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json;
using Serilog.Events;
using Serilog.Sinks.Mmap.Formatting;
using Xunit;

namespace Serilog.Sinks.Mmap.Tests.Formatting;

// The .verified.txt files next to this one were written by hand from published examples, not
// accepted from this formatter's output; each test names its source.
//   compact README:  github.com/serilog/serilog-formatting-compact README.md ("Sample",
//                    "Rendered events", "Comparison")
//   reader example:  github.com/serilog/serilog-formatting-compact-reader README.md "Example" and
//                    its test/Serilog.Formatting.Compact.Reader.Tests/LogEventReaderTests.clef
//   getting started: Serilog's "Getting Started" wiki ({@SensorInput} in {TimeMS:000} ms)
//   compact tests:   serilog-formatting-compact's CompactJsonFormatterTests (@@Mistake, @tr/@sp)
public class ClefFormatterTests
{
    // 2016-06-07T03:44:57.8532799Z, the instant in the compact README, given in its +10:00 local
    // time so the snapshot also shows @t being converted to UTC.
    private static readonly DateTimeOffset ReadmeTime =
        new DateTimeOffset(2016, 6, 7, 13, 44, 57, TimeSpan.FromHours(10)).AddTicks(8532799);

    // The W3C trace-context specification's example ids.
    private static readonly ActivityTraceId TraceId = ActivityTraceId.CreateFromString("4bf92f3577b34da6a3ce929d0e0e4736");
    private static readonly ActivitySpanId SpanId = ActivitySpanId.CreateFromString("00f067aa0ba902b7");

    // ---- Snapshots of documented cases ----

    [Fact]
    public void Readme_sample_is_written_as_published()
    {
        // compact README, "Sample".
        LogEvent logEvent = Events.Create(ReadmeTime, LogEventLevel.Information, "Hello, {User}", "nblumhardt");

        Snapshot.Verify(Format(logEvent));
    }

    [Fact]
    public void Readme_comparison_event_is_written_as_published()
    {
        // compact README, "Comparison". DateTime.Now there is a DateTimeOffset here so the
        // +10:00 offset is the same on every machine.
        LogEvent logEvent = Events.Create(
            ReadmeTime,
            LogEventLevel.Information,
            "Hello, {@User}, {N:x8} at {Now}",
            new { Name = "nblumhardt", Tags = new[] { 1, 2, 3 } },
            123,
            ReadmeTime);

        Snapshot.Verify(Format(logEvent));
    }

    [Fact]
    public void Reader_example_log_file_is_reproduced_line_for_line()
    {
        // reader example: the four events its README logs, with the timestamps and exception
        // text of the committed LogEventReaderTests.clef.
        LogEvent[] logEvents =
        {
            Events.Create(Utc(2016, 10, 12, 4, 20, 58, 0554314), LogEventLevel.Information,
                "Hello, {@User}", new { Name = "nblumhardt", Id = 101 }),
            Events.Create(Utc(2016, 10, 12, 4, 20, 58, 0684369), LogEventLevel.Information,
                "Number {N:x8}", 42),
            Events.Create(Utc(2016, 10, 12, 4, 20, 58, 0724384), LogEventLevel.Warning,
                "Tags are {Tags}", (object)new[] { "test", "orange" }),
            Events.Create(Utc(2016, 10, 12, 4, 20, 58, 0904378), LogEventLevel.Error,
                new FixedTextException(
                    "System.DivideByZeroException: Attempted to divide by zero.\r\n" +
                    "   at Example.Program.Main(String[] args) in " +
                    @"C:\Development\nblumhardt\serilog-formatting-compact-reader\example\RoundTrip\Program.cs:line 24"),
                "Something failed"),
        };

        Snapshot.Verify(Format(new ClefFormatter(), logEvents));
    }

    [Fact]
    public void Formatted_tokens_are_pre_rendered_in_r()
    {
        // getting started: "{TimeMS:000}" renders 34 as "034".
        Snapshot.Verify(Format(SensorEvent()));
    }

    [Fact]
    public void Rendered_readme_event_has_message_and_event_id()
    {
        // compact README, "Rendered events". The README's @i, "7a8b9c0d", is a placeholder;
        // 0482b02f is Jenkins one-at-a-time of "Hello, {User}", worked out outside .NET.
        LogEvent logEvent = Events.Create(ReadmeTime, LogEventLevel.Information, "Hello, {User}", "nblumhardt");

        Snapshot.Verify(Format(logEvent, renderMessage: true));
    }

    [Fact]
    public void Rendered_message_uses_formats_and_has_no_renderings()
    {
        // getting started: the console rendering "Processed { Latitude: 25, Longitude: 134 } in 034 ms".
        Snapshot.Verify(Format(SensorEvent(), renderMessage: true));
    }

    [Fact]
    public void Leading_at_in_a_property_name_is_doubled()
    {
        // compact README "@@name denotes a property called @name"; compact tests' "@Mistake".
        LogEvent logEvent = Events.WithProperty(
            Events.Create(ReadmeTime, LogEventLevel.Information, "Hello"), "@Mistake", new ScalarValue(42));

        Snapshot.Verify(Format(logEvent));
    }

    [Fact]
    public void Every_level_but_information_is_named()
    {
        var logEvents = new List<LogEvent>();
        foreach (LogEventLevel level in AllLevels)
        {
            logEvents.Add(Events.Create(ReadmeTime, level, "Level {Level}", level));
        }

        Snapshot.Verify(Format(new ClefFormatter(), logEvents.ToArray()));
    }

    [Fact]
    public void Fields_come_in_compact_formatter_order()
    {
        // One event with every field: @t @mt @r @l @x @tr @sp, then properties.
        Snapshot.Verify(Format(EverythingEvent()));
    }

    [Fact]
    public void Rendered_fields_come_in_rendered_formatter_order()
    {
        // @t @m @i @l @x @tr @sp, then properties; 037173ba hashed outside .NET.
        Snapshot.Verify(Format(EverythingEvent(), renderMessage: true));
    }

    // ---- Field-by-field checks ----

    [Fact]
    public void Information_level_is_left_out()
    {
        using JsonDocument json = Parse(Format(Events.Create(ReadmeTime, LogEventLevel.Information, "Hi")));

        Assert.False(json.RootElement.TryGetProperty("@l", out _));
    }

    [Theory]
    [InlineData(LogEventLevel.Verbose, "Verbose")]
    [InlineData(LogEventLevel.Debug, "Debug")]
    [InlineData(LogEventLevel.Warning, "Warning")]
    [InlineData(LogEventLevel.Error, "Error")]
    [InlineData(LogEventLevel.Fatal, "Fatal")]
    public void Other_levels_are_written_by_name(LogEventLevel level, string expected)
    {
        using JsonDocument json = Parse(Format(Events.Create(ReadmeTime, level, "Hi")));

        Assert.Equal(expected, json.RootElement.GetProperty("@l").GetString());
    }

    [Fact]
    public void Timestamp_is_a_utc_round_trip_string()
    {
        using JsonDocument json = Parse(Format(Events.Create(ReadmeTime, LogEventLevel.Information, "Hi")));

        string timestamp = json.RootElement.GetProperty("@t").GetString()!;
        Assert.Equal("2016-06-07T03:44:57.8532799Z", timestamp);
        Assert.Equal(ReadmeTime, DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Every_line_is_one_json_object_with_typed_fields()
    {
        LogEvent[] logEvents = { EverythingEvent(), SensorEvent(), Events.Create(ReadmeTime, LogEventLevel.Debug, "Plain") };
        string[] lines = Format(new ClefFormatter(), logEvents).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(logEvents.Length, lines.Length);
        foreach (string line in lines)
        {
            using JsonDocument json = Parse(line);
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
            Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("@t").ValueKind);
            Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("@mt").ValueKind);
        }
    }

    [Fact]
    public void Everything_event_has_each_field_with_its_json_type()
    {
        using JsonDocument json = Parse(Format(EverythingEvent()));
        JsonElement root = json.RootElement;

        Assert.Equal("Upload of {File} took {Elapsed:000} ms", root.GetProperty("@mt").GetString());
        JsonElement renderings = root.GetProperty("@r");
        Assert.Equal(JsonValueKind.Array, renderings.ValueKind);
        Assert.Equal(1, renderings.GetArrayLength());
        Assert.Equal("007", renderings[0].GetString());
        Assert.Equal("Error", root.GetProperty("@l").GetString());
        Assert.Equal("System.IO.IOException: Disk full", root.GetProperty("@x").GetString());
        Assert.Equal(TraceId.ToHexString(), root.GetProperty("@tr").GetString());
        Assert.Equal(SpanId.ToHexString(), root.GetProperty("@sp").GetString());
        Assert.Equal("a.txt", root.GetProperty("File").GetString());
        Assert.Equal(7, root.GetProperty("Elapsed").GetInt32());
    }

    [Fact]
    public void Property_values_keep_their_json_types()
    {
        LogEvent logEvent = Events.Create(
            ReadmeTime,
            LogEventLevel.Information,
            "{Text} {Number} {Flag} {Nothing} {List} {@Point}",
            "words",
            1.5,
            true,
            null,
            new[] { 1, 2 },
            new Coordinates(25, 134));

        using JsonDocument json = Parse(Format(logEvent));
        JsonElement root = json.RootElement;

        Assert.Equal(JsonValueKind.String, root.GetProperty("Text").ValueKind);
        Assert.Equal(1.5, root.GetProperty("Number").GetDouble());
        Assert.Equal(JsonValueKind.True, root.GetProperty("Flag").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("Nothing").ValueKind);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("List").ValueKind);
        JsonElement point = root.GetProperty("Point");
        Assert.Equal(JsonValueKind.Object, point.ValueKind);
        Assert.Equal(134, point.GetProperty("Longitude").GetInt32());
        // CompactJsonFormatter tags named types as "$type", not JsonValueFormatter's "_typeTag".
        Assert.Equal(nameof(Coordinates), point.GetProperty("$type").GetString());
    }

    [Fact]
    public void Renderings_follow_template_order_and_skip_unformatted_tokens()
    {
        LogEvent logEvent = Events.Create(ReadmeTime, LogEventLevel.Information, "{A:x2} {B} {C:0.0}", 255, 1, 2);

        using JsonDocument json = Parse(Format(logEvent));
        JsonElement renderings = json.RootElement.GetProperty("@r");

        Assert.Equal(2, renderings.GetArrayLength());
        Assert.Equal("ff", renderings[0].GetString());
        Assert.Equal("2.0", renderings[1].GetString());
    }

    [Fact]
    public void Template_without_formats_has_no_renderings()
    {
        using JsonDocument json = Parse(Format(Events.Create(ReadmeTime, LogEventLevel.Information, "Hello, {User}", "x")));

        Assert.False(json.RootElement.TryGetProperty("@r", out _));
    }

    [Fact]
    public void Trace_and_span_ids_are_left_out_when_absent()
    {
        using JsonDocument json = Parse(Format(Events.Create(ReadmeTime, LogEventLevel.Information, "Hi")));

        Assert.False(json.RootElement.TryGetProperty("@tr", out _));
        Assert.False(json.RootElement.TryGetProperty("@sp", out _));
    }

    [Fact]
    public void Awkward_template_text_survives_json_escaping()
    {
        const string template = "Quote \" backslash \\ tab \t newline \n control \u0001 accent é {User}";

        using JsonDocument json = Parse(Format(Events.Create(ReadmeTime, LogEventLevel.Information, template, "x")));

        Assert.Equal(template, json.RootElement.GetProperty("@mt").GetString());
    }

    [Fact]
    public void Rendered_mode_writes_message_and_eight_hex_digit_event_id()
    {
        using JsonDocument json = Parse(Format(SensorEvent(), renderMessage: true));
        JsonElement root = json.RootElement;

        Assert.Equal("Processed { Latitude: 25, Longitude: 134 } in 034 ms", root.GetProperty("@m").GetString());
        Assert.Equal("78a38a21", root.GetProperty("@i").GetString());
        Assert.False(root.TryGetProperty("@mt", out _));
        Assert.False(root.TryGetProperty("@r", out _));
    }

    [Fact]
    public void Comparison_event_is_the_readme_size_plus_the_quotes_it_dropped()
    {
        // The README counts 187 bytes but prints "Now" without the quotes JsonValueFormatter
        // always writes around a date, and that its own JsonFormatter line shows.
        LogEvent logEvent = Events.Create(
            ReadmeTime, LogEventLevel.Information, "Hello, {@User}, {N:x8} at {Now}",
            new { Name = "nblumhardt", Tags = new[] { 1, 2, 3 } }, 123, ReadmeTime);

        Assert.Equal(187 + 2, Encoding.UTF8.GetByteCount(Format(logEvent).TrimEnd('\n')));
    }

    [Fact]
    public void Each_event_ends_with_the_writers_newline()
    {
        var output = new StringWriter { NewLine = "\r\n" };
        new ClefFormatter().Format(Events.Create(ReadmeTime, LogEventLevel.Information, "Hi"), output);

        Assert.EndsWith("}\r\n", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Null_arguments_are_rejected()
    {
        var formatter = new ClefFormatter();

        Assert.Throws<ArgumentNullException>(() => formatter.Format(null!, new StringWriter()));
        Assert.Throws<ArgumentNullException>(() => formatter.Format(Events.Create(ReadmeTime, LogEventLevel.Information, "Hi"), null!));
    }

    // ---- Helpers ----

    private static readonly LogEventLevel[] AllLevels =
    {
        LogEventLevel.Verbose, LogEventLevel.Debug, LogEventLevel.Information,
        LogEventLevel.Warning, LogEventLevel.Error, LogEventLevel.Fatal,
    };

    private static LogEvent SensorEvent() => Events.Create(
        ReadmeTime,
        LogEventLevel.Information,
        "Processed {@SensorInput} in {TimeMS:000} ms",
        new { Latitude = 25, Longitude = 134 },
        34);

    private static LogEvent EverythingEvent() => Events.WithTrace(
        Events.Create(ReadmeTime, LogEventLevel.Error, new FixedTextException("System.IO.IOException: Disk full"),
            "Upload of {File} took {Elapsed:000} ms", "a.txt", 7),
        TraceId,
        SpanId);

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute, int second, long ticks) =>
        new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).AddTicks(ticks);

    private static string Format(LogEvent logEvent, bool renderMessage = false) =>
        Format(new ClefFormatter(renderMessage), logEvent);

    private static string Format(ClefFormatter formatter, params LogEvent[] logEvents)
    {
        // "\n" so snapshots read the same on every OS; CRLF is covered separately.
        var output = new StringWriter { NewLine = "\n" };
        foreach (LogEvent logEvent in logEvents)
        {
            formatter.Format(logEvent, output);
        }

        return output.ToString();
    }

    private static JsonDocument Parse(string line) => JsonDocument.Parse(line);

    private sealed record Coordinates(int Latitude, int Longitude);

    // Exception.ToString() includes stack traces and type names that vary; the documented
    // examples need a fixed text.
    private sealed class FixedTextException : Exception
    {
        private readonly string _text;

        public FixedTextException(string text)
            : base(text)
        {
            _text = text;
        }

        public override string ToString() => _text;
    }
}
