using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Sinks.Mmap;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

/// <summary>
/// Events that used to kill the process, logged through NLog by a real child process
/// (NLog.Targets.Mmap.TestChild) that must live on: log 200 events afterwards, exit 0, and leave a
/// log the reader reads.
/// </summary>
public class HostileEventTests
{
    private static List<string> RunScenario(TempLogDir dir, string scenario)
    {
        string child = DotnetChild.BesideTests("NLog.Targets.Mmap.TestChild.dll");
        ChildResult run = DotnetChild.Run(child, new[] { dir.LogPath, (64 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), scenario }, TimeSpan.FromSeconds(60));
        var lines = new List<string>(run.Stdout.Split('\n'));
        if (lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        string output = string.Join("\n", lines.TakeLast(5)) + "\n" + run.Stderr;
        Assert.True(run.ExitCode == 0, $"the child died (exit code {run.ExitCode}): {output}");
        Assert.Contains("hostile done", lines);
        Assert.Contains("ACK 199", lines);
        return lines;
    }

    private static List<MmapEvent> AssertEveryLaterEventReadsBack(TempLogDir dir)
    {
        var reader = new MmapLogReader(dir.LogPath);
        Assert.True(reader.Validate().IsClean, "the log verifies clean");
        List<MmapEvent> events = reader.ReadEvents().ToList();
        long[] indexes = events.Where(e => e.MessageTemplate?.StartsWith("Event ", StringComparison.Ordinal) == true)
            .Select(e => Convert.ToInt64(((LogScalar)e.Properties[0].Value).Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), indexes);
        return events;
    }

    [Fact]
    public void A_list_that_holds_itself_several_times_is_dropped_after_bounded_work_and_the_process_lives_on_logging()
    {
        using var dir = new TempLogDir();
        List<string> lines = RunScenario(dir, "selflist");
        Assert.Contains("dropped 1", lines);
        List<MmapEvent> events = AssertEveryLaterEventReadsBack(dir);
        Assert.Equal(200, events.Count);
    }

    [Fact]
    public void An_event_stamped_at_the_end_of_time_with_daily_archiving_is_written_and_the_process_lives_on_logging()
    {
        using var dir = new TempLogDir();
        List<string> lines = RunScenario(dir, "far-future");
        Assert.Contains("dropped 0", lines);
        List<MmapEvent> events = AssertEveryLaterEventReadsBack(dir);
        MmapEvent farFuture = Assert.Single(events, e => e.RenderedMessage == "From the end of time");
        Assert.True(farFuture.Timestamp.UtcTicks >= DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay, $"stamped {farFuture.Timestamp:O}");
    }
}
