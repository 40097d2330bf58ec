using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>A log whose sealed segments were compressed (FORMAT.md, Compressed segments) is the same log to every mmaplog command.</summary>
public sealed class CompressedLogTests
{
    private static readonly long T0 = new System.DateTime(2026, 12, 5, 10, 0, 0, System.DateTimeKind.Utc).Ticks;

    /// <summary>
    /// Event n is stamped T0 + n seconds and says "Event n", written with sealed segments compressed; a
    /// second writer compresses the segment the first sealed on closing, and seals one plain segment of its own.
    /// </summary>
    private static void WriteCompressed(TempFolder folder, int count)
    {
        var options = new MmapLogOptions { Path = folder.LogPath, SegmentSizeBytes = 16384, RetainedFileCountLimit = null, CompressSealedSegments = true };
        using (var writer = new MmapLogWriter(options))
        {
            for (int i = 0; i < count; i++)
            {
                var e = new NumberedEvent(i);
                Assert.True(writer.Append(T0 + i * System.TimeSpan.TicksPerSecond, MmapLevel.Information, ref e));
            }
        }
        using (new MmapLogWriter(options))
        {
            // Left plain: the segment being written and the one prepared next.
            System.DateTime deadline = System.DateTime.UtcNow.AddSeconds(30);
            while (Directory.GetFiles(folder.Path, "app-*.mlog").Length > 2)
            {
                Assert.True(System.DateTime.UtcNow < deadline, "compression did not catch up");
                System.Threading.Thread.Sleep(20);
            }
        }
        Assert.True(Directory.GetFiles(folder.Path, "app-*.mlogz").Length >= 5);
    }

    private static List<int> Numbers(IEnumerable<string> lines) =>
        lines.Select(l => int.Parse(l.Substring(l.LastIndexOf(' ') + 1).Trim('"', '}'), System.Globalization.CultureInfo.InvariantCulture)).ToList();

    private static string At(int seconds) => new System.DateTime(T0 + seconds * System.TimeSpan.TicksPerSecond, System.DateTimeKind.Utc).ToString("o");

    [Fact]
    public void Cat_tail_since_and_clef_read_a_compressed_log_as_the_log_it_was()
    {
        using var folder = new TempFolder();
        WriteCompressed(folder, 2000);
        ChildResult text = ToolRun.Run("cat", folder.LogPath);
        Assert.Equal(0, text.ExitCode);
        Assert.Equal("", text.Stderr);
        Assert.Equal(Enumerable.Range(0, 2000), Numbers(text.Lines));
        ChildResult clef = ToolRun.Run("cat", folder.LogPath, "--format", "clef");
        Assert.Equal(Enumerable.Range(0, 2000), clef.Lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("N").GetInt32()));
        ChildResult tail = ToolRun.Run("cat", folder.LogPath, "--tail", "25", "--no-pager");
        Assert.Equal(Enumerable.Range(1975, 25), Numbers(tail.Lines));
        ChildResult since = ToolRun.Run("cat", folder.LogPath, "--since", At(1234), "--until", At(1300));
        Assert.True(since.ExitCode == 0 && since.Lines.Length > 0, since.Stderr + " / " + string.Join(" ", Directory.GetFiles(folder.Path).Select(Path.GetFileName)));
        Assert.Equal(1234, Numbers(since.Lines).First());
        Assert.Contains(1299, Numbers(since.Lines));
    }

    [Fact]
    public void Verify_passes_a_compressed_log_and_names_a_damaged_block_and_stats_shows_both_sizes()
    {
        using var folder = new TempFolder();
        WriteCompressed(folder, 2000);
        ChildResult verify = ToolRun.Run("verify", folder.LogPath);
        Assert.Equal(0, verify.ExitCode);
        ChildResult stats = ToolRun.Run("stats", folder.LogPath, "--json");
        Assert.Equal(0, stats.ExitCode);
        JsonElement root = JsonDocument.Parse(stats.Stdout).RootElement;
        int segments = Directory.GetFiles(folder.Path, "app-*.mlogz").Length;
        Assert.Contains("compressed, holding", ToolRun.Run("stats", folder.LogPath).Stdout);
        Assert.Equal(segments, root.GetProperty("compressedSegments").GetInt32());
        Assert.True(root.GetProperty("contentBytes").GetInt64() > 2 * root.GetProperty("segmentBytes").GetInt64());

        string victim = Directory.GetFiles(folder.Path, "app-*.mlogz").OrderBy(f => f, System.StringComparer.Ordinal).First();
        byte[] bytes = File.ReadAllBytes(victim);
        bytes[64 + 10] ^= 0xFF; // inside the first block
        File.WriteAllBytes(victim, bytes);
        ChildResult damaged = ToolRun.Run("verify", folder.LogPath);
        Assert.NotEqual(0, damaged.ExitCode);
        Assert.Contains("compressed block 0 fails its CRC", damaged.Stdout + damaged.Stderr);
        ChildResult cat = ToolRun.Run("cat", folder.LogPath);
        Assert.NotEqual("", cat.Stderr);
        Assert.Equal(1999, Numbers(cat.Lines).Last());
    }
}
