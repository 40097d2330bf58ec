using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Sinks.Mmap.Tool.Commands;
using Sinks.Mmap.Tool.Output;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

public sealed class CatTests
{
    public static IEnumerable<object[]> Producers() => LogProducer.All();

    [Theory]
    [MemberData(nameof(Producers))]
    internal void Cat_as_clef_prints_every_event_in_order_with_every_field_as_written(LogProducer producer)
    {
        using var folder = new TempFolder();
        IReadOnlyList<ExpectedEvent> expected = producer.Write(folder.LogPath, 600, segmentSize: 16 * 1024);
        Assert.True(folder.Segments().Length > 1, "the log should span several segments");

        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--format", "clef");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        string[] lines = result.Lines;
        Assert.Equal(expected.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            AssertClef(expected[i], lines[i], producer.LoggerName);
        }
    }

    [Theory]
    [MemberData(nameof(Producers))]
    internal async System.Threading.Tasks.Task Cat_as_clef_writes_to_a_utf8_stream_exactly_the_lines_the_decoding_path_writes_with_filters_applied_alike(LogProducer producer)
    {
        using var folder = new TempFolder();
        producer.Write(folder.LogPath, 3000, segmentSize: 64 * 1024);
        string since = LogProducer.Start.AddSeconds(100).UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        foreach (string[] filter in new[] { Array.Empty<string>(), new[] { "--level", "Warning", "--since", since } })
        {
            // The reference: every event decoded and written by ClefEventOutput, as cat did before it rendered from record bytes.
            EventFilter reference = filter.Length == 0
                ? new EventFilter(null, null, null, null)
                : new EventFilter(MmapLevel.Warning, DateTimeOffset.Parse(since, CultureInfo.InvariantCulture), null, null);
            var expected = new StringWriter { NewLine = "\n" };
            var output = new ClefEventOutput();
            foreach (MmapEvent evt in new MmapLogReader(folder.LogPath).ReadEvents())
            {
                if (reference.Matches(evt)) output.Write(evt, expected);
            }

            var bytes = new MemoryStream();
            var stdout = new StreamWriter(bytes, new System.Text.UTF8Encoding(false), 1 << 10);
            string[] args = new[] { "cat", folder.LogPath, "--format", "clef" }.Concat(filter).ToArray();
            int exit = await Program.RunAsync(args, stdout, TextWriter.Null, System.Threading.CancellationToken.None);
            stdout.Flush();

            Assert.Equal(0, exit);
            Assert.True(bytes.Length > 1 << 16, "the output should span several flushes of the line buffer");
            Assert.Equal(expected.ToString(), System.Text.Encoding.UTF8.GetString(bytes.ToArray()));
            Assert.Equal(expected.ToString(), (await ToolRun.RunAsync(args, System.Threading.CancellationToken.None)).Stdout);
        }
    }

    internal static void AssertClef(ExpectedEvent e, string line, string? loggerName = null)
    {
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement root = doc.RootElement;
        Assert.Equal(e.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), root.GetProperty("@t").GetString());
        Assert.Equal(e.Template, root.GetProperty("@mt").GetString());
        if (e.Level == MmapLevel.Information) Assert.False(root.TryGetProperty("@l", out _));
        else Assert.Equal(e.Level.ToString(), root.GetProperty("@l").GetString());
        if (e.ExceptionMessage is { } message) Assert.Equal("System.InvalidOperationException: " + message, root.GetProperty("@x").GetString());
        else Assert.False(root.TryGetProperty("@x", out _));
        if (e.Template.Contains(":F1", StringComparison.Ordinal))
        {
            JsonElement renderings = root.GetProperty("@r");
            Assert.Equal(1, renderings.GetArrayLength());
            Assert.Equal(((double)e.Property("Elapsed")).ToString("F1", CultureInfo.InvariantCulture), renderings[0].GetString());
        }
        else
        {
            Assert.False(root.TryGetProperty("@r", out _));
        }
        foreach (KeyValuePair<string, object> p in e.Properties)
        {
            JsonElement value = root.GetProperty(p.Key);
            switch (p.Value)
            {
                case int n: Assert.Equal(n, value.GetInt32()); break;
                case double d: Assert.Equal(d, value.GetDouble()); break;
                case string s: Assert.Equal(s, value.GetString()); break;
            }
        }
        if (loggerName is not null) Assert.Equal(loggerName, root.GetProperty("SourceContext").GetString());
        int expectedFields = 2 + (e.Level == MmapLevel.Information ? 0 : 1) + (e.ExceptionMessage is null ? 0 : 1)
            + (e.Template.Contains(":F1", StringComparison.Ordinal) ? 1 : 0) + e.Properties.Count + (loggerName is null ? 0 : 1);
        Assert.Equal(expectedFields, root.EnumerateObject().Count());
    }

    [Theory]
    [MemberData(nameof(Producers))]
    internal void Cat_as_text_uses_the_file_sinks_default_template(LogProducer producer)
    {
        using var folder = new TempFolder();
        producer.Write(folder.LogPath, 20);

        ChildResult result = ToolRun.Run("cat", folder.LogPath);

        Assert.Equal(0, result.ExitCode);
        string[] lines = result.Lines;
        Assert.Equal("2026-01-01 00:00:00.000 +00:00 [VRB] Order 0 from customer-0 took 0.0 ms", lines[0]);
        Assert.Equal("2026-01-01 00:00:03.000 +00:00 [WRN] Cache miss for key-3", lines[3]);
        // Event 9 has an exception: its text follows the message line.
        Assert.Equal("2026-01-01 00:00:09.000 +00:00 [WRN] Order 9 from customer-2 took 4.5 ms", lines[9]);
        Assert.Equal("System.InvalidOperationException: boom 9", lines[10]);
        Assert.Equal(22, lines.Length); // 20 events, 2 with an exception
    }

    [Fact]
    public void Cat_reads_the_same_events_from_the_writer_path_the_folder_and_the_segment_files()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 400, segmentSize: 16 * 1024);

        string viaWriterPath = ToolRun.Run("cat", folder.LogPath, "--format", "clef").Stdout;
        string viaFolder = ToolRun.Run("cat", folder.Path, "--format", "clef").Stdout;
        string viaSegments = string.Concat(folder.Segments().OrderBy(p => p, StringComparer.Ordinal)
            .Select(segment => ToolRun.Run("cat", segment, "--format", "clef").Stdout));

        Assert.Equal(400, viaWriterPath.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(viaWriterPath, viaFolder);
        Assert.Equal(viaWriterPath, viaSegments);
    }

    [Fact]
    public void Cat_with_an_output_template_formats_each_event_through_it()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 4);

        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--output-template", "{Level:u3} {OrderId} {Message}{NewLine}");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("VRB 0 Order 0 from \"customer-0\" took 0.0 ms", result.Lines[0]);
        Assert.Equal("WRN  Cache miss for \"key-3\"", result.Lines[3]);
    }

    [Theory]
    [MemberData(nameof(Producers))]
    internal void Cat_as_json_writes_one_neutral_event_object_a_line(LogProducer producer)
    {
        using var folder = new TempFolder();
        IReadOnlyList<ExpectedEvent> expected = producer.Write(folder.LogPath, 30);

        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--format", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(30, result.Lines.Length);
        long previous = 0;
        for (int i = 0; i < 30; i++)
        {
            using JsonDocument doc = JsonDocument.Parse(result.Lines[i]);
            JsonElement root = doc.RootElement;
            long sequence = root.GetProperty("sequence").GetInt64();
            Assert.True(sequence > previous);
            previous = sequence;
            Assert.Equal(expected[i].Timestamp, DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture));
            Assert.Equal(expected[i].Level.ToString(), root.GetProperty("level").GetString());
            Assert.Equal(expected[i].Template, root.GetProperty("template").GetString());
            Assert.True(LogPosition.TryParse(root.GetProperty("position").GetString(), out _));
            JsonElement properties = root.GetProperty("properties");
            foreach (KeyValuePair<string, object> p in expected[i].Properties)
            {
                Assert.Equal(Convert.ToString(p.Value, CultureInfo.InvariantCulture), properties.GetProperty(p.Key).ToString());
            }
            if (expected[i].ExceptionMessage is { } message)
            {
                Assert.Equal(message, root.GetProperty("exception").GetProperty("message").GetString());
            }
        }
        Assert.Equal("Order 0 from \"customer-0\" took 0.0 ms", JsonDocument.Parse(result.Lines[0]).RootElement.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("Warning")]
    [InlineData("warn")]
    [InlineData("WRN")]
    public void Cat_with_a_minimum_level_prints_only_events_at_or_above_it_under_Serilog_and_NLog_names(string level)
    {
        using var folder = new TempFolder();
        IReadOnlyList<ExpectedEvent> expected = new CoreProducer().Write(folder.LogPath, 60);

        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--level", level);

        Assert.Equal(0, result.ExitCode);
        ExpectedEvent[] wanted = expected.Where(e => e.Level >= MmapLevel.Warning).ToArray();
        Assert.Equal(wanted.Length, result.Lines.Length);
        for (int i = 0; i < wanted.Length; i++) AssertClef(wanted[i], result.Lines[i]);
    }

    [Fact]
    public void Cat_with_NLog_level_names_accepts_Trace_and_Info()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 12);

        Assert.Equal(12, ToolRun.Run("cat", folder.LogPath, "--level", "Trace").Lines.Length - 1); // + the exception line of event 9
        Assert.Equal(8, ToolRun.Run("cat", folder.LogPath, "--level", "Info", "--format", "clef").Lines.Length);
    }

    [Fact]
    public void Cat_with_since_and_until_prints_the_events_in_that_half_open_time_range()
    {
        using var folder = new TempFolder();
        IReadOnlyList<ExpectedEvent> expected = new CoreProducer().Write(folder.LogPath, 100);

        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--format", "clef",
            "--since", "2026-01-01T00:00:10Z", "--until", "2026-01-01T01:00:20+01:00");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(10, result.Lines.Length);
        for (int i = 0; i < 10; i++) AssertClef(expected[10 + i], result.Lines[i]);
    }

    [Fact]
    public void Cat_with_grep_matches_the_rendered_message()
    {
        using var folder = new TempFolder();
        IReadOnlyList<ExpectedEvent> expected = new SerilogProducer().Write(folder.LogPath, 100);

        // "took 2.5 ms" only exists in the rendered message ({Elapsed:F1}), not in the template.
        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--grep", "took 2.5 ms");

        Assert.Equal(0, result.ExitCode);
        AssertClef(expected[5], Assert.Single(result.Lines));
    }

    [Fact]
    public void Cat_from_a_saved_position_resumes_exactly_after_the_last_printed_event()
    {
        using var folder = new TempFolder();
        string positionFile = folder.File("pos.txt");
        new CoreProducer().Write(folder.LogPath, 300, segmentSize: 8 * 1024);

        // Stop at event 123 (by time), save the position, then resume from the file.
        ChildResult first = ToolRun.Run("cat", folder.LogPath, "--format", "json", "--until", "2026-01-01T00:02:04Z", "--save-position", positionFile);
        Assert.Equal(124, first.Lines.Length);
        Assert.True(LogPosition.TryParse(File.ReadAllText(positionFile), out _));

        ChildResult second = ToolRun.Run("cat", folder.LogPath, "--format", "json", "--from", positionFile, "--save-position", positionFile);
        Assert.Equal(176, second.Lines.Length);

        // A writer adds a second batch; resuming prints exactly that batch.
        new CoreProducer().Write(folder.LogPath, 50, segmentSize: 8 * 1024);
        ChildResult third = ToolRun.Run("cat", folder.LogPath, "--format", "json", "--from", positionFile, "--save-position", positionFile);
        Assert.Equal(50, third.Lines.Length);

        ChildResult fourth = ToolRun.Run("cat", folder.LogPath, "--format", "json", "--from", positionFile);
        Assert.Empty(fourth.Lines);

        long[] sequences = first.Lines.Concat(second.Lines).Concat(third.Lines).Select(Sequence).ToArray();
        long[] all = ToolRun.Run("cat", folder.LogPath, "--format", "json").Lines.Select(Sequence).ToArray();
        Assert.Equal(350, all.Length);
        Assert.Equal(all, sequences);
    }

    [Fact]
    public void Cat_from_a_position_given_as_text_starts_after_it()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 40);
        string[] all = ToolRun.Run("cat", folder.LogPath, "--format", "json").Lines;
        string position = JsonDocument.Parse(all[9]).RootElement.GetProperty("position").GetString()!;

        ChildResult rest = ToolRun.Run("cat", folder.LogPath, "--format", "json", "--from", position);

        Assert.Equal(all.Skip(10).ToArray(), rest.Lines);
    }

    [Fact]
    public void Cat_renders_the_raw_template_when_a_property_format_is_invalid_and_keeps_going()
    {
        using var folder = new TempFolder();
        using (var writer = new MmapLogWriter(new MmapLogOptions { Path = folder.LogPath, SegmentSizeBytes = 64 * 1024 }))
        {
            var bad = new BadFormatEvent("Value {Number:Q9} is bad", 5);
            writer.Append(LogProducer.Start.UtcTicks, MmapLevel.Information, ref bad);
            var good = new BadFormatEvent("Value {Number} is good", 6);
            writer.Append(LogProducer.Start.UtcTicks, MmapLevel.Information, ref good);
        }

        ChildResult text = ToolRun.Run("cat", folder.LogPath);
        ChildResult clef = ToolRun.Run("cat", folder.LogPath, "--format", "clef");
        ChildResult json = ToolRun.Run("cat", folder.LogPath, "--format", "json");

        Assert.Equal(0, text.ExitCode);
        Assert.EndsWith("Value {Number:Q9} is bad", text.Lines[0]);
        Assert.EndsWith("Value 6 is good", text.Lines[1]);
        Assert.Equal(2, clef.Lines.Length);
        Assert.Equal("Value {Number:Q9} is bad", JsonDocument.Parse(clef.Lines[0]).RootElement.GetProperty("@m").GetString());
        Assert.Equal(5, JsonDocument.Parse(clef.Lines[0]).RootElement.GetProperty("Number").GetInt32());
        Assert.Equal("Value {Number:Q9} is bad", JsonDocument.Parse(json.Lines[0]).RootElement.GetProperty("message").GetString());
        Assert.Equal("", text.Stderr + clef.Stderr + json.Stderr);
    }

    [Theory]
    [InlineData("Wide {Number,2000000000}")]
    [InlineData("Precise {Number:D999999999}")]
    public void Cat_shows_a_hostile_template_that_would_render_gigabytes_raw_and_quickly(string template)
    {
        using var folder = new TempFolder();
        using (var writer = new MmapLogWriter(new MmapLogOptions { Path = folder.LogPath, SegmentSizeBytes = 64 * 1024 }))
        {
            var hostile = new BadFormatEvent(template, 5);
            writer.Append(LogProducer.Start.UtcTicks, MmapLevel.Information, ref hostile);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();

        ChildResult text = ToolRun.Run("cat", folder.LogPath);
        ChildResult clef = ToolRun.Run("cat", folder.LogPath, "--format", "clef");
        ChildResult json = ToolRun.Run("cat", folder.LogPath, "--format", "json");
        ChildResult grep = ToolRun.Run("cat", folder.LogPath, "--grep", "nothing");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.EndsWith(template, text.Lines[0]);
        Assert.Equal(template, JsonDocument.Parse(clef.Lines[0]).RootElement.GetProperty("@m").GetString());
        Assert.Equal(template, JsonDocument.Parse(json.Lines[0]).RootElement.GetProperty("message").GetString());
        Assert.Empty(grep.Lines);
    }

    internal static long Sequence(string jsonLine) => JsonDocument.Parse(jsonLine).RootElement.GetProperty("sequence").GetInt64();

    private readonly struct BadFormatEvent : IEventPayload
    {
        private readonly string _template;
        private readonly int _number;

        public BadFormatEvent(string template, int number)
        {
            _template = template;
            _number = number;
        }

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = _template, PropertyCount = 1 });
            writer.WritePropertyName("Number");
            writer.WriteInt32(_number);
        }
    }
}
