using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>The real built mmaplog.dll, as a child process: exit codes, stderr, and stdout that pipes.</summary>
[Collection("processes")]
public sealed class ProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void The_real_mmaplog_exits_0_1_and_2_with_one_error_line_and_no_stack_trace()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 400, segmentSize: 16 * 1024);

        ChildResult cat = ToolRun.RunProcess(Timeout, "cat", folder.LogPath, "--format", "clef");
        Assert.Equal(0, cat.ExitCode);
        Assert.Equal(400, cat.Lines.Length);
        Assert.Equal("", cat.Stderr);
        Assert.DoesNotContain("\u001b[", cat.Stdout, StringComparison.Ordinal); // redirected: no colours

        ChildResult clean = ToolRun.RunProcess(Timeout, "verify", folder.LogPath);
        Assert.Equal(0, clean.ExitCode);

        string first = folder.Segments().OrderBy(p => p).First();
        byte[] bytes = File.ReadAllBytes(first);
        bytes[3000] ^= 0xFF;
        File.WriteAllBytes(first, bytes);
        ChildResult corrupt = ToolRun.RunProcess(Timeout, "verify", folder.LogPath);
        Assert.Equal(1, corrupt.ExitCode);
        Assert.Equal("", corrupt.Stderr);

        ChildResult missing = ToolRun.RunProcess(Timeout, "cat", Path.Combine(folder.Path, "missing", "x.mlog"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("", missing.Stdout);
        Assert.StartsWith("mmaplog: error: ", missing.Stderr);
        Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        ChildResult usage = ToolRun.RunProcess(Timeout, "cat", folder.LogPath, "--level", "Shouting");
        Assert.Equal(2, usage.ExitCode);
        ToolRun.AssertNoStackTrace(usage);

        ChildResult noise = ToolRun.RunProcess(Timeout, "stats", first);
        ToolRun.AssertNoStackTrace(noise);
        Assert.Equal(0, noise.ExitCode);
    }
}
