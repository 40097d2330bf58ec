using System;
using System.IO;
using System.Linq;
using System.Threading;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Torture.Tests;

/// <summary>
/// Two processes on one path: a rolling restart where the new process starts before the old one is
/// gone (IIS overlapped recycle, a service manager, two instances given one configuration). Neither
/// may lose an acknowledged event, and the log reads back as one.
/// </summary>
public class OverlapTests
{
    private readonly ITestOutputHelper _output;

    public OverlapTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, string> Pairs => new()
    {
        { Roles.MmapSerilog, Roles.MmapSerilog },
        { Roles.MmapNLog, Roles.MmapNLog },
        { Roles.MmapSerilog, Roles.MmapNLog },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void A_process_started_while_another_still_writes_the_log_loses_no_event_of_either(string oldRole, string newRole)
    {
        using var folder = new TempFolder();
        var oldOptions = new ChildOptions(oldRole, folder.Path, Path.Combine(folder.Path, "old.ack")) { Round = 0, Threads = 2, SegmentBytes = 256 * 1024 };
        var newOptions = new ChildOptions(newRole, folder.Path, Path.Combine(folder.Path, "new.ack")) { Round = 1, Threads = 2, SegmentBytes = 256 * 1024 };
        Assert.Equal(Roles.LogPath(oldRole, folder.Path), Roles.LogPath(newRole, folder.Path));

        using var old = ChildProcess.Start(oldOptions);
        old.WaitFor(a => a.Total >= 5000, TimeSpan.FromSeconds(30), "the old process to log 5000 events");
        using var next = ChildProcess.Start(newOptions);
        next.WaitFor(a => a.Total >= 1000, TimeSpan.FromSeconds(30), "the new process to log beside the old one");
        // Both write for a while, as in an overlapped recycle; then the old one goes.
        Thread.Sleep(2000);
        AckSnapshot oldAcks = old.Kill();
        long before = next.ReadAck().Total;
        next.WaitFor(a => a.Total >= before + 5000, TimeSpan.FromSeconds(30), "the new process to go on after the old one");
        AckSnapshot newAcks = next.Kill();

        foreach (string line in old.Output.Concat(next.Output)) _output.WriteLine(line);
        Readback log = Readback.FromMmap(Roles.LogPath(newRole, folder.Path));
        Verdict verdict = Verdict.Check(log, new[] { new RoundAcks(0, oldAcks.Acked), new RoundAcks(1, newAcks.Acked) });
        _output.WriteLine($"old {oldRole} acknowledged {oldAcks.Total}, new {newRole} {newAcks.Total}: {verdict}");
        verdict.ThrowIfFailed($"{oldRole} then {newRole}");
        Assert.Equal(oldAcks.Total + newAcks.Total, verdict.Found);
        Assert.DoesNotContain(next.Output, line => line.Contains("dropped", StringComparison.OrdinalIgnoreCase));
        Assert.True(File.Exists(Path.Combine(folder.Path, "app~2.mlog.lock")), "the new process did not take a lane of its own");
    }
}
