using System;
using System.IO;
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
        ToolResult result = ToolRun.Run(command, "--help");

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
        ToolResult result = ToolRun.Run(command, Path.Combine(folder.Path, "nowhere", "app.mlog"));

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
        ToolResult result = ToolRun.Run(command, folder.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("mmaplog: error: no segments found at '" + folder.Path + "'\n", result.Stderr);
    }

    [Theory]
    [InlineData("cat", "PATH", "--level", "Loud")]
    [InlineData("cat", "PATH", "--since", "yesterday")]
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

        ToolResult result = ToolRun.Run(resolved);

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
            ToolResult result = ToolRun.Run(command, folder.LogPath);
            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith("mmaplog: error: ", result.Stderr);
            Assert.Contains("2.0", result.Stderr);
            ToolRun.AssertNoStackTrace(result);
        }
    }

    [Fact]
    public void Root_help_lists_the_commands_and_the_exit_codes()
    {
        ToolResult result = ToolRun.Run("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (string command in new[] { "cat", "verify", "stats", "export" }) Assert.Contains(command, result.Stdout);
        Assert.Contains("Exit codes", result.Stdout);
    }
}
