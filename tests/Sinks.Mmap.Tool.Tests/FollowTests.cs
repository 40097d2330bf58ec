using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Sinks.Mmap.Tool.Tests;

/// <summary>Follow tests start processes and poll: they run one at a time.</summary>
[CollectionDefinition("processes", DisableParallelization = true)]
public sealed class ProcessCollection
{
}

[Collection("processes")]
public sealed class FollowTests
{
    private static string ChildDll => DotnetChild.BesideTests("Sinks.Mmap.TestChild.dll");

    [Fact]
    public async Task Cat_follow_prints_every_event_of_a_rotating_writer_process_once_in_order_and_exits_0_when_cancelled()
    {
        using var folder = new TempFolder();
        const int threads = 2, perThread = 2000;
        string positionFile = folder.File("pos.txt");
        var stdout = new LineCollector();
        var stderr = new StringWriter();
        using var cts = new CancellationTokenSource();
        Task<int> follower = Program.RunAsync(
            new[] { "cat", folder.LogPath, "--follow", "--format", "json", "--save-position", positionFile }, stdout, stderr, cts.Token);

        // A real writer in another process: 2 threads, 16 KiB segments (it rotates about 30 times), then exits.
        ChildResult child = DotnetChild.Run(ChildDll, new[] { folder.LogPath, threads.ToString(), "16384", "paced", folder.File("ack"), "1", perThread.ToString() }, TimeSpan.FromSeconds(60));
        Assert.Equal(0, child.ExitCode);
        Assert.Contains("dropped=0", child.Stdout);
        Assert.True(folder.Segments().Length > 5, "the writer should have rotated");

        await stdout.WaitForLinesAsync(threads * perThread, TimeSpan.FromSeconds(60));
        await Task.Delay(300);
        cts.Cancel();
        int exit = await follower.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, exit);
        Assert.Equal("", stderr.ToString());
        string[] lines = stdout.Lines();
        Assert.Equal(threads * perThread, lines.Length);
        long previous = 0;
        var counters = new List<long>[threads];
        for (int t = 0; t < threads; t++) counters[t] = new List<long>();
        foreach (string line in lines)
        {
            JsonElement root = JsonDocument.Parse(line).RootElement;
            long sequence = root.GetProperty("sequence").GetInt64();
            Assert.True(sequence > previous, "events must come in sequence order, each once");
            previous = sequence;
            JsonElement properties = root.GetProperty("properties");
            counters[properties.GetProperty("Thread").GetInt32()].Add(properties.GetProperty("Counter").GetInt64());
        }
        foreach (List<long> c in counters) Assert.Equal(Enumerable.Range(1, perThread).Select(i => (long)i), c);

        // The saved position is the one after the last event: resuming prints nothing more.
        string last = JsonDocument.Parse(lines[^1]).RootElement.GetProperty("position").GetString()!;
        Assert.Equal(last, File.ReadAllText(positionFile).Trim());
        Assert.Empty(ToolRun.Run("cat", folder.LogPath, "--from", positionFile).Lines);
    }

    [Fact]
    public async Task Cat_follow_resumes_from_a_saved_position_and_prints_only_what_came_after()
    {
        using var folder = new TempFolder();
        string positionFile = folder.File("pos.txt");
        new CoreProducer().Write(folder.LogPath, 100, segmentSize: 8 * 1024);
        ToolRun.Run("cat", folder.LogPath, "--until", "2026-01-01T00:01:00Z", "--save-position", positionFile);

        var stdout = new LineCollector();
        using var cts = new CancellationTokenSource();
        Task<int> follower = Program.RunAsync(new[] { "cat", folder.LogPath, "-f", "--format", "clef", "--from", positionFile }, stdout, new StringWriter(), cts.Token);
        await stdout.WaitForLinesAsync(40, TimeSpan.FromSeconds(30));
        new CoreProducer().Write(folder.LogPath, 10, segmentSize: 8 * 1024);
        await stdout.WaitForLinesAsync(50, TimeSpan.FromSeconds(30));
        cts.Cancel();

        Assert.Equal(0, await follower.WaitAsync(TimeSpan.FromSeconds(10)));
        string[] lines = stdout.Lines();
        Assert.Equal(50, lines.Length);
        IReadOnlyList<ExpectedEvent> expected = LogProducer.Expected(100);
        for (int i = 0; i < 40; i++) CatTests.AssertClef(expected[60 + i], lines[i]);
        for (int i = 0; i < 10; i++) CatTests.AssertClef(expected[i], lines[40 + i]);
    }

    [Fact]
    public void The_real_mmaplog_follows_until_SIGINT_and_then_exits_0_with_the_position_saved()
    {
        using var folder = new TempFolder();
        new CoreProducer().Write(folder.LogPath, 100);
        string positionFile = folder.File("pos.txt");
        // SIGINT must reach it even when this test run ignores SIGINT (started in the background): the tool's
        // behaviour on Ctrl+C is what is under test here.
        using DotnetChild tool = DotnetChild.StartInterruptible(ToolRun.ToolDll, new[] { "cat", "-f", folder.LogPath, "--format", "clef", "--save-position", positionFile });
        tool.WaitFor(() => tool.Output.Count, count => count >= 100, TimeSpan.FromSeconds(30), "100 lines from mmaplog -f");

        tool.Interrupt();
        Assert.True(tool.WaitForExit(TimeSpan.FromSeconds(10)), "mmaplog -f did not stop on SIGINT");

        Assert.Equal(0, tool.ExitCode);
        Assert.DoesNotContain(tool.Output, line => line.StartsWith("stderr: ", StringComparison.Ordinal));
        var lines = new List<string>(tool.Output);
        Assert.Equal(100, lines.Count);
        Assert.True(LogPosition.TryParse(File.ReadAllText(positionFile), out LogPosition saved));
        Assert.Empty(ToolRun.Run("cat", folder.LogPath, "--from", saved.ToString()).Lines);
    }
}

/// <summary>A thread-safe stdout that tests can wait on.</summary>
internal sealed class LineCollector : StringWriter
{
    private readonly object _gate = new();

    public LineCollector() => NewLine = "\n";

    public override void Write(char value)
    {
        lock (_gate) base.Write(value);
    }

    public override void Write(string? value)
    {
        lock (_gate) base.Write(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate) base.Write(buffer, index, count);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_gate) base.Write(buffer);
    }

    public override void Write(System.Text.StringBuilder? value)
    {
        lock (_gate) base.Write(value);
    }

    public string[] Lines()
    {
        lock (_gate) return ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public async Task WaitForLinesAsync(int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Lines().Length < count)
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"only {Lines().Length} of {count} lines after {timeout}");
            await Task.Delay(50);
        }
    }
}
