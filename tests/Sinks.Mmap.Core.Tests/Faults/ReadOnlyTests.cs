using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Core.Tests.Faults;

public class ReadOnlyTests
{
    private static readonly long T0 = new DateTime(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc).Ticks;
    private readonly ITestOutputHelper _output;

    public ReadOnlyTests(ITestOutputHelper output) => _output = output;

    [TmpfsFact]
    public void A_log_on_a_read_only_file_system_reports_a_clear_io_error_and_drops_events_without_throwing()
    {
        using Tmpfs disk = Tmpfs.Mount("size=1m,ro");
        foreach (string path in new[] { Path.Combine(disk.Directory, "app.mlog"), Path.Combine(disk.Directory, "sub", "app.mlog") })
        {
            var errors = new List<MmapLogError>();
            var options = new MmapLogOptions
            {
                Path = path,
                SegmentSizeBytes = 16 * 1024,
                RetryInterval = TimeSpan.FromMilliseconds(50),
                OnError = e => { lock (errors) errors.Add(e); },
            };
            using (var writer = new MmapLogWriter(options))
            {
                Assert.False(writer.IsWriting);
                for (int i = 0; i < 100; i++)
                {
                    var e = new SimpleEvent("Event {Number}", i, "x", 0);
                    Assert.False(writer.Append(T0 + i, MmapLevel.Information, ref e));
                }
                Assert.Equal(100, writer.DroppedEvents);
                System.Threading.Thread.Sleep(200);
                Assert.False(writer.IsWriting);
            }
            MmapLogError[] reported;
            lock (errors) reported = errors.ToArray();
            MmapLogError io = Assert.Single(reported);
            _output.WriteLine($"{path}: {io.Kind}: {io}");
            Assert.Equal(MmapLogErrorKind.Io, io.Kind);
            Assert.Contains("read-only", io.ToString(), StringComparison.OrdinalIgnoreCase);
            Assert.Contains(Path.GetDirectoryName(path)!, io.Message);
        }
        Assert.Empty(Directory.GetFileSystemEntries(disk.Directory));
    }
}
