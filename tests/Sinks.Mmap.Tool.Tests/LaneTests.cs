using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>A log two writers shared (lanes app-… and app~2-…) is one log to every mmaplog command.</summary>
public sealed class LaneTests
{
    private static readonly long T0 = new System.DateTime(2026, 11, 21, 10, 0, 0, System.DateTimeKind.Utc).Ticks;

    /// <summary>Two writers on one path taking turns; event n is stamped T0 + n seconds and says "Event n".</summary>
    private static void WriteTwoLanes(string path, int count)
    {
        using var first = new MmapLogWriter(new MmapLogOptions { Path = path, SegmentSizeBytes = 8192, RetainedFileCountLimit = null });
        using var second = new MmapLogWriter(new MmapLogOptions { Path = path, SegmentSizeBytes = 8192, RetainedFileCountLimit = null });
        Assert.Equal(2, second.Lane);
        for (int i = 0; i < count; i++)
        {
            var e = new NumberedEvent(i);
            Assert.True((i % 5 < 2 ? second : first).Append(T0 + i * System.TimeSpan.TicksPerSecond, MmapLevel.Information, ref e));
        }
    }

    private static List<int> Numbers(IEnumerable<string> lines) =>
        lines.Select(l => int.Parse(l.Substring(l.LastIndexOf(' ') + 1).Trim('"', '}'), System.Globalization.CultureInfo.InvariantCulture)).ToList();

    [Fact]
    public void Cat_prints_both_lanes_merged_in_time_order_as_text_and_clef()
    {
        using var folder = new TempFolder();
        WriteTwoLanes(folder.LogPath, 300);
        Assert.True(File.Exists(folder.File("app~2-000001.mlog")));
        ChildResult text = ToolRun.Run("cat", folder.LogPath);
        Assert.Equal(0, text.ExitCode);
        Assert.Equal("", text.Stderr);
        Assert.Equal(Enumerable.Range(0, 300), Numbers(text.Lines));
        // CLEF renders straight from the records' bytes, through another reading path.
        ChildResult clef = ToolRun.Run("cat", folder.LogPath, "--format", "clef");
        Assert.Equal(0, clef.ExitCode);
        Assert.Equal(Enumerable.Range(0, 300), clef.Lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("N").GetInt32()));
    }

    [Fact]
    public void A_saved_position_resumes_both_lanes_exactly_where_the_last_run_stopped()
    {
        using var folder = new TempFolder();
        WriteTwoLanes(folder.LogPath, 200);
        string position = folder.File("position.txt");
        ChildResult first = ToolRun.Run("cat", folder.LogPath, "--until", new System.DateTime(T0 + 100 * System.TimeSpan.TicksPerSecond, System.DateTimeKind.Utc).ToString("o"), "--save-position", position);
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(Enumerable.Range(0, 100), Numbers(first.Lines));
        Assert.Contains("app~2@", File.ReadAllText(position));

        ChildResult rest = ToolRun.Run("cat", folder.LogPath, "--from", position, "--format", "clef");
        Assert.Equal(0, rest.ExitCode);
        Assert.Equal(Enumerable.Range(100, 100), rest.Lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("N").GetInt32()));
    }

    [Fact]
    public void Verify_finds_a_two_lane_log_clean_and_stats_counts_both_lanes()
    {
        using var folder = new TempFolder();
        WriteTwoLanes(folder.LogPath, 400);
        ChildResult verify = ToolRun.Run("verify", folder.LogPath);
        Assert.Equal(0, verify.ExitCode);
        ChildResult stats = ToolRun.Run("stats", folder.LogPath, "--json");
        Assert.Equal(0, stats.ExitCode);
        JsonElement root = JsonDocument.Parse(stats.Stdout).RootElement;
        Assert.Equal(400, root.GetProperty("events").GetInt64());
        Assert.Equal(Directory.GetFiles(folder.Path, "app*-*.mlog").Length, root.GetProperty("segments").GetInt32());
    }
}
