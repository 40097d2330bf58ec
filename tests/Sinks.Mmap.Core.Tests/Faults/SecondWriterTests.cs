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
    public void A_second_writer_in_the_same_process_writes_a_lane_beside_the_first_and_drops_nothing()
    {
        using var log = new TestLog();
        var firstErrors = new List<MmapLogError>();
        var secondErrors = new List<MmapLogError>();
        using (var first = new MmapLogWriter(Options(log.Path_, firstErrors)))
        {
            for (int i = 0; i < 100; i++)
            {
                var e = new SimpleEvent("First {Number}", i, "first", 0);
                Assert.True(first.Append(T0 + i, MmapLevel.Information, ref e));
            }
            using var second = new MmapLogWriter(Options(log.Path_, secondErrors));
            Assert.True(second.IsWriting);
            Assert.Equal(1, first.Lane);
            Assert.Equal(2, second.Lane);
            Assert.StartsWith(Path.Combine(log.Directory, "app~2-"), second.CurrentSegmentPath);
            MmapLogError shared = Assert.Single(Snapshot(secondErrors));
            _output.WriteLine(shared.Message);
            Assert.Equal(MmapLogErrorKind.SharedLog, shared.Kind);
            Assert.Contains("app.mlog.lock", shared.Message);
            Assert.Contains($"process {Environment.ProcessId}", shared.Message);
            for (int i = 0; i < 100; i++)
            {
                var a = new SimpleEvent("First {Number}", 100 + i, "first", 0);
                var b = new SimpleEvent("Second {Number}", i, "second", 0);
                Assert.True(first.Append(T0 + 200 + 2 * i, MmapLevel.Information, ref a));
                Assert.True(second.Append(T0 + 201 + 2 * i, MmapLevel.Information, ref b));
            }
            Assert.Equal(0, second.DroppedEvents);
        }
        Assert.Empty(Snapshot(firstErrors));
        LogContents.AssertNotCorrupt(new MmapLogReader(log.Directory).Validate());
        List<MmapEvent> events = new MmapLogReader(log.Directory).ReadEvents().ToList();
        Assert.Equal(Enumerable.Range(0, 200), events.Where(e => e.MessageTemplate == "First {Number}").Select(Number));
        Assert.Equal(Enumerable.Range(0, 100), events.Where(e => e.MessageTemplate == "Second {Number}").Select(Number));

        // Once both have closed, the next writer takes lane 1 again.
        var thirdErrors = new List<MmapLogError>();
        using (var third = new MmapLogWriter(Options(log.Path_, thirdErrors)))
        {
            Assert.Equal(1, third.Lane);
        }
        Assert.Empty(Snapshot(thirdErrors));
    }

    [Fact]
    public void A_writer_starting_while_another_process_writes_the_log_loses_nothing_and_seals_that_lane_after_the_process_is_killed()
    {
        using var log = new TestLog();
        string ackPath = Path.Combine(log.Directory, "ack.bin");
        var errors = new List<MmapLogError>();
        AckSnapshot ack;
        using (var child = ChildProcess.Start(log.Path_, 2, 16 * 1024, "paced", ackPath, 1))
        {
            child.WaitFor(a => a.TotalAcked >= 2000, TimeSpan.FromSeconds(20), "the child to log 2000 events");
            using var writer = new MmapLogWriter(Options(log.Path_, errors));
            Assert.True(writer.IsWriting);
            Assert.Equal(2, writer.Lane);
            Assert.Contains($"process {child.Id}", Assert.Single(Snapshot(errors), e => e.Kind == MmapLogErrorKind.SharedLog).Message);
            for (int i = 0; i < 100; i++)
            {
                var e = new SimpleEvent("Parent {Number}", i, "parent", 0);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
            ack = child.KillNow();
            // Nobody will take lane 1 again soon: the writer of lane 2 seals what the killed child left there.
            Poll.Until(() => Snapshot(errors).Any(e => e.Kind == MmapLogErrorKind.Recovery && e.Message.Contains("app-")), TimeSpan.FromSeconds(15),
                () => "lane 1 to be recovered: " + string.Join("\n", Snapshot(errors).Select(e => e.ToString())));
            for (int i = 100; i < 200; i++)
            {
                var e = new SimpleEvent("Parent {Number}", i, "parent", 0);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }
        foreach (MmapLogError e in Snapshot(errors)) _output.WriteLine($"{e.Kind}: {e.Message}");
        Assert.DoesNotContain(Snapshot(errors), e => e.Kind is MmapLogErrorKind.Locked or MmapLogErrorKind.Io or MmapLogErrorKind.EventRejected);
        LogContents contents = LogContents.ReadAndCheck(log.Directory);
        contents.AssertAcknowledgedPresent(1, ack);
        Assert.Equal(Enumerable.Range(0, 200), contents.Records.Where(r => r.Event?.MessageTemplate == "Parent {Number}").Select(r => Number(r.Event!)));
        Assert.All(contents.Validation.Segments, s => Assert.True(s.Sealed, $"{s.Path} is not sealed"));
    }

    [Fact]
    public void A_deleted_lock_file_does_not_let_a_second_writer_into_the_first_writers_lane()
    {
        using var log = new TestLog();
        var firstErrors = new List<MmapLogError>();
        var secondErrors = new List<MmapLogError>();
        using (var first = new MmapLogWriter(Options(log.Path_, firstErrors)))
        {
            for (int i = 0; i < 50; i++)
            {
                var e = new SimpleEvent("First {Number}", i, "first", 0);
                Assert.True(first.Append(T0 + i, MmapLevel.Information, ref e));
            }
            File.Delete(Path.Combine(log.Directory, "app.mlog.lock"));
            using (var second = new MmapLogWriter(Options(log.Path_, secondErrors)))
            {
                Assert.True(second.IsWriting);
                for (int i = 0; i < 50; i++)
                {
                    var a = new SimpleEvent("First {Number}", 50 + i, "first", 0);
                    var b = new SimpleEvent("Second {Number}", i, "second", 0);
                    Assert.True(first.Append(T0 + 100 + 2 * i, MmapLevel.Information, ref a));
                    Assert.True(second.Append(T0 + 101 + 2 * i, MmapLevel.Information, ref b));
                }
                // Whichever took the new lock file first, they never share a lane.
                Poll.Until(() => first.Lane != 0 && first.Lane != second.Lane && first.CurrentSegmentPath != null, TimeSpan.FromSeconds(10), () => $"lanes {first.Lane} and {second.Lane}");
                _output.WriteLine($"first in lane {first.Lane}, second in lane {second.Lane}");
            }
        }
        foreach (MmapLogError e in Snapshot(firstErrors).Concat(Snapshot(secondErrors))) _output.WriteLine($"{e.Kind}: {e.Message}");
        Assert.DoesNotContain(Snapshot(secondErrors), e => e.Kind == MmapLogErrorKind.Recovery && e.Message.Contains("recovered"));
        LogContents.AssertNotCorrupt(new MmapLogReader(log.Directory).Validate());
        List<MmapEvent> events = new MmapLogReader(log.Directory).ReadEvents().ToList();
        Assert.Equal(Enumerable.Range(0, 100), events.Where(e => e.MessageTemplate == "First {Number}").Select(Number));
        Assert.Equal(Enumerable.Range(0, 50), events.Where(e => e.MessageTemplate == "Second {Number}").Select(Number));
    }

    [Fact]
    public void A_second_process_on_a_log_whose_folder_was_deleted_never_cuts_the_first_writers_segments_and_both_keep_logging()
    {
        using var log = new TestLog();
        string folder = Path.Combine(log.Directory, "logs");
        string path = Path.Combine(folder, "app.mlog");
        string ackPath = Path.Combine(log.Directory, "ack.bin");
        var errors = new List<MmapLogError>();
        using var child = ChildProcess.Start(path, 2, 16 * 1024, "paced", ackPath, 0);
        child.WaitFor(a => a.TotalAcked >= 2000, TimeSpan.FromSeconds(20), "the child to log 2000 events");
        Poll.Until(() =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
                return true;
            }
            catch (IOException)
            {
                return false; // the child was creating a segment in it
            }
        }, TimeSpan.FromSeconds(10), () => "deleting the log folder");
        // The child notices, makes the folder again and moves its writing there: once a segment has
        // started in the new folder, whatever the child acknowledges next is written there.
        Poll.Until(() => Directory.Exists(folder) && Directory.GetFiles(folder, "app*-*.mlog").Any(HasStarted), TimeSpan.FromSeconds(10),
            () => "the child to write in the folder again: " + string.Join("\n", child.Output));
        // A log call that claimed its slot in the old segment just before the switch returns within microseconds.
        System.Threading.Thread.Sleep(100);
        AckSnapshot afterMove = child.ReadAck();
        using (var writer = new MmapLogWriter(Options(path, errors)))
        {
            Assert.True(writer.IsWriting);
            for (int i = 0; i < 300; i++)
            {
                var e = new SimpleEvent("Parent {Number}", i, "parent", 0);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
                if (i % 10 == 0) System.Threading.Thread.Sleep(1);
            }
            // The child goes on logging (and rotating) beside this writer: it was not cut under its mapping.
            long before = child.ReadAck().TotalAcked;
            child.WaitFor(a => a.TotalAcked > before + 1000, TimeSpan.FromSeconds(20), "the child to keep logging beside the new writer");
            Assert.NotEqual(0, writer.Lane);
        }
        Assert.False(child.HasExited, "the first writer died: " + string.Join("\n", child.Output));
        AckSnapshot final = child.KillNow();
        foreach (string line in child.Output) _output.WriteLine("child: " + line);
        foreach (MmapLogError e in Snapshot(errors)) _output.WriteLine($"{e.Kind}: {e.Message}");

        // A new writer seals what the killed child left; then every event the child acknowledged after its
        // move (the ones before went with the deleted folder, by the user's hand) and all the parent's are there.
        using (new MmapLogWriter(Options(path, new List<MmapLogError>())))
        {
        }
        LogContents contents = LogContents.ReadAndCheck(folder);
        contents.AssertAcknowledgedBetween(0, afterMove, final);
        Assert.Equal(Enumerable.Range(0, 300), contents.Records.Where(r => r.Event?.MessageTemplate == "Parent {Number}").Select(r => Number(r.Event!)));
    }

    private static bool HasStarted(string segment)
    {
        try
        {
            using var file = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            byte[] magic = new byte[8];
            return file.Read(magic, 0, 8) == 8 && System.Text.Encoding.ASCII.GetString(magic) == "SMMAPLOG";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int Number(MmapEvent e) => (int)((LogScalar)e.Properties[0].Value).Value!;
}
