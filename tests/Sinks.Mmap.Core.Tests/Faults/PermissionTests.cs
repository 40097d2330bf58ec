using System;
using System.IO;
using System.Linq;
using Sinks.Mmap.Core.Tests.Crash;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Core.Tests.Faults;

[Collection(ChildProcessCollection.Name)]
public class PermissionTests
{
    private readonly ITestOutputHelper _output;

    public PermissionTests(ITestOutputHelper output) => _output = output;

    [TmpfsFact]
    public void A_writer_without_permission_to_the_log_directory_reports_permission_denied_and_drops_without_dying()
    {
        // Root ignores file modes, so the writer runs in a child process as "nobody", against a folder
        // only root may write to.
        if (!OperatingSystem.IsLinux()) return; // TmpfsFact skips elsewhere; this tells the analyzer.
        using var log = new TestLog();
        string directory = Path.Combine(log.Directory, "root-only");
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(log.Directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        string ackPath = Path.Combine(log.Directory, "ack.bin");
        using var child = ChildProcess.Start(Path.Combine(directory, "app.mlog"), 2, 16 * 1024, "paced", ackPath, 0, userName: "nobody");
        child.WaitFor(a => a.State == AckSnapshot.Logging && a.Dropped >= 100, TimeSpan.FromSeconds(20), "the child to drop 100 events");
        Poll.Until(() => child.Output.Any(l => l.StartsWith("error Io", StringComparison.Ordinal)), TimeSpan.FromSeconds(10), () => "the Io error line: " + string.Join("\n", child.Output));
        Assert.False(child.HasExited);
        AckSnapshot ack = child.KillNow();
        string[] errors = child.Output.Where(l => l.StartsWith("error", StringComparison.Ordinal)).ToArray();
        foreach (string e in errors) _output.WriteLine(e);
        Assert.Equal(new long[] { 0, 0 }, ack.Acked);
        string io = Assert.Single(errors);
        Assert.Contains("permission denied", io, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(directory, io);
        Assert.Empty(Directory.GetFileSystemEntries(directory));
        _output.WriteLine($"dropped {ack.Dropped} events while the child ran");
    }
}
