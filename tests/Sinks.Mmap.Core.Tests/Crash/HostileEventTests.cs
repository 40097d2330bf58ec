using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Crash;

/// <summary>
/// Events that used to kill the process, logged by a real child process (Sinks.Mmap.TestChild) that
/// must live on: log normal events afterwards, exit 0, and leave a log the reader reads.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public class HostileEventTests
{
    private const int NormalEvents = 200;

    private static string RunToCompletion(TestLog log, string mode)
    {
        string ackPath = Path.Combine(log.Directory, "ack.bin");
        using var child = ChildProcess.Start(log.Path_, threads: 1, segmentSize: 64L << 20, mode, ackPath, round: 1, count: NormalEvents);
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(90)), "the child did not finish; output:\n" + string.Join("\n", child.Output));
        // Output lines arrive on their own threads: wait for the last one.
        TestSupport.WaitUntil(() => child.Output.Any(l => l.StartsWith("done", StringComparison.Ordinal)), TimeSpan.FromSeconds(5));
        string output = string.Join("\n", child.Output);
        Assert.True(child.ExitCode == 0, $"the child died (exit code {child.ExitCode}); output:\n{output}");
        Assert.DoesNotContain("hostile threw", output);
        Assert.Equal(NormalEvents, child.ReadAck().Acked[0]);
        return output;
    }

    private static void AssertEveryNormalEventReadsBack(TestLog log)
    {
        LogContents contents = LogContents.ReadAndCheck(log.Path_);
        for (long counter = 1; counter <= NormalEvents; counter++)
        {
            Assert.Equal(1, contents.Counts.GetValueOrDefault((1, 0, counter)));
        }
        Assert.True(contents.Validation.IsClean, "the log verifies clean");
    }

    [Fact]
    public void An_event_of_more_than_2_GiB_is_dropped_with_a_report_and_the_process_lives_on_logging()
    {
        using var log = new TestLog();
        string output = RunToCompletion(log, "huge");
        Assert.Contains("hostile appended=False", output);
        Assert.Contains("error EventRejected", output);
        Assert.Contains("done dropped=1", output);
        AssertEveryNormalEventReadsBack(log);
    }

    [Fact]
    public void An_event_stamped_near_the_end_of_time_with_daily_rolling_is_written_and_the_process_lives_on_logging()
    {
        using var log = new TestLog();
        string output = RunToCompletion(log, "far-future");
        Assert.Contains("hostile appended=True", output);
        Assert.Contains("done dropped=0", output);
        AssertEveryNormalEventReadsBack(log);
        MmapEvent farFuture = new MmapLogReader(log.Path_).ReadEvents().Single(e => e.Properties.Any(p => p.Name == "Round" && ((LogScalar)p.Value).Value is -1));
        Assert.Equal(DateTime.MaxValue.Ticks - 1, farFuture.Timestamp.UtcTicks);
    }
}
