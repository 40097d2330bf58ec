using System;
using System.IO;
using System.Threading;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>Colours and the progress bar depend on the terminal and NO_COLOR (process-wide): run alone.</summary>
[Collection("processes")]
public sealed class TerminalTests
{
    private static ChildResult RunOnTerminal(bool stdoutTerminal, bool stderrTerminal, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var context = new ToolContext(stdout, stderr) { StdoutIsTerminal = stdoutTerminal, StderrIsTerminal = stderrTerminal };
        int exit = Program.RunAsync(args, context, CancellationToken.None).GetAwaiter().GetResult();
        return new ChildResult(exit, stdout.ToString(), stderr.ToString());
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
            ChildResult coloured = RunOnTerminal(true, true, "cat", folder.LogPath);
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

        ChildResult terminal = RunOnTerminal(false, true, "export", folder.LogPath, "-o", withBar);
        ChildResult redirected = RunOnTerminal(false, false, "export", folder.LogPath, "-o", withoutBar);
        ChildResult toStdout = RunOnTerminal(false, true, "export", folder.LogPath, "-o", "-");

        Assert.Equal(0, terminal.ExitCode);
        Assert.Contains("100%", terminal.Stderr);
        Assert.Equal("", redirected.Stderr);
        Assert.Equal("", toStdout.Stderr);
        Assert.Equal(File.ReadAllText(withoutBar), File.ReadAllText(withBar));
        Assert.Equal(File.ReadAllText(withoutBar), toStdout.Stdout);
    }

    /// <summary>A log of one event whose message carries an OSC title change, an SGR colour, a C1 CSI, CR LF and a lone CR.</summary>
    private static void WriteHostileText(TempFolder folder)
    {
        var segment = new SegmentBuilder(createdTicks: HostileShapes.Ticks);
        segment.Event(new BodyBuilder().EventStart().InlineRef("Evil {E}").Varint(1).InlineRef("E")
            .StringValue("\u001b]0;pwned\u0007\u001b[31mred\u009b2J\ttab\r\nnext\rover\u007f").ToArray(), HostileShapes.Ticks);
        segment.WriteTo(folder.File("app-000001.mlog"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Control_characters_from_events_are_escaped_in_text_on_a_terminal_or_not_and_kept_with_raw(bool terminal)
    {
        using var folder = new TempFolder();
        WriteHostileText(folder);
        string? before = Environment.GetEnvironmentVariable("NO_COLOR");
        try
        {
            Environment.SetEnvironmentVariable("NO_COLOR", "1");
            ChildResult escaped = RunOnTerminal(terminal, terminal, "cat", folder.Path, "-t", "{Message:l}{NewLine}");
            ChildResult raw = RunOnTerminal(terminal, terminal, "cat", folder.Path, "-t", "{Message:l}{NewLine}", "--raw");

            Assert.Equal("Evil \\x1B]0;pwned\\x07\\x1B[31mred\\u009B2J\ttab\r\nnext\\x0Dover\\x7F\n", escaped.Stdout);
            Assert.Equal("Evil \u001b]0;pwned\u0007\u001b[31mred\u009b2J\ttab\r\nnext\rover\u007f\n", raw.Stdout);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NO_COLOR", before);
        }
    }

    [Fact]
    public void A_coloured_event_resets_its_colour_before_its_line_end()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 12);
        string? before = Environment.GetEnvironmentVariable("NO_COLOR");
        try
        {
            Environment.SetEnvironmentVariable("NO_COLOR", null);
            ChildResult coloured = RunOnTerminal(true, true, "cat", folder.LogPath);

            Assert.Contains("\u001b[0m\n", coloured.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("\n\u001b[0m", coloured.Stdout, StringComparison.Ordinal);
            Assert.EndsWith("\n", coloured.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NO_COLOR", before);
        }
    }
}
