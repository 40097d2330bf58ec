using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sinks.Mmap.Core.Tests.Crash;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Core.Tests.Faults;

[Collection(ChildProcessCollection.Name)]
public class SecondWriterTests
{
    private static readonly long T0 = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).Ticks;
    private readonly ITestOutputHelper _output;

    public SecondWriterTests(ITestOutputHelper output) => _output = output;

    private static MmapLogOptions Options(string path, List<MmapLogError> errors) => new()
    {
        Path = path,
        SegmentSizeBytes = 16 * 1024,
        RetainedFileCountLimit = null,
        RetryInterval = TimeSpan.FromMilliseconds(50),
        OnError = e => { lock (errors) errors.Add(e); },
    };

    private static MmapLogError[] Snapshot(List<MmapLogError> errors)
    {
        lock (errors) return errors.ToArray();
    }

    [Fact]
    public void A_second_writer_in_the_same_process_reports_the_lock_and_its_holder_then_takes_over_when_the_first_closes()
    {
        using var log = new TestLog();
        var firstErrors = new List<MmapLogError>();
        var secondErrors = new List<MmapLogError>();
        var first = new MmapLogWriter(Options(log.Path_, firstErrors));
        MmapLogWriter? second = null;
        try
        {
            for (int i = 0; i < 100; i++)
            {
                var e = new SimpleEvent("First {Number}", i, "first", 0);
                Assert.True(first.Append(T0 + i, MmapLevel.Information, ref e));
            }
            second = new MmapLogWriter(Options(log.Path_, secondErrors));
            Assert.False(second.IsWriting);
            for (int i = 0; i < 10; i++)
            {
                var e = new SimpleEvent("Second {Number}", i, "dropped", 0);
                Assert.False(second.Append(T0 + 1000 + i, MmapLevel.Information, ref e));
            }
            Assert.Equal(10, second.DroppedEvents);
            MmapLogError locked = Assert.Single(Snapshot(secondErrors));
            _output.WriteLine(locked.Message);
            Assert.Equal(MmapLogErrorKind.Locked, locked.Kind);
            Assert.Contains("app.mlog.lock", locked.Message);
            Assert.Contains($"process {Environment.ProcessId}", locked.Message);

            // The first keeps writing while the second retries.
            System.Threading.Thread.Sleep(200);
            Assert.True(first.IsWriting);
            Assert.False(second.IsWriting);
            Assert.Single(Snapshot(secondErrors));

            first.Dispose();
            Poll.Until(() => second.IsWriting, TimeSpan.FromSeconds(10), () => "the second writer to take the lock: " + string.Join("\n", Snapshot(secondErrors).Select(e => e.ToString())));
            Assert.Contains(Snapshot(secondErrors), e => e.Kind == MmapLogErrorKind.Recovered && e.Message.Contains("10 event(s) were dropped"));
            for (int i = 0; i < 100; i++)
            {
                var e = new SimpleEvent("Second {Number}", i, "second", 0);
                Assert.True(second.Append(T0 + 2000 + i, MmapLevel.Information, ref e));
            }
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
        Assert.Empty(Snapshot(firstErrors));
        Assert.DoesNotContain(Snapshot(secondErrors), e => e.Kind is MmapLogErrorKind.Recovery or MmapLogErrorKind.Io);
        LogContents.AssertNotCorrupt(new MmapLogReader(log.Path_).Validate());
        List<MmapEvent> events = new MmapLogReader(log.Path_).ReadEvents().ToList();
        Assert.Equal(100, events.Count(e => e.MessageTemplate == "First {Number}"));
        Assert.Equal(100, events.Count(e => e.MessageTemplate == "Second {Number}"));
        Assert.DoesNotContain(events, e => e.TryGetProperty("Text", out LogValue t) && (string?)((LogScalar)t).Value == "dropped");
    }

    [Fact]
    public void A_writer_waiting_for_another_process_takes_over_and_recovers_its_log_after_that_process_is_killed()
    {
        using var log = new TestLog();
        string ackPath = Path.Combine(log.Directory, "ack.bin");
        var errors = new List<MmapLogError>();
        MmapLogWriter? writer = null;
        AckSnapshot ack;
        try
        {
            using (var child = ChildProcess.Start(log.Path_, 2, 16 * 1024, "paced", ackPath, 0))
            {
                child.WaitFor(a => a.TotalAcked >= 2000, TimeSpan.FromSeconds(20), "the child to log 2000 events");
                writer = new MmapLogWriter(Options(log.Path_, errors));
                Assert.False(writer.IsWriting);
                var dropped = new SimpleEvent("Parent {Number}", -1, "dropped", 0);
                Assert.False(writer.Append(T0, MmapLevel.Information, ref dropped));
                MmapLogError locked = Assert.Single(Snapshot(errors));
                _output.WriteLine(locked.Message);
                Assert.Equal(MmapLogErrorKind.Locked, locked.Kind);
                Assert.Contains($"process {child.Id}", locked.Message);
                Assert.Null(writer.Recovery);

                ack = child.KillNow();
            }
            Poll.Until(() => writer.IsWriting, TimeSpan.FromSeconds(10), () => "the parent's writer to take over: " + string.Join("\n", Snapshot(errors).Select(e => e.ToString())));
            RecoveryReport recovery = writer.Recovery!;
            Assert.NotNull(recovery);
            Assert.Empty(recovery.Problems);
            // The segment being written, and any sealed ones the child's maintainer had not trimmed yet.
            Assert.NotEmpty(recovery.Repaired);
            foreach (RepairedSegment repaired in recovery.Repaired)
            {
                _output.WriteLine($"child acknowledged {ack.TotalAcked}; recovered {Path.GetFileName(repaired.Path)}: kept {repaired.RecordsKept}, lost {repaired.LostSequences}, holes {repaired.HolesFilled}");
                Assert.Contains(Snapshot(errors), e => e.Kind == MmapLogErrorKind.Recovery && e.Message.Contains(Path.GetFileName(repaired.Path)));
            }
            Assert.Contains(Snapshot(errors), e => e.Kind == MmapLogErrorKind.Recovered);
            for (int i = 0; i < 100; i++)
            {
                var e = new SimpleEvent("Parent {Number}", i, "parent", 0);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }
        finally
        {
            writer?.Dispose();
        }
        LogContents contents = LogContents.ReadAndCheck(log.Path_);
        contents.AssertAcknowledgedPresent(0, ack);
        Assert.Equal(100, contents.Records.Count(r => r.Event?.MessageTemplate == "Parent {Number}"));
        Assert.All(contents.Validation.Segments, s => Assert.True(s.Sealed, $"{s.Path} is not sealed"));
    }
}
