using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Core.Tests.Crash;

[Collection(ChildProcessCollection.Name)]
public class KillTests
{
    private readonly ITestOutputHelper _output;

    public KillTests(ITestOutputHelper output) => _output = output;

    private enum KillMoment
    {
        /// <summary>A random few milliseconds after the process started: usually before or while the runtime starts.</summary>
        VeryEarly,
        /// <summary>As soon as the child says it is opening the writer: during lock, recovery and first segment.</summary>
        WhileOpening,
        /// <summary>Paced logging, after a random number of acknowledged events.</summary>
        WhilePacedLogging,
        /// <summary>Logging as fast as the threads can, after a random number of acknowledged events.</summary>
        WhileFloodLogging,
    }

    private sealed record Round(KillMoment Moment, int Threads, long SegmentSize, bool RecoverAfter);

    [Fact]
    public void Every_acknowledged_event_survives_sigkill_exactly_once_across_rounds_on_the_same_log()
    {
        // A new seed each run covers more kill moments over time; it is printed to replay a failure's plan.
        int seed = Environment.TickCount;
        var random = new Random(seed);
        _output.WriteLine($"seed {seed}");
        // A fixed plan: every kind of moment, with and without the parent recovering in between, so
        // some children start by recovering the previous child's crash (and some are killed doing it).
        Round[] plan =
        {
            new(KillMoment.WhilePacedLogging, 2, 16 * 1024, RecoverAfter: false),
            new(KillMoment.WhileOpening, 3, 16 * 1024, RecoverAfter: false),
            new(KillMoment.VeryEarly, 2, 16 * 1024, RecoverAfter: false),
            new(KillMoment.WhileFloodLogging, 4, 32 * 1024, RecoverAfter: true),
            new(KillMoment.WhilePacedLogging, 4, 8 * 1024, RecoverAfter: false),
            new(KillMoment.VeryEarly, 1, 16 * 1024, RecoverAfter: false),
            new(KillMoment.WhileOpening, 2, 16 * 1024, RecoverAfter: true),
            new(KillMoment.WhileFloodLogging, 3, 16 * 1024, RecoverAfter: false),
            new(KillMoment.WhileOpening, 4, 16 * 1024, RecoverAfter: false),
            new(KillMoment.WhilePacedLogging, 1, 4 * 1024, RecoverAfter: true),
            new(KillMoment.WhileFloodLogging, 2, 64 * 1024, RecoverAfter: false),
            new(KillMoment.VeryEarly, 4, 16 * 1024, RecoverAfter: true),
        };
        using var log = new TestLog();
        string ackPath = Path.Combine(log.Directory, "ack.bin");
        var acks = new Dictionary<int, AckSnapshot>();
        var total = Stopwatch.StartNew();
        for (int r = 0; r < plan.Length; r++)
        {
            Round round = plan[r];
            AckSnapshot ack;
            var killedAfter = Stopwatch.StartNew();
            using (var child = ChildProcess.Start(log.Path_, round.Threads, round.SegmentSize, round.Moment == KillMoment.WhileFloodLogging ? "log" : "paced", ackPath, r))
            {
                switch (round.Moment)
                {
                    case KillMoment.VeryEarly:
                        System.Threading.Thread.Sleep(random.Next(0, 150));
                        break;
                    case KillMoment.WhileOpening:
                        child.WaitFor(a => a.State >= AckSnapshot.Opening, TimeSpan.FromSeconds(20), "the child to start opening its writer");
                        break;
                    case KillMoment.WhilePacedLogging:
                    case KillMoment.WhileFloodLogging:
                        long target = random.Next(500, round.Moment == KillMoment.WhileFloodLogging ? 60_000 : 8_000);
                        child.WaitFor(a => a.TotalAcked >= target, TimeSpan.FromSeconds(20), $"{target} acknowledged events");
                        break;
                }
                ack = child.KillNow();
                killedAfter.Stop();
            }
            acks[r] = ack;

            // Straight after the kill, before any recovery: acknowledged events are readable, nothing twice.
            LogContents before = LogContents.ReadAndCheck(log.Path_);
            foreach (var (past, pastAck) in acks) before.AssertAcknowledgedPresent(past, pastAck);
            int inLog = before.EventsOfRound(r);
            string line = $"round {r} {round.Moment,-17} threads {round.Threads} segment {round.SegmentSize / 1024,2} KiB: state {ack.State}, acknowledged {ack.TotalAcked,6}, in log {inLog,6} (+{inLog - ack.TotalAcked} unacknowledged), lost 0, " +
                $"segments {before.Validation.Segments.Count}, holes {before.Validation.Segments.Sum(s => s.Holes.Count)}, killed {killedAfter.ElapsedMilliseconds} ms after start";

            if (round.RecoverAfter)
            {
                line += RecoverAndCheck(log, r, acks);
            }
            _output.WriteLine(line);
        }
        // Finally a clean child run on the same path: it recovers whatever the last round left and exits cleanly.
        using (var child = ChildProcess.Start(log.Path_, 2, 16 * 1024, "write", ackPath, plan.Length, 1000))
        {
            Assert.True(child.WaitForExit(TimeSpan.FromSeconds(30)), "the clean child did not finish");
            Assert.True(child.ExitCode == 0, string.Join("\n", child.Output));
            acks[plan.Length] = child.ReadAck();
        }
        LogContents final = LogContents.ReadAndCheck(log.Path_);
        foreach (var (past, pastAck) in acks) final.AssertAcknowledgedPresent(past, pastAck);
        Assert.Equal(2000, final.EventsOfRound(plan.Length));
        Assert.All(final.Validation.Segments, s => Assert.True(s.Sealed, $"{s.Path} is not sealed after a clean exit"));
        _output.WriteLine($"total {total.ElapsedMilliseconds} ms, {final.Counts.Count} events, {final.Validation.Segments.Count} segments");
    }

    [Fact]
    public void Every_acknowledged_event_written_in_claim_blocks_survives_sigkill_exactly_once()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        _output.WriteLine($"seed {seed}");
        // Four threads, each in blocks from its first record: every kill leaves open blocks (holes up to
        // the next thread's records), some in segments still being filled, some just rotated away.
        (int Threads, long SegmentSize, bool RecoverAfter)[] plan =
        {
            (4, 64 * 1024, false),
            (3, 32 * 1024, true),
            (4, 256 * 1024, false),
            (2, 64 * 1024, true),
            (4, 1024 * 1024, false),
        };
        using var log = new TestLog();
        string ackPath = Path.Combine(log.Directory, "ack.bin");
        var acks = new Dictionary<int, AckSnapshot>();
        for (int r = 0; r < plan.Length; r++)
        {
            AckSnapshot ack;
            using (var child = ChildProcess.Start(log.Path_, plan[r].Threads, plan[r].SegmentSize, "blocks", ackPath, r))
            {
                long target = random.Next(2_000, 60_000);
                child.WaitFor(a => a.TotalAcked >= target, TimeSpan.FromSeconds(20), $"{target} acknowledged events");
                ack = child.KillNow();
            }
            acks[r] = ack;
            LogContents before = LogContents.ReadAndCheck(log.Path_);
            foreach (var (past, pastAck) in acks) before.AssertAcknowledgedPresent(past, pastAck);
            Assert.Contains(before.Records, record => record.Kind == MmapRecordKind.Unused);
            string line = $"round {r} threads {plan[r].Threads} segment {plan[r].SegmentSize / 1024,4} KiB: acknowledged {ack.TotalAcked,6}, in log {before.EventsOfRound(r),6}, " +
                $"holes {before.Validation.Segments.Sum(s => s.Holes.Count)}";
            if (plan[r].RecoverAfter)
            {
                line += RecoverAndCheck(log, r, acks);
            }
            _output.WriteLine(line);
        }
        LogContents final = LogContents.ReadAndCheck(log.Path_);
        foreach (var (past, pastAck) in acks) final.AssertAcknowledgedPresent(past, pastAck);
    }

    /// <summary>Opens a writer on the crashed log, writes a marker, and checks that the sequence continues where recovery stopped.</summary>
    private static string RecoverAndCheck(TestLog log, int round, Dictionary<int, AckSnapshot> acks)
    {
        var errors = new List<MmapLogError>();
        string newSegment;
        RecoveryReport recovery;
        using (var writer = new MmapLogWriter(new MmapLogOptions
        {
            Path = log.Path_,
            SegmentSizeBytes = 16 * 1024,
            RetainedFileCountLimit = null,
            OnError = e => { lock (errors) errors.Add(e); },
        }))
        {
            Assert.True(writer.IsWriting, string.Join("\n", errors));
            recovery = writer.Recovery!;
            Assert.Empty(recovery.Problems);
            newSegment = writer.CurrentSegmentPath!;
            var marker = new MarkerEvent(round);
            Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref marker));
        }
        Assert.DoesNotContain(errors, e => e.Kind is MmapLogErrorKind.Io or MmapLogErrorKind.Locked or MmapLogErrorKind.EventRejected);

        LogContents after = LogContents.ReadAndCheck(log.Path_);
        foreach (var (past, pastAck) in acks) after.AssertAcknowledgedPresent(past, pastAck);
        Assert.All(after.Validation.Segments, s => Assert.True(s.Sealed, $"{s.Path} is not sealed after recovery and a clean close"));
        Assert.All(after.Validation.Segments, s => Assert.Empty(s.Holes));

        // The new writer's first record follows the last recovered one.
        var segments = after.Validation.Segments;
        int index = segments.ToList().FindIndex(s => s.Path == newSegment);
        Assert.True(index >= 0, $"the new writer's segment {newSegment} is not in the log");
        long expectedFirst = index == 0 ? 1 : segments[index - 1].LastSequence!.Value + 1;
        Assert.Equal(expectedFirst, segments[index].FirstSequence);
        Assert.Equal(recovery.NextSequence, segments[index].FirstSequence);
        Assert.Contains(after.Records, r => r.Event is { } e && e.MessageTemplate == MarkerEvent.Template && e.Sequence > 0 && r.SegmentPath == newSegment);
        return $"; recovered {recovery.Repaired.Count} segment(s) (lost {recovery.Repaired.Sum(x => x.LostSequences)} claimed, {recovery.Repaired.Sum(x => x.HolesFilled)} holes), new writer starts at {recovery.NextSequence}";
    }

    private readonly struct MarkerEvent : IEventPayload
    {
        public const string Template = "Recovered after round {Round}";
        private readonly int _round;

        public MarkerEvent(int round) => _round = round;

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = Template, PropertyCount = 1 });
            writer.WritePropertyName("Round");
            writer.WriteInt32(_round);
        }
    }
}
