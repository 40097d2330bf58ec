using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

public sealed class ErrorTests
{
    [Theory]
    [InlineData("cat")]
    [InlineData("verify")]
    [InlineData("stats")]
    [InlineData("export")]
    public void Every_command_has_help_that_exits_0(string command)
    {
        ChildResult result = ToolRun.Run(command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout);
        Assert.Contains("PATH", result.Stdout);
    }

    [Theory]
    [InlineData("cat")]
    [InlineData("verify")]
    [InlineData("stats")]
    public void A_path_that_does_not_exist_is_one_error_line_and_exit_2(string command)
    {
        using var folder = new TempFolder();
        ChildResult result = ToolRun.Run(command, Path.Combine(folder.Path, "nowhere", "app.mlog"));

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("mmaplog: error: ", result.Stderr);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("cat")]
    [InlineData("verify")]
    [InlineData("stats")]
    public void A_folder_without_segments_is_an_error_with_exit_2(string command)
    {
        using var folder = new TempFolder();
        ChildResult result = ToolRun.Run(command, folder.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("mmaplog: error: no segments found at '" + folder.Path + "'\n", result.Stderr);
    }

    [Theory]
    [InlineData("cat", "PATH", "--level", "Loud")]
    [InlineData("cat", "PATH", "--since", "last tuesday")]
    [InlineData("cat", "PATH", "--format", "xml")]
    [InlineData("cat", "PATH", "--from", "1:2")]
    [InlineData("cat", "PATH", "--bogus")]
    [InlineData("export", "PATH")]
    [InlineData("frobnicate")]
    [InlineData()]
    public void Bad_usage_is_one_error_line_and_exit_2(params string[] args)
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 3);
        string[] resolved = Array.ConvertAll(args, a => a == "PATH" ? folder.LogPath : a);

        ChildResult result = ToolRun.Run(resolved);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("mmaplog: error: ", result.Stderr);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_segment_of_a_newer_major_version_is_refused_with_one_line_naming_both_versions_and_exit_2()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 3);
        string segment = Assert.Single(folder.Segments());
        byte[] bytes = File.ReadAllBytes(segment);
        bytes[8] = 2; // major version 2
        bytes[10] = 0; // minor version 0
        File.WriteAllBytes(segment, bytes);

        foreach (string command in new[] { "cat", "verify", "stats" })
        {
            ChildResult result = ToolRun.Run(command, folder.LogPath);
            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith("mmaplog: error: ", result.Stderr);
            Assert.Contains("2.0", result.Stderr);
            ToolRun.AssertNoStackTrace(result);
        }
    }

    [Fact]
    public void Root_help_lists_the_commands_and_the_exit_codes()
    {
        ChildResult result = ToolRun.Run("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (string command in new[] { "cat", "verify", "stats", "export" }) Assert.Contains(command, result.Stdout);
        Assert.Contains("Exit codes", result.Stdout);
    }

    [Fact]
    public void Export_help_names_every_format_and_its_save_position_says_nothing_of_following()
    {
        ChildResult help = ToolRun.Run("export", "--help");

        Assert.Contains("CLEF (default), text or JSON", help.Stdout);
        string save = help.Stdout.Split('\n').Single(l => l.Contains("--save-position", StringComparison.Ordinal));
        Assert.DoesNotContain("follow", save, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("cat", "clef")]
    [InlineData("cat", "json")]
    [InlineData("export", "clef")]
    public void An_output_template_with_a_format_other_than_text_is_an_error_not_ignored(string command, string format)
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 3);
        string[] args = { command, folder.LogPath, "--format", format, "-t", "{Message}", "-o", folder.File("out") };

        ChildResult result = ToolRun.Run(command == "cat" ? args.Take(6).ToArray() : args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"mmaplog: error: --output-template applies only to --format text, not {format}\n", result.Stderr);
        Assert.False(File.Exists(folder.File("out")));
    }

    [Fact]
    public void A_format_that_is_not_one_of_the_choices_is_one_line_without_tabs()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 3);

        ChildResult result = ToolRun.Run("cat", folder.LogPath, "--format", "xml");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("mmaplog: error: --format: 'xml' is not one of text, clef, json (see 'mmaplog --help')\n", result.Stderr);
    }

    [Fact]
    public void Stats_and_verify_json_write_plus_signs_as_they_are()
    {
        using var folder = new TempFolder();
        string plus = Path.Combine(folder.Path, "a+b");
        Directory.CreateDirectory(plus);
        new CoreProducer().Write(Path.Combine(plus, "app.mlog"), 3);

        ChildResult stats = ToolRun.Run("stats", plus, "--json");
        ChildResult verify = ToolRun.Run("verify", plus, "--json");

        Assert.Contains("\"first\":\"2026-01-01T00:00:00.0000000+00:00\"", stats.Stdout);
        Assert.Contains("a+b", verify.Stdout);
        Assert.DoesNotContain("\\u002B", stats.Stdout + verify.Stdout);
    }

    [Fact]
    public void A_lone_surrogate_char_in_json_output_is_written_as_U_FFFD_and_the_event_keeps_its_properties()
    {
        using var folder = new TempFolder();
        var segment = new SegmentBuilder();
        segment.Event(new BodyBuilder().EventStart().InlineRef("C {C}").Varint(2)
            .InlineRef("C").Byte(0x0F).Int16(unchecked((short)0xD800)).InlineRef("N").Byte(0x07).ZigZag(7).ToArray());
        segment.WriteTo(folder.File("app-000001.mlog"));

        ChildResult result = ToolRun.Run("cat", folder.Path, "--format", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"properties\":{\"C\":\"\uFFFD\",\"N\":7}", result.Stdout);
    }
}
