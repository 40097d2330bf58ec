using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Sinks.Mmap.Tool.Commands;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Sinks.Mmap.Tool.Output;

/// <summary>Writes <see cref="LogStats"/> as text or as one JSON object.</summary>
internal static class StatsOutput
{
    private static readonly string[] LevelNames = { "Verbose", "Debug", "Information", "Warning", "Error", "Fatal" };

    /// <summary>The level colours of the chart, as <c>cat</c> colours levels.</summary>
    private static readonly Color[] LevelColours = { Color.Grey, Color.Silver, Color.Green, Color.Yellow, Color.Red, Color.Maroon };

    /// <summary>
    /// The statistics as text, then the events per time bucket by level: on a terminal as a chart (a bar a
    /// bucket, split by level; Spectre.Console), otherwise one line a bucket with its counts by level.
    /// </summary>
    public static void WriteText(LogStats s, int top, TextWriter o, int? bucket = null, ToolContext? terminal = null)
    {
        WriteSummary(s, top, o);
        (string size, List<(DateTimeOffset Start, long[] Counts)> buckets) = s.Timeline.Buckets(bucket);
        if (buckets.Count == 0) return;
        TimeZoneInfo zone = terminal?.TimeZone ?? TimeZoneInfo.Local;
        o.WriteLine(I($"events per {size} (local time, {LevelAbbreviations()}):"));
        if (terminal is { StdoutIsTerminal: true })
        {
            WriteChart(buckets, o, terminal, zone);
            return;
        }
        foreach ((DateTimeOffset start, long[] counts) in buckets)
        {
            o.WriteLine(I($"  {Label(start, zone)}  {Sum(counts),10:N0}  {string.Join(' ', counts.Select(c => c.ToString(CultureInfo.InvariantCulture)))}"));
        }
    }

    private static string LevelAbbreviations() => "counts: total, then " + string.Join(' ', LevelNames);

    private static string Label(DateTimeOffset start, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(start, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static long Sum(long[] counts)
    {
        long sum = 0;
        foreach (long c in counts) sum += c;
        return sum;
    }

    private static void WriteChart(List<(DateTimeOffset Start, long[] Counts)> buckets, TextWriter o, ToolContext context, TimeZoneInfo zone)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(o),
            Ansi = context.UseColour ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = context.UseColour ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        int width = Math.Max(40, context.TerminalWidth);
        console.Profile.Width = width;
        long max = 1;
        foreach ((_, long[] counts) in buckets) max = Math.Max(max, Sum(counts));
        int barWidth = Math.Max(10, width - 19 - 14);
        var grid = new Grid();
        grid.AddColumn(new GridColumn().NoWrap());
        grid.AddColumn(new GridColumn().NoWrap().RightAligned());
        grid.AddColumn(new GridColumn().NoWrap());
        foreach ((DateTimeOffset start, long[] counts) in buckets)
        {
            long total = Sum(counts);
            IRenderable bar = new Text("");
            if (total > 0)
            {
                var chart = new BreakdownChart().HideTags().Width((int)Math.Max(1, barWidth * total / max));
                for (int i = 0; i < counts.Length; i++)
                {
                    if (counts[i] > 0) chart.AddItem(LevelNames[i], counts[i], LevelColours[i]);
                }
                bar = chart;
            }
            grid.AddRow(new Text(Label(start, zone)), new Text(total.ToString("N0", CultureInfo.InvariantCulture)), bar);
        }
        console.Write(grid);
        var legend = new StringBuilder("  ");
        for (int i = 0; i < LevelNames.Length; i++)
        {
            legend.Append('[').Append(LevelColours[i].ToMarkup()).Append("]█ ").Append(LevelNames[i]).Append("[/]  ");
        }
        console.MarkupLine(legend.ToString());
    }

    private static void WriteSummary(LogStats s, int top, TextWriter o)
    {
        o.WriteLine(I($"segments:      {s.Segments} ({s.SegmentBytes:N0} bytes on disk)") +
            (s.CompressedSegments > 0 ? I($"; {s.CompressedSegments} compressed, holding {s.ContentBytes:N0} bytes ({Ratio(s.SegmentBytes, s.ContentBytes)} on disk)") : ""));
        o.WriteLine(I($"records:       {s.Records:N0} ({s.RecordBytes:N0} bytes)"));
        o.WriteLine(I($"events:        {s.Events:N0}") + (s.Undecodable > 0 ? I($" ({s.Undecodable} undecodable)") : ""));
        for (int i = 0; i < LevelNames.Length; i++)
        {
            if (s.ByLevel[i] > 0) o.WriteLine(I($"  {LevelNames[i],-12} {s.ByLevel[i],12:N0}"));
        }
        if (s.First is { } first && s.Last is { } last)
        {
            o.WriteLine(I($"time range:    {first:O} .. {last:O} ({(last - first).ToString("c", CultureInfo.InvariantCulture)})"));
        }
        if (s.Events > 0)
        {
            o.WriteLine(I($"bytes/event:   {PerEvent(s.EventBytes, s.Events):F1} in records, {PerEvent(s.SegmentBytes, s.Events):F1} on disk, {PerEvent(s.ClefBytes, s.Events):F1} as CLEF ({Ratio(s.EventBytes, s.ClefBytes)} of CLEF)"));
        }
        if (top > 0 && s.Templates.Count > 0)
        {
            o.WriteLine("top templates by count:");
            foreach (TemplateStats t in ByCount(s, top)) o.WriteLine(I($"  {t.Count,12:N0}  {Short(t.Template)}"));
            o.WriteLine("top templates by bytes:");
            foreach (TemplateStats t in ByBytes(s, top)) o.WriteLine(I($"  {t.Bytes,12:N0}  {Short(t.Template)}"));
        }
    }

    public static void WriteJson(LogStats s, int top, TextWriter output, int? bucket = null)
    {
        using var stream = new MemoryStream();
        // Relaxed escaping: offsets and paths keep their '+' ("+00:00", not "\u002B00:00").
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("segments", s.Segments);
            json.WriteNumber("segmentBytes", s.SegmentBytes);
            json.WriteNumber("contentBytes", s.ContentBytes);
            json.WriteNumber("compressedSegments", s.CompressedSegments);
            json.WriteNumber("records", s.Records);
            json.WriteNumber("recordBytes", s.RecordBytes);
            json.WriteNumber("events", s.Events);
            json.WriteNumber("eventBytes", s.EventBytes);
            json.WriteNumber("clefBytes", s.ClefBytes);
            json.WriteNumber("undecodable", s.Undecodable);
            json.WriteStartObject("levels");
            for (int i = 0; i < LevelNames.Length; i++) json.WriteNumber(LevelNames[i], s.ByLevel[i]);
            json.WriteEndObject();
            if (s.First is { } first) json.WriteString("first", first.ToString("O", CultureInfo.InvariantCulture));
            else json.WriteNull("first");
            if (s.Last is { } last) json.WriteString("last", last.ToString("O", CultureInfo.InvariantCulture));
            else json.WriteNull("last");
            WriteTemplates(json, "topByCount", ByCount(s, top));
            WriteTemplates(json, "topByBytes", ByBytes(s, top));
            (string size, List<(DateTimeOffset Start, long[] Counts)> buckets) = s.Timeline.Buckets(bucket);
            json.WriteStartObject("timeline");
            json.WriteString("bucket", size);
            json.WriteStartArray("buckets");
            foreach ((DateTimeOffset start, long[] counts) in buckets)
            {
                json.WriteStartObject();
                json.WriteString("start", start.ToString("O", CultureInfo.InvariantCulture));
                json.WriteNumber("events", Sum(counts));
                json.WriteStartObject("levels");
                for (int i = 0; i < LevelNames.Length; i++) json.WriteNumber(LevelNames[i], counts[i]);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        output.Write(Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length));
        output.Write('\n');
    }

    private static void WriteTemplates(Utf8JsonWriter json, string name, IEnumerable<TemplateStats> templates)
    {
        json.WriteStartArray(name);
        foreach (TemplateStats t in templates)
        {
            json.WriteStartObject();
            json.WriteString("template", t.Template);
            json.WriteNumber("count", t.Count);
            json.WriteNumber("bytes", t.Bytes);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static IEnumerable<TemplateStats> ByCount(LogStats s, int top) =>
        s.Templates.Values.OrderByDescending(t => t.Count).ThenBy(t => t.Template, StringComparer.Ordinal).Take(top);

    private static IEnumerable<TemplateStats> ByBytes(LogStats s, int top) =>
        s.Templates.Values.OrderByDescending(t => t.Bytes).ThenBy(t => t.Template, StringComparer.Ordinal).Take(top);

    private static double PerEvent(long bytes, long events) => events == 0 ? 0 : (double)bytes / events;

    private static string Ratio(long part, long whole) => whole == 0 ? "-" : (100.0 * part / whole).ToString("F0", CultureInfo.InvariantCulture) + "%";

    private static string Short(string template)
    {
        string line = template.ReplaceLineEndings(" ");
        return line.Length <= 100 ? line : line.Substring(0, 97) + "...";
    }

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
