using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

public sealed class VerifyTests
{
    public static IEnumerable<object[]> Producers() => LogProducer.All();

    [Theory]
    [MemberData(nameof(Producers))]
    internal void Verify_of_a_clean_log_reports_every_segment_and_exits_0(LogProducer producer)
    {
        using var folder = new TempFolder();
        producer.Write(folder.LogPath, 500, segmentSize: 16 * 1024);
        int segments = folder.Segments().Length;

        ChildResult text = ToolRun.Run("verify", folder.LogPath);
        ChildResult json = ToolRun.Run("verify", folder.LogPath, "--json");

        Assert.Equal(0, text.ExitCode);
        Assert.Contains("readable", text.Lines[^1]);
        Assert.Contains("500 events", text.Lines[^1]);
        Assert.Equal(0, json.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(json.Stdout);
        Assert.True(doc.RootElement.GetProperty("clean").GetBoolean());
        JsonElement[] reports = doc.RootElement.GetProperty("segments").EnumerateArray().ToArray();
        Assert.Equal(segments, reports.Length);
        Assert.All(reports, r => Assert.True(r.GetProperty("sealed").GetBoolean()));
        Assert.Equal(500, reports.Sum(r => r.GetProperty("events").GetInt64()));
        for (int i = 1; i < reports.Length; i++)
        {
            Assert.Equal(reports[i - 1].GetProperty("lastSequence").GetInt64() + 1, reports[i].GetProperty("firstSequence").GetInt64());
        }
    }

    [Fact]
    public void Verify_of_a_single_segment_file_checks_only_that_segment()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 500, segmentSize: 16 * 1024);
        string second = folder.Segments().OrderBy(p => p).ElementAt(1);

        ChildResult json = ToolRun.Run("verify", second, "--json");

        Assert.Equal(0, json.ExitCode);
        Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.GetProperty("segments").EnumerateArray());
    }

    [Fact]
    public void Verify_reports_a_flipped_byte_inside_a_record_as_corruption_and_exits_1()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 500, segmentSize: 16 * 1024);
        string first = folder.Segments().OrderBy(p => p).First();
        byte[] bytes = File.ReadAllBytes(first);
        bytes[4000] ^= 0x55;
        File.WriteAllBytes(first, bytes);

        ChildResult text = ToolRun.Run("verify", folder.LogPath);
        ChildResult json = ToolRun.Run("verify", folder.LogPath, "--json");

        Assert.Equal(1, text.ExitCode);
        Assert.Contains("CORRUPT", text.Stdout);
        Assert.Contains("corrupt ranges: 1", text.Stdout);
        Assert.Equal(1, json.ExitCode);
        JsonElement report = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("segments")[0];
        Assert.False(report.GetProperty("clean").GetBoolean());
        Assert.Equal(1, report.GetProperty("corruptRanges").GetArrayLength());
    }

    [Fact]
    public void Verify_treats_a_torn_tail_on_the_last_segment_as_readable_and_exits_0()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 500, segmentSize: 16 * 1024);
        string last = folder.Segments().OrderBy(p => p).Last();
        // Cut the last record in half: what a crash leaves when a write was in flight.
        long length = new FileInfo(last).Length;
        using (var stream = new FileStream(last, FileMode.Open)) stream.SetLength(length - 52);

        ChildResult text = ToolRun.Run("verify", folder.LogPath);
        ChildResult json = ToolRun.Run("verify", folder.LogPath, "--json");

        Assert.Equal(0, text.ExitCode);
        Assert.Contains("torn tail", text.Stdout);
        Assert.Contains("not sealed", text.Stdout);
        JsonElement report = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("segments").EnumerateArray().Last();
        Assert.Equal(JsonValueKind.Object, report.GetProperty("tornTail").ValueKind);
        Assert.True(report.GetProperty("clean").GetBoolean());
    }

    [Fact]
    public void Verify_reports_a_missing_middle_segment_as_a_gap_and_exits_1()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 500, segmentSize: 16 * 1024);
        string[] segments = folder.Segments().OrderBy(p => p).ToArray();
        Assert.True(segments.Length >= 3);
        // Replace segment 2's records with nothing but a valid header: its sequence numbers go missing.
        byte[] header = File.ReadAllBytes(segments[1]).Take(128).ToArray();
        File.WriteAllBytes(segments[1], header);

        ChildResult json = ToolRun.Run("verify", folder.LogPath, "--json");

        Assert.Equal(1, json.ExitCode);
        JsonElement gap = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.GetProperty("gapsBetweenSegments").EnumerateArray());
        Assert.Equal(segments[0], gap.GetProperty("after").GetString());
        Assert.Equal(segments[2], gap.GetProperty("before").GetString());
        Assert.Contains("gap between segments", ToolRun.Run("verify", folder.LogPath).Stdout);
    }

    [Fact]
    public void Verify_counts_the_unpublished_seal_of_a_segment_a_killed_writer_had_moved_past_as_lost_in_the_crash_and_exits_0()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 500, segmentSize: 16 * 1024);
        string[] segments = folder.Segments().OrderBy(p => p).ToArray();
        Assert.True(segments.Length >= 3);
        // Segment 1 as left by a writer killed while the thread that sealed it had not yet published the seal
        // (its length word and CRC still zero), another thread having gone on into segment 2: full size, unsealed.
        byte[] bytes = File.ReadAllBytes(segments[0]);
        bytes.AsSpan(bytes.Length - 32, 8).Clear();
        Array.Resize(ref bytes, 16 * 1024);
        File.WriteAllBytes(segments[0], bytes);

        ChildResult text = ToolRun.Run("verify", folder.LogPath);

        Assert.Equal(0, text.ExitCode);
        Assert.Contains("lost in crash: 1 sequence number(s)", text.Stdout);
        Assert.DoesNotContain("gap", text.Stdout);
    }
}
