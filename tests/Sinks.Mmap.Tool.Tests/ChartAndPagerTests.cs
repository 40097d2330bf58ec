using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>stats' events-over-time chart (and its JSON), and cat through a pager on a terminal.</summary>
public sealed class ChartAndPagerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static ChildResult RunOnTerminal(string? pager, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var context = new ToolContext(stdout, stderr) { StdoutIsTerminal = true, PagerCommand = pager, TimeZone = TimeZoneInfo.Utc, TerminalWidth = 100 };
        int code = Program.RunAsync(args, context, CancellationToken.None).GetAwaiter().GetResult();
        return new ChildResult(code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Stats_json_counts_events_per_time_bucket_by_level()
    {
        using var folder = new TempFolder();
        // 600 events a minute apart: 10 hours; levels cycle by 6.
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromMinutes(1), 600);
        JsonElement timeline = JsonDocument.Parse(ToolRun.Run("stats", folder.LogPath, "--json").Stdout).RootElement.GetProperty("timeline");
        Assert.Equal("15m", timeline.GetProperty("bucket").GetString());
        JsonElement[] buckets = timeline.GetProperty("buckets").EnumerateArray().ToArray();
        Assert.Equal(40, buckets.Length);
        Assert.Equal(T0, DateTimeOffset.Parse(buckets[0].GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(buckets, b => Assert.Equal(15, b.GetProperty("events").GetInt64()));
        Assert.Equal(600, buckets.Sum(b => b.GetProperty("levels").GetProperty("Error").GetInt64()) * 6);

        JsonElement hourly = JsonDocument.Parse(ToolRun.Run("stats", folder.LogPath, "--json", "--bucket", "1h").Stdout).RootElement.GetProperty("timeline");
        Assert.Equal(10, hourly.GetProperty("buckets").GetArrayLength());
        Assert.All(hourly.GetProperty("buckets").EnumerateArray(), b => Assert.Equal(10, b.GetProperty("levels").GetProperty("Fatal").GetInt64()));

        ChildResult bad = ToolRun.Run("stats", folder.LogPath, "--bucket", "2h");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--bucket: '2h' is not a bucket size; use one of 1s, 10s, 1m, 5m, 15m, 1h, 6h, 1d, 7d", bad.Stderr);
    }

    [Fact]
    public void Stats_draws_a_bar_a_bucket_on_a_terminal_and_plain_counts_otherwise()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromMinutes(1), 120);
        TimedLog.Write(folder.LogPath, T0.AddHours(3), TimeSpan.FromSeconds(1), 600, firstNumber: 120);

        ChildResult chart = RunOnTerminal(null, "stats", folder.LogPath, "--bucket", "1h");
        Assert.Equal(0, chart.ExitCode);
        string[] rows = chart.Lines.SkipWhile(l => !l.StartsWith("events per 1h")).Skip(1).ToArray();
        Assert.StartsWith("2026-11-21 10:00:00", rows[0]);
        Assert.Contains("60", rows[0]);
        Assert.Contains('█', rows[0]);
        // An hour with no events shows as an empty bar; the busiest hour has the longest.
        Assert.StartsWith("2026-11-21 12:00:00", rows[2]);
        Assert.DoesNotContain('█', rows[2]);
        Assert.True(rows[3].Count(c => c == '█') > 5 * rows[0].Count(c => c == '█'));
        Assert.Contains("Information", rows[^1]);

        ChildResult plain = ToolRun.Run("stats", folder.LogPath, "--bucket", "1h");
        Assert.Contains("  2026-11-21 13:00:00         600  100 100 100 100 100 100", plain.Lines);
        Assert.DoesNotContain('█', plain.Stdout);
    }

    [Fact]
    public void Cat_on_a_terminal_writes_through_the_pager_unless_no_pager_is_given()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromSeconds(1), 50);
        string paged = folder.File("paged.txt");

        ChildResult through = RunOnTerminal($"cat > '{paged}'", "cat", folder.LogPath);
        Assert.Equal(0, through.ExitCode);
        Assert.Equal("", through.Stdout);
        string[] lines = File.ReadAllLines(paged);
        Assert.Equal(50, lines.Length);
        // Colours by level reach the pager (less -R shows them).
        Assert.Contains("\u001b[", lines[4]);

        ChildResult direct = RunOnTerminal($"cat > '{paged}.2'", "cat", folder.LogPath, "--no-pager");
        Assert.Equal(50, direct.Lines.Length);
        Assert.False(File.Exists(paged + ".2"));

        // Not a terminal: never a pager.
        Assert.Equal(50, ToolRun.Run("cat", folder.LogPath).Lines.Length);
    }

    [Fact]
    public void Quitting_the_pager_early_ends_cat_quietly()
    {
        using var folder = new TempFolder();
        TimedLog.Write(folder.LogPath, T0, TimeSpan.FromSeconds(1), 20000, segmentSize: 1 << 20);
        ChildResult result = RunOnTerminal("head -c 100 > /dev/null", "cat", folder.LogPath);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
    }
}
