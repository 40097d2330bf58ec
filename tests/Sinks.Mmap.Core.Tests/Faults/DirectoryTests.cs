using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Sinks.Mmap.Core.Tests.Crash;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Core.Tests.Faults;

public class DirectoryTests
{
    private static readonly long T0 = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).Ticks;
    private readonly ITestOutputHelper _output;

    public DirectoryTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void A_log_under_directories_that_do_not_exist_creates_them()
    {
        using var log = new TestLog();
        string path = Path.Combine(log.Directory, "a", "b", "c", "app.mlog");
        var errors = new List<MmapLogError>();
        using (var writer = new MmapLogWriter(new MmapLogOptions { Path = path, SegmentSizeBytes = 16 * 1024, OnError = errors.Add }))
        {
            Assert.True(writer.IsWriting);
            for (int i = 0; i < 10; i++)
            {
                var e = new SimpleEvent("Event {Number}", i, "x", 0);
                Assert.True(writer.Append(T0 + i, MmapLevel.Information, ref e));
            }
        }
        Assert.Empty(errors);
        Assert.True(File.Exists(Path.Combine(log.Directory, "a", "b", "c", "app-000001.mlog")));
        Assert.Equal(10, new MmapLogReader(path).ReadEvents().Count());
    }

    [Fact]
    public void A_log_directory_deleted_while_the_writer_runs_is_created_again_and_logging_goes_on_without_throwing()
    {
        using var log = new TestLog();
        string directory = Path.Combine(log.Directory, "logs");
        string path = Path.Combine(directory, "app.mlog");
        var errors = new List<MmapLogError>();
        var options = new MmapLogOptions
        {
            Path = path,
            SegmentSizeBytes = 8 * 1024,
            RetainedFileCountLimit = null,
            RetryInterval = TimeSpan.FromMilliseconds(50),
            OnError = e => { lock (errors) errors.Add(e); },
        };
        int number = 0;
        int acked = 0;
        int dropped = 0;
        bool Log(MmapLogWriter writer)
        {
            var e = new SimpleEvent("Event {Number} with {Text}", number, new string('d', 100), number);
            bool ok = writer.Append(T0 + number, MmapLevel.Information, ref e);
            number++;
            if (ok) acked++; else dropped++;
            return ok;
        }
        int firstAfterRecreate;
        using (var writer = new MmapLogWriter(options))
        {
            for (int i = 0; i < 300; i++) Assert.True(Log(writer));
            // The maintainer may be creating the next segment in it right now ("directory not empty"): try again.
            Poll.Until(() =>
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                    return true;
                }
                catch (IOException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(10), () => "deleting the log directory");

            // Keep logging (slowly enough for the maintainer to prepare segments) until the directory is back with a live segment in it.
            DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!(Directory.Exists(directory) && writer.CurrentSegmentPath is { } current && File.Exists(current)))
            {
                Assert.True(DateTime.UtcNow < deadline, "the writer did not create the directory again");
                Log(writer);
                if (number % 20 == 0) System.Threading.Thread.Sleep(1);
            }
            firstAfterRecreate = number;
            for (int i = 0; i < 300; i++) Assert.True(Log(writer), $"event {number} was dropped after the directory was back");
            Assert.True(writer.IsWriting);
            _output.WriteLine($"directory back after {firstAfterRecreate - 300} more events; acked {acked}, dropped {dropped} (writer counted {writer.DroppedEvents})");
            Assert.Equal(dropped, writer.DroppedEvents);
        }
        MmapLogError[] reported;
        lock (errors) reported = errors.ToArray();
        foreach (MmapLogError e in reported) _output.WriteLine($"{e.Kind}: {e}");
        Assert.DoesNotContain(reported, e => e.Kind == MmapLogErrorKind.EventRejected);

        // What is in the new directory is whole: segments decode, sequences run on, nothing is corrupt.
        LogContents.AssertNotCorrupt(new MmapLogReader(path).Validate());
        List<MmapRecord> records = new MmapLogReader(path).ReadRecords().ToList();
        Assert.True(records.Zip(records.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "sequences do not increase");
        var read = records.Where(r => r.Event is not null).Select(r => (int)((LogScalar)r.Event!.Properties[0].Value).Value!).ToList();
        Assert.Equal(read.Count, read.Distinct().Count());
        Assert.Subset(read.ToHashSet(), Enumerable.Range(firstAfterRecreate, 300).ToHashSet());
        // The sequence continued from before the deletion rather than starting again at 1.
        Assert.True(records[0].Sequence > 300, $"the first record in the re-created directory has sequence {records[0].Sequence}");
    }
}
