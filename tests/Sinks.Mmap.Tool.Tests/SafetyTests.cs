using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>
/// Special files and planted paths, with the real mmaplog and real FIFOs, symbolic links and devices:
/// nothing blocks, nothing is read without end, nothing is written through a link someone planted.
/// </summary>
[Collection("processes")]
public sealed class SafetyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    private static void MakeFifo(string path) =>
        Assert.True(mkfifo(path, Convert.ToUInt32("644", 8)) == 0, $"mkfifo failed: errno {Marshal.GetLastPInvokeError()}");

    [Theory]
    [InlineData("cat")]
    [InlineData("stats")]
    [InlineData("export")]
    [InlineData("verify")]
    public void A_fifo_named_like_a_segment_blocks_no_command_and_is_said_once(string command)
    {
        if (OperatingSystem.IsWindows()) return;
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 20);
        MakeFifo(folder.File("app-000009.mlog"));
        string[] args = command switch
        {
            "export" => new[] { command, folder.LogPath, "-o", folder.File("out.clef") },
            "cat" => new[] { command, folder.LogPath, "--format", "clef" },
            _ => new[] { command, folder.LogPath },
        };

        // The real tool: before, it waited in open() for a writer to the FIFO, and SIGTERM did not end it.
        ChildResult result = ToolRun.RunProcess(Timeout, args);

        ToolRun.AssertNoStackTrace(result);
        if (command == "verify")
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("problem: app-000009.mlog: not a regular file (a FIFO); skipped", result.Stdout);
            return;
        }
        Assert.Equal(0, result.ExitCode);
        string warning = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("1 unreadable segment (app-000009.mlog: not a regular file (a FIFO); skipped)", warning);
        if (command == "cat") Assert.Equal(20, result.Lines.Length);
    }

    [Fact]
    public void Save_position_never_writes_through_a_symbolic_link_planted_at_its_temp_name_or_its_own()
    {
        if (OperatingSystem.IsWindows()) return;
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 10);
        string victim = folder.File("victim.txt");
        File.WriteAllText(victim, "precious");
        string position = folder.File("pos.txt");
        // The temp name the tool used before, and the position file itself, both links to the victim.
        File.CreateSymbolicLink(position + ".tmp", victim);
        File.CreateSymbolicLink(position, victim);

        ChildResult result = ToolRun.RunProcess(Timeout, "cat", folder.LogPath, "--save-position", position);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Null(new FileInfo(position).LinkTarget); // the link itself was replaced by the position file
        Assert.Matches(@"^1:\d+:\d+\n$", File.ReadAllText(position));
        Assert.Equal(new[] { "app-000001.mlog", "app.mlog.lock", "pos.txt", "pos.txt.tmp", "victim.txt" },
            Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void From_dev_zero_is_refused_at_once_instead_of_read_until_memory_runs_out()
    {
        if (OperatingSystem.IsWindows()) return;
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 10);

        LimitedResult result = LimitedProcess.Run(ToolRun.ToolDll, new[] { "cat", folder.LogPath, "--from", "/dev/zero" });

        Assert.True(result.ExitCode == 2, result.Describe());
        Assert.Equal("mmaplog: error: --from: '/dev/zero' is not a regular file (a character device)\n", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void From_a_fifo_is_refused_without_waiting_for_a_writer()
    {
        if (OperatingSystem.IsWindows()) return;
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 10);
        string fifo = folder.File("pos.txt");
        MakeFifo(fifo);

        ChildResult result = ToolRun.RunProcess(Timeout, "cat", folder.LogPath, "--from", fifo);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"mmaplog: error: --from: '{fifo}' is not a regular file (a FIFO)\n", result.Stderr);
    }

    [Fact]
    public void From_a_file_larger_than_a_position_file_is_refused_without_reading_it_all()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 10);
        string big = folder.File("pos.txt");
        File.WriteAllText(big, "1:128:2\n" + new string(' ', 10_000));

        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--from", big);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"mmaplog: error: --from: '{big}' is larger than a position file (4096 bytes at most)\n", result.Stderr);
    }

    [Fact]
    public void Export_refuses_to_overwrite_a_file_or_a_planted_link_without_force_and_overwrites_with_it()
    {
        if (OperatingSystem.IsWindows()) return;
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 10);
        string existing = folder.File("out.clef");
        File.WriteAllText(existing, "keep me");
        string victim = folder.File("victim.txt");
        File.WriteAllText(victim, "precious");
        string link = folder.File("link.clef");
        File.CreateSymbolicLink(link, victim);

        ChildResult refused = ToolRun.Run("export", folder.LogPath, "-o", existing);
        ChildResult linked = ToolRun.Run("export", folder.LogPath, "-o", link);
        ChildResult forced = ToolRun.Run("export", folder.LogPath, "-o", existing, "--force");

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal($"mmaplog: error: '{existing}' exists; use --force to overwrite it\n", refused.Stderr);
        Assert.Equal(2, linked.ExitCode);
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(ToolRun.Run("cat", folder.LogPath, "--format", "clef").Stdout, File.ReadAllText(existing));
    }

    [Fact]
    public void Dictionary_keys_and_dates_are_written_in_the_invariant_culture_under_a_German_locale()
    {
        if (OperatingSystem.IsWindows()) return;
        using var folder = new TempFolder();
        var when = new DateTime(2026, 11, 21, 10, 0, 0);
        var segment = new SegmentBuilder(createdTicks: HostileShapes.Ticks);
        var body = new BodyBuilder().EventStart().InlineRef("{Map} at {When}").Varint(2)
            .InlineRef("Map").Byte(0x22).Varint(2)
            .Byte(0x0C).Int64(BitConverter.DoubleToInt64Bits(1.5)).StringValue("a")
            .Byte(0x10).Int64(when.Ticks).Byte(0).StringValue("b")
            .InlineRef("When").Byte(0x10).Int64(when.Ticks).Byte(0);
        segment.Event(body.ToArray(), HostileShapes.Ticks);
        segment.WriteTo(folder.File("app-000001.mlog"));
        var german = new System.Collections.Generic.Dictionary<string, string> { ["LANG"] = "de_DE.UTF-8", ["LC_ALL"] = "de_DE.UTF-8" };

        LimitedResult text = LimitedProcess.Run(ToolRun.ToolDll, new[] { "cat", folder.Path, "-t", "{Message:j} | {Map} | {When}" }, environment: german);
        LimitedResult clef = LimitedProcess.Run(ToolRun.ToolDll, new[] { "cat", folder.Path, "--format", "clef" }, environment: german);
        LimitedResult json = LimitedProcess.Run(ToolRun.ToolDll, new[] { "cat", folder.Path, "--format", "json" }, environment: german);

        Assert.Equal("{\"1.5\":\"a\",\"11/21/2026 10:00:00\":\"b\"} at \"2026-11-21T10:00:00.0000000\" | [(1.5: \"a\"), (11/21/2026 10:00:00: \"b\")] | 11/21/2026 10:00:00\n", text.Stdout);
        Assert.Contains("\"Map\":{\"1.5\":\"a\",\"11/21/2026 10:00:00\":\"b\"}", clef.Stdout);
        Assert.Contains("\"properties\":{\"Map\":{\"1.5\":\"a\",\"11/21/2026 10:00:00\":\"b\"}", json.Stdout);
        Assert.Contains("\"message\":\"[(1.5: \\\"a\\\"), (11/21/2026 10:00:00: \\\"b\\\")] at 11/21/2026 10:00:00\"", json.Stdout);
    }
}
