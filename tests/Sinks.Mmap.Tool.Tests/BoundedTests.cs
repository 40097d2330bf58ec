using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>The hostile segments of issue 16, built once for all the tests of <see cref="BoundedTests"/>.</summary>
public sealed class HostileShapesFixture : IDisposable
{
    public const int HugeDefinitions = 12;

    private readonly TempFolder _root = new();

    public HostileShapesFixture()
    {
        Booleans = Shape("booleans", HostileShapes.Booleans);
        Nested = Shape("nested", HostileShapes.NestedSequences);
        Holes = Shape("holes", HostileShapes.ManyHoles);
        Definitions = Shape("definitions", folder => HostileShapes.HugeDefinitions(folder, HugeDefinitions));
    }

    public string Booleans { get; }
    public string Nested { get; }
    public string Holes { get; }
    public string Definitions { get; }

    public string Output => _root.File("out");

    private string Shape(string name, Action<string> build)
    {
        string folder = _root.File(name);
        Directory.CreateDirectory(folder);
        build(folder);
        return folder;
    }

    public void Dispose() => _root.Dispose();
}

/// <summary>
/// Every command stays bounded on each hostile shape: mmaplog runs as a child process under a 256 MiB
/// GC heap and a CPU-time limit (<see cref="LimitedProcess"/>), and must finish with the right exit
/// code and output. Before, it took 1.1 GB (cat) to 2.9 GB (verify on huge definitions), or ran out of
/// memory, or computed for minutes.
/// </summary>
[Collection("processes")]
public sealed class BoundedTests : IClassFixture<HostileShapesFixture>
{
    private const string Warning = "mmaplog: warning: skipped what could not be read: 1 undecodable record; 'mmaplog verify' shows where\n";
    private const string Prefix = "2026-11-21 10:00:00.000 +00:00 [INF] ";
    private static readonly int N = HostileShapes.BooleanCount;

    private readonly HostileShapesFixture _shapes;

    public BoundedTests(HostileShapesFixture shapes) => _shapes = shapes;

    /// <summary>Runs mmaplog under the limits, stdout into a file; returns the result and the file's size and ends.</summary>
    private (LimitedResult Result, long Length, string Head, string Tail) Run(params string[] args)
    {
        File.Delete(_shapes.Output);
        LimitedResult result = LimitedProcess.Run(ToolRun.ToolDll, args, stdoutFile: _shapes.Output);
        Assert.True(result.ExitCode is 0 or 1, $"mmaplog {string.Join(' ', args)}: {result.Describe()}");
        if (new FileInfo(_shapes.Output).Length == 0) return (result, 0, "", "");
        (long length, string head, string tail) = LimitedProcess.Ends(_shapes.Output, 200);
        return (result, length, head, tail);
    }

    [Fact]
    public void Cat_prints_a_record_of_sixteen_million_booleans_as_text_within_a_256_MiB_heap()
    {
        var (result, length, head, tail) = Run("cat", _shapes.Booleans);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        // The message {Flags:lj}: the sequence as JSON, [true,…,true].
        Assert.Equal(Prefix.Length + (5L * N + 1) + 1, length);
        Assert.StartsWith(Prefix + "[true,true,", head);
        Assert.EndsWith(",true,true]\n", tail);
    }

    [Fact]
    public void Cat_prints_a_record_of_sixteen_million_booleans_as_json_within_a_256_MiB_heap()
    {
        var (result, length, head, tail) = Run("cat", _shapes.Booleans, "--format", "json");
        Assert.Equal(0, result.ExitCode);
        // The message as Serilog renders the sequence, [True, …, True], then the property as a JSON array.
        string start = "{\"sequence\":1,\"timestamp\":\"2026-11-21T10:00:00.0000000+00:00\",\"level\":\"Information\",\"template\":\"{Flags}\",\"message\":\"[True, True, ";
        string end = "true,true]},\"position\":\"1:16777344:2\"}\n";
        Assert.StartsWith(start, head);
        Assert.EndsWith(end, tail);
        long message = 6L * N; // "[" + "True, " × (N − 1) + "True" + "]"
        long array = 5L * N + 1;
        Assert.Equal(start.Length - "[True, True, ".Length + message + "\",\"properties\":{\"Flags\":".Length + array + "},\"position\":\"1:16777344:2\"}\n".Length, length);
    }

    [Fact]
    public void Cat_and_export_write_a_record_of_sixteen_million_booleans_as_clef_within_a_256_MiB_heap()
    {
        const string start = "{\"@t\":\"2026-11-21T10:00:00.0000000Z\",\"@mt\":\"{Flags}\",\"Flags\":[";
        var (cat, length, head, tail) = Run("cat", _shapes.Booleans, "--format", "clef");
        Assert.Equal(0, cat.ExitCode);
        Assert.Equal(start.Length + (5L * N - 1) + "]}\n".Length, length);
        Assert.StartsWith(start + "true,", head);
        Assert.EndsWith("true]}\n", tail);

        string exported = _shapes.Output + ".clef";
        File.Delete(exported);
        LimitedResult export = LimitedProcess.Run(ToolRun.ToolDll, new[] { "export", _shapes.Booleans, "-o", exported });
        Assert.True(export.ExitCode == 0, export.Describe());
        Assert.Equal(length, new FileInfo(exported).Length);
        File.Delete(exported);
    }

    [Theory]
    [InlineData("stats")]
    [InlineData("verify")]
    public void Stats_and_verify_summarise_a_record_of_sixteen_million_booleans_within_a_256_MiB_heap(string command)
    {
        var (result, _, head, _) = Run(command, _shapes.Booleans);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(command == "stats" ? "events:        1" : "records 2, events 1", head);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    [InlineData("clef")]
    public void Cat_skips_63_nested_sequences_claiming_sixteen_million_elements_each_says_so_and_prints_the_event_after_them(string format)
    {
        var (result, _, head, _) = Run("cat", _shapes.Nested, "--format", format);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Warning, result.Stderr);
        Assert.Contains(format == "text" ? "Hello World" : "\"World\"", head);
    }

    [Fact]
    public void Stats_and_verify_count_the_nested_record_as_undecodable_and_strict_cat_fails_within_a_256_MiB_heap()
    {
        var (stats, _, statsOut, _) = Run("stats", _shapes.Nested);
        Assert.Contains("events:        1 (1 undecodable)", statsOut);
        Assert.Equal(Warning, stats.Stderr);
        var (verify, _, verifyOut, _) = Run("verify", _shapes.Nested);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("undecodable records: 1", File.ReadAllText(_shapes.Output));
        var (strict, _, _, _) = Run("cat", _shapes.Nested, "--strict");
        Assert.Equal(1, strict.ExitCode);
        Assert.Equal(Warning.Replace("warning", "error", StringComparison.Ordinal), strict.Stderr);
        Assert.NotEmpty(verifyOut);
    }

    public static IEnumerable<object[]> HoleCommands() => new[]
    {
        new object[] { new[] { "cat" }, Prefix.Length + 4L * HostileShapes.HoleCount + 1 },
        new object[] { new[] { "cat", "-t", "{Message}{Properties}{NewLine}" }, 4L * HostileShapes.HoleCount + "{  }".Length + 1 },
        new object[] { new[] { "cat", "--grep", "True" }, Prefix.Length + 4L * HostileShapes.HoleCount + 1 },
        new object[] { new[] { "cat", "--format", "json" }, -1L },
        new object[] { new[] { "cat", "--format", "clef" }, -1L },
        new object[] { new[] { "stats" }, -1L },
        new object[] { new[] { "verify" }, -1L },
    };

    [Theory]
    [MemberData(nameof(HoleCommands))]
    public void A_template_of_200000_holes_over_200000_properties_takes_every_command_time_in_proportion_to_its_size(string[] command, long expectedLength)
    {
        var (result, length, _, tail) = Run(command.Take(1).Append(_shapes.Holes).Concat(command.Skip(1)).ToArray());
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        if (expectedLength >= 0) Assert.Equal(expectedLength, length);
        if (command[0] == "cat") Assert.EndsWith("\n", tail);
        if (command.Contains("json")) Assert.Contains("\"renderedMessage\":\"truetruetrue", File.ReadAllText(_shapes.Output));
    }

    [Theory]
    [InlineData("cat")]
    [InlineData("cat", "--format", "json")]
    [InlineData("cat", "--format", "clef")]
    [InlineData("stats")]
    [InlineData("verify")]
    public void A_dozen_definitions_of_16_MiB_are_read_by_every_command_within_a_256_MiB_heap(params string[] command)
    {
        var (result, _, head, _) = Run(command.Take(1).Append(_shapes.Definitions).Concat(command.Skip(1)).ToArray());
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        string expected = command[0] switch
        {
            "verify" => $"records {HostileShapesFixture.HugeDefinitions + 2}, events 1",
            "stats" => "events:        1",
            _ => "World",
        };
        Assert.Contains(expected, head);
    }
}
