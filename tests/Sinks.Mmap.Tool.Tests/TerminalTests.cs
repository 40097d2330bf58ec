using System;
using System.IO;
using System.Threading;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>Colours and the progress bar depend on the terminal and NO_COLOR (process-wide): run alone.</summary>
[Collection("processes")]
public sealed class TerminalTests
{
    private static ToolResult RunOnTerminal(bool stdoutTerminal, bool stderrTerminal, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var context = new ToolContext(stdout, stderr) { StdoutIsTerminal = stdoutTerminal, StderrIsTerminal = stderrTerminal };
        int exit = Program.RunAsync(args, context, CancellationToken.None).GetAwaiter().GetResult();
        return new ToolResult(exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Text_on_a_terminal_is_coloured_by_level_unless_NO_COLOR_is_set()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 6);
        string? before = Environment.GetEnvironmentVariable("NO_COLOR");
        try
        {
            Environment.SetEnvironmentVariable("NO_COLOR", null);
            ToolResult coloured = RunOnTerminal(true, true, "cat", folder.LogPath);
            Assert.Contains("\u001b[33m", coloured.Stdout, StringComparison.Ordinal); // Warning
            Assert.Contains("\u001b[31m", coloured.Stdout, StringComparison.Ordinal); // Error
            Assert.DoesNotContain("\u001b[", RunOnTerminal(true, true, "cat", folder.LogPath, "--format", "clef").Stdout, StringComparison.Ordinal);

            Environment.SetEnvironmentVariable("NO_COLOR", "1");
            Assert.DoesNotContain("\u001b[", RunOnTerminal(true, true, "cat", folder.LogPath).Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NO_COLOR", before);
        }
    }

    [Fact]
    public void Export_shows_a_progress_bar_only_when_stderr_is_a_terminal_and_output_is_a_file()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 500, segmentSize: 16 * 1024);
        string withBar = folder.File("a.clef"), withoutBar = folder.File("b.clef");

        ToolResult terminal = RunOnTerminal(false, true, "export", folder.LogPath, "-o", withBar);
        ToolResult redirected = RunOnTerminal(false, false, "export", folder.LogPath, "-o", withoutBar);
        ToolResult toStdout = RunOnTerminal(false, true, "export", folder.LogPath, "-o", "-");

        Assert.Equal(0, terminal.ExitCode);
        Assert.Contains("100%", terminal.Stderr);
        Assert.Equal("", redirected.Stderr);
        Assert.Equal("", toStdout.Stderr);
        Assert.Equal(File.ReadAllText(withoutBar), File.ReadAllText(withBar));
        Assert.Equal(File.ReadAllText(withoutBar), toStdout.Stdout);
    }
}
