using System;
using System.Collections.Generic;
using System.IO;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Core.Tests.Crash;

/// <summary>
/// SIGKILL while sealed segments are being compressed in the background: nothing acknowledged is
/// lost, no event reads twice (a segment and its compressed copy are never both counted), and the
/// next writer finishes or discards what the kill left.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public class CompressionKillTests
{
    private readonly ITestOutputHelper _output;

    public CompressionKillTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Every_acknowledged_event_survives_sigkill_during_compression_exactly_once()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        _output.WriteLine($"seed {seed}");
        using var log = new TestLog();
        string ackPath = Path.Combine(log.Directory, "ack.bin");
        var acks = new Dictionary<int, AckSnapshot>();
        int roundsWithTemporary = 0;
        const int Rounds = 8;
        for (int r = 0; r < Rounds; r++)
        {
            AckSnapshot ack;
            // Small segments: the child seals and compresses several every millisecond it logs.
            using (var child = ChildProcess.Start(log.Path_, 1 + r % 2, 16 * 1024, "compress", ackPath, r))
            {
                long target = random.Next(5_000, 60_000);
                child.WaitFor(a => a.TotalAcked >= target, TimeSpan.FromSeconds(30), $"{target} acknowledged events");
                ack = child.KillNow();
            }
            acks[r] = ack;
            bool temporary = Directory.GetFiles(log.Directory, "*.tmp").Length > 0;
            if (temporary) roundsWithTemporary++;
            int containers = Directory.GetFiles(log.Directory, "*.mlogz").Length;

            LogContents contents = LogContents.ReadAndCheck(log.Path_);
            foreach (var (past, pastAck) in acks) contents.AssertAcknowledgedPresent(past, pastAck);
            _output.WriteLine($"round {r}: acknowledged {ack.TotalAcked}, in log {contents.EventsOfRound(r)}, compressed segments {containers}, a compression cut short: {temporary}");
        }
        // A clean run recovers what the last kill left and compresses what was sealed but not yet compressed.
        using (var child = ChildProcess.Start(log.Path_, 1, 16 * 1024, "compress", ackPath, Rounds, 1000))
        {
            Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), "the clean child did not finish");
            Assert.True(child.ExitCode == 0, string.Join("\n", child.Output));
            acks[Rounds] = child.ReadAck();
        }
        LogContents final = LogContents.ReadAndCheck(log.Path_);
        foreach (var (past, pastAck) in acks) final.AssertAcknowledgedPresent(past, pastAck);
        Assert.Equal(1000, final.EventsOfRound(Rounds));
        Assert.Empty(Directory.GetFiles(log.Directory, "*.tmp"));
        Assert.True(Directory.GetFiles(log.Directory, "*.mlogz").Length > 10, "segments were compressed");
        _output.WriteLine($"{roundsWithTemporary} of {Rounds} kills landed during a compression; {final.Counts.Count} events");
    }
}
