using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>
/// A reader never hides what it did not read: a path with no valid segment is an error (exit 2), and
/// what a read skips is said in one line on stderr, or fails the run with --strict.
/// </summary>
public sealed class LoudTests
{
    private static string[] StderrLines(ChildResult result) => result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Files that are not logs: what users point mmaplog at by mistake.</summary>
    private static string NotALog(TempFolder folder, string kind)
    {
        string path = folder.File(kind switch { "serilog" => "log20261121.txt", _ => "notalog.txt" });
        switch (kind)
        {
            case "text":
                File.WriteAllText(path, "just some text\nthat is not a log at all\n");
                break;
            case "random":
                var bytes = new byte[70_000];
                new Random(16).NextBytes(bytes);
                File.WriteAllBytes(path, bytes);
                break;
            case "empty":
                File.WriteAllBytes(path, Array.Empty<byte>());
                break;
            case "serilog":
                File.WriteAllText(path, string.Concat(Enumerable.Range(0, 200).Select(i =>
                    $"2026-11-21 10:00:{i % 60:00}.000 +00:00 [INF] Processed order {i} in 12 ms\n")));
                break;
        }
        return path;
    }

    [Theory]
    [InlineData("text", "cat")]
    [InlineData("random", "cat")]
    [InlineData("empty", "cat")]
    [InlineData("serilog", "cat")]
    [InlineData("text", "stats")]
    [InlineData("random", "stats")]
    [InlineData("empty", "verify")]
    [InlineData("serilog", "verify")]
    [InlineData("random", "verify")]
    [InlineData("serilog", "export")]
    [InlineData("random", "export")]
    public void Every_command_on_a_file_that_is_not_a_log_exits_2_with_one_line_saying_there_is_no_valid_segment(string kind, string command)
    {
        using var folder = new TempFolder();
        string path = NotALog(folder, kind);
        string[] args = command == "export" ? new[] { command, path, "-o", folder.File("out.clef") } : new[] { command, path };

        ChildResult result = ToolRun.Run(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.StartsWith($"mmaplog: error: no valid segment at '{path}'", Assert.Single(StderrLines(result)));
        Assert.False(File.Exists(folder.File("out.clef")), "export created its output before finding there was nothing to export");
    }

    [Fact]
    public void A_folder_whose_only_segment_is_random_bytes_has_no_valid_segment_either()
    {
        using var folder = new TempFolder();
        var bytes = new byte[10_000];
        new Random(17).NextBytes(bytes);
        File.WriteAllBytes(folder.File("app-000001.mlog"), bytes);

        ChildResult result = ToolRun.Run("cat", folder.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"mmaplog: error: no valid segment at '{folder.Path}': app-000001.mlog: not a Sinks.Mmap segment (bad magic)\n", result.Stderr);
    }

    [Fact]
    public void A_segment_with_a_damaged_header_is_said_on_stderr_the_others_are_printed_and_strict_makes_it_exit_1()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 300, segmentSize: 8 * 1024);
        string[] segments = folder.Segments().OrderBy(p => p, StringComparer.Ordinal).ToArray();
        Assert.True(segments.Length >= 3);
        int inDamaged = ToolRun.Run("cat", segments[1], "--format", "clef").Lines.Length;
        byte[] bytes = File.ReadAllBytes(segments[1]);
        bytes[20] ^= 0x01; // the segment number: the header's CRC no longer matches
        File.WriteAllBytes(segments[1], bytes);

        ChildResult cat = ToolRun.Run("cat", folder.LogPath, "--format", "clef");
        ChildResult strict = ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--strict");

        string expected = "skipped what could not be read: 1 unreadable segment (app-000002.mlog: segment header is damaged (CRC mismatch)), 1 sequence gap; 'mmaplog verify' shows where";
        Assert.Equal(0, cat.ExitCode);
        Assert.Equal("mmaplog: warning: " + expected + "\n", cat.Stderr);
        Assert.True(inDamaged > 0);
        Assert.Equal(300 - inDamaged, cat.Lines.Length);
        Assert.Equal(1, strict.ExitCode);
        Assert.Equal("mmaplog: error: " + expected + "\n", strict.Stderr);
        Assert.Equal(cat.Stdout, strict.Stdout);
    }

    [Theory]
    [InlineData("cat")]
    [InlineData("export")]
    [InlineData("stats")]
    public void Sixty_four_bytes_overwritten_in_a_log_of_5000_events_are_said_on_stderr_and_strict_makes_it_exit_1(string command)
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 5000, segmentSize: 1 << 20);
        string segment = Assert.Single(folder.Segments());
        byte[] bytes = File.ReadAllBytes(segment);
        bytes.AsSpan(bytes.Length / 2, 64).Fill(0xA5);
        File.WriteAllBytes(segment, bytes);
        string output = folder.File("out.clef");
        string[] args = command switch
        {
            "export" => new[] { "export", folder.LogPath, "-o", output },
            "cat" => new[] { "cat", folder.LogPath, "--format", "clef" },
            _ => new[] { command, folder.LogPath },
        };

        ChildResult result = ToolRun.Run(args);
        File.Delete(output);
        ChildResult strict = ToolRun.Run(args.Append("--strict").ToArray());

        Assert.Equal(0, result.ExitCode);
        string warning = Assert.Single(StderrLines(result));
        Assert.Matches(@"^mmaplog: warning: skipped what could not be read: 1 damaged range \([0-9,]+ bytes\), 1 sequence gap; 'mmaplog verify' shows where$", warning);
        if (command == "cat") Assert.InRange(result.Lines.Length, 4990, 4999);
        Assert.Equal(1, strict.ExitCode);
        Assert.Equal(warning.Replace("warning", "error", StringComparison.Ordinal), Assert.Single(StderrLines(strict)));
    }

    [Fact]
    public void Reading_a_log_a_killed_writer_left_says_nothing_on_stderr_torn_tails_and_holes_are_not_damage()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 100);
        string segment = Assert.Single(folder.Segments());
        byte[] bytes = File.ReadAllBytes(segment);
        // Unsealed, as a crash leaves it: drop the seal (the last 32 bytes) and leave a torn tail.
        Array.Resize(ref bytes, bytes.Length + 4096);
        bytes.AsSpan(bytes.Length - 4096 - 32, 32).Clear();
        bytes[bytes.Length - 4096 + 8] = 0x17;
        File.WriteAllBytes(segment, bytes);

        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--format", "clef", "--strict");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        Assert.Equal(100, result.Lines.Length);
    }

    [Fact]
    public async Task Cat_follow_waits_for_a_log_whose_folder_does_not_exist_yet_and_prints_it_once_written()
    {
        using var folder = new TempFolder();
        string log = Path.Combine(folder.Path, "not", "yet", "app.mlog");
        var stdout = new LineCollector();
        var stderr = new LineCollector();
        using var cts = new CancellationTokenSource();
        Task<int> follower = Task.Run(() => Program.RunAsync(new[] { "cat", log, "-f", "--format", "clef" }, stdout, stderr, cts.Token));

        await Task.Delay(300);
        Assert.False(follower.IsCompleted, "the follower gave up: " + string.Join(' ', stderr.Lines()));
        new CoreProducer().Write(log, 5);
        await stdout.WaitForLinesAsync(5, TimeSpan.FromSeconds(30));
        cts.Cancel();
        int exit = await follower;

        Assert.Equal(0, exit);
        Assert.Empty(stderr.Lines());
        Assert.Equal(5, stdout.Lines().Length);
    }
}
