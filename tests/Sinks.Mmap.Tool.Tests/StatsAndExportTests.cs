using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

public sealed class StatsAndExportTests
{
    public static IEnumerable<object[]> Producers() => LogProducer.All();

    [Theory]
    [MemberData(nameof(Producers))]
    internal void Stats_counts_events_by_level_and_template_and_compares_bytes_with_clef(LogProducer producer)
    {
        using var folder = new TempFolder();
        producer.Write(folder.LogPath, 600, segmentSize: 16 * 1024);

        ChildResult json = ToolRun.Run("stats", folder.LogPath, "--json", "--top", "5");
        ChildResult text = ToolRun.Run("stats", folder.LogPath);

        Assert.Equal(0, json.ExitCode);
        JsonElement root = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal(folder.Segments().Length, root.GetProperty("segments").GetInt32());
        Assert.Equal(folder.Segments().Sum(p => new FileInfo(p).Length), root.GetProperty("segmentBytes").GetInt64());
        Assert.Equal(600, root.GetProperty("events").GetInt64());
        foreach (JsonProperty level in root.GetProperty("levels").EnumerateObject()) Assert.Equal(100, level.Value.GetInt64());
        Assert.Equal("2026-01-01T00:00:00.0000000+00:00", root.GetProperty("first").GetString());
        Assert.Equal("2026-01-01T00:09:59.0000000+00:00", root.GetProperty("last").GetString());
        JsonElement[] byCount = root.GetProperty("topByCount").EnumerateArray().ToArray();
        Assert.Equal(2, byCount.Length);
        Assert.Equal("Order {OrderId} from {Customer} took {Elapsed:F1} ms", byCount[0].GetProperty("template").GetString());
        Assert.Equal(450, byCount[0].GetProperty("count").GetInt64());
        Assert.Equal(150, byCount[1].GetProperty("count").GetInt64());
        Assert.True(root.GetProperty("clefBytes").GetInt64() > root.GetProperty("eventBytes").GetInt64());
        long clef = ToolRun.Run("cat", folder.LogPath, "--format", "clef").Stdout.Length; // ASCII only
        Assert.Equal(clef, root.GetProperty("clefBytes").GetInt64());

        Assert.Equal(0, text.ExitCode);
        Assert.Contains("events:        600", text.Stdout);
        Assert.Contains("as CLEF", text.Stdout);
        Assert.Contains("top templates by bytes:", text.Stdout);
    }

    [Theory]
    [MemberData(nameof(Producers))]
    internal void Export_as_clef_writes_the_same_lines_as_cat_to_the_file(LogProducer producer)
    {
        using var folder = new TempFolder();
        producer.Write(folder.LogPath, 300, segmentSize: 16 * 1024);
        string output = folder.File("out.clef");

        ChildResult result = ToolRun.Run("export", folder.LogPath, "--format", "clef", "-o", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal("", result.Stderr); // redirected: no progress bar
        Assert.Equal(ToolRun.Run("cat", folder.LogPath, "--format", "clef").Stdout, File.ReadAllText(output));
    }

    [Fact]
    public void Export_as_text_with_filters_writes_what_cat_prints()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 100);
        string output = folder.File("out.txt");

        ChildResult result = ToolRun.Run("export", folder.LogPath, "--format", "text", "--level", "Error", "-o", output);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(ToolRun.Run("cat", folder.LogPath, "--level", "Error").Stdout, File.ReadAllText(output));
    }
}
