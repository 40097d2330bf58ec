using System;
using System.Globalization;
using System.IO;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Torture.Tests;

/// <summary>
/// Scenarios 3 and 4 through the adapters, in real child processes: a full disk, a directory made
/// read-only or deleted while logging, and a second writer process on the same log. In each the
/// log calls keep returning promptly, the fault and the drop count are reported through SelfLog or
/// InternalLogger, and the events missing afterwards are exactly the ones reported as dropped.
/// </summary>
public partial class FaultTests
{
    // "Promptly": far below anything that would stall an application; scheduling noise on a busy 2-core machine stays well under it.
    private const long PromptMicroseconds = 500_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ITestOutputHelper _output;

    public FaultTests(ITestOutputHelper output) => _output = output;

    [TmpfsTheory]
    [MemberData(nameof(Adapters.Both), MemberType = typeof(Adapters))]
    public void On_a_full_disk_log_calls_return_promptly_drops_are_reported_and_logging_resumes_with_no_corrupt_segment_once_space_is_freed(string role)
    {
        using var folder = new TempFolder();
        using Tmpfs disk = Tmpfs.Mount("size=1m");
        // Ballast takes most of the disk; deleting it is how space is freed, so the log itself loses nothing on purpose.
        string ballast = Path.Combine(disk.Directory, "ballast");
        File.WriteAllBytes(ballast, new byte[768 * 1024]);
        string log = Path.Combine(disk.Directory, "log");
        var options = new ChildOptions(role, log, Path.Combine(folder.Path, "acks.bin")) { Threads = 2, SegmentBytes = 64 * 1024, PaceMilliseconds = 1 };
        using ChildProcess child = ChildProcess.Start(options);

        // First the segment prepared ahead cannot be created while the current one still has room; then events are dropped.
        _output.WriteLine(child.WaitForOutput("no space", Patience));
        WaitForDrops(child, Roles.LogPath(role, log));
        long slowest = SlowestCallFromNowOn(child, 300);
        File.Delete(ballast);
        long dropped = WaitForResume(child);
        AckSnapshot ack = LogAFewMore(child);

        Verdict verdict = Verdict.Check(Readback.FromMmap(Roles.LogPath(role, log)), new[] { new RoundAcks(0, ack.Acked) });
        _output.WriteLine($"slowest call while full {slowest} µs; {dropped} reported dropped; {verdict}");
        Assert.True(slowest < PromptMicroseconds, $"a log call took {slowest} µs while the disk was full");
        AssertMissingAreExactlyTheDropped(verdict, dropped);
    }

    [RootTheory]
    [MemberData(nameof(Adapters.Both), MemberType = typeof(Adapters))]
    [SupportedOSPlatform("linux")]
    public void A_log_directory_made_read_only_while_logging_reports_permission_denied_drops_and_resumes_when_writable_again(string role)
    {
        using var folder = new TempFolder();
        // Root ignores permissions: the child runs as nobody, from a copy of the harness it can read.
        string harness = DotnetChild.WorldReadableCopy("Sinks.Mmap.Torture.dll", folder.Sub("bin"));
        string log = folder.Sub("log");
        Command.RunOrFail("chown", "nobody", log);
        var options = new ChildOptions(role, log, Path.Combine(folder.Path, "acks.bin")) { Threads = 2, SegmentBytes = 16 * 1024, PaceMilliseconds = 1 };
        using ChildProcess child = ChildProcess.Start(options, harness, userName: "nobody");
        child.WaitFor(a => a.Total > 500, Patience, "some events");

        File.SetUnixFileMode(log, (UnixFileMode)0b101_101_101);
        _output.WriteLine(child.WaitForOutput("permission denied", Patience));
        WaitForDrops(child, Roles.LogPath(role, log));
        long slowest = SlowestCallFromNowOn(child, 300);
        File.SetUnixFileMode(log, (UnixFileMode)0b111_101_101);
        long dropped = WaitForResume(child);
        AckSnapshot ack = LogAFewMore(child);

        Verdict verdict = Verdict.Check(Readback.FromMmap(Roles.LogPath(role, log)), new[] { new RoundAcks(0, ack.Acked) });
        _output.WriteLine($"slowest call while read-only {slowest} µs; {dropped} reported dropped; {verdict}");
        Assert.True(slowest < PromptMicroseconds, $"a log call took {slowest} µs while the directory was read-only");
        AssertMissingAreExactlyTheDropped(verdict, dropped);
    }

    [Theory]
    [MemberData(nameof(Adapters.Both), MemberType = typeof(Adapters))]
    public void A_log_directory_deleted_while_logging_is_created_again_and_what_is_logged_after_it_is_all_there(string role)
    {
        using var folder = new TempFolder();
        string log = folder.Sub("log");
        var options = new ChildOptions(role, log, Path.Combine(folder.Path, "acks.bin")) { Threads = 2, SegmentBytes = 16 * 1024, PaceMilliseconds = 1 };
        using ChildProcess child = ChildProcess.Start(options);
        AckSnapshot before = child.WaitFor(a => a.Total > 500, Patience, "some events");

        DeleteWhileInUse(log);
        // The segments being written and prepared were deleted with it; the next one is created in a new directory.
        Poll.Until(() => Directory.Exists(log) && Directory.GetFiles(log, "app-*.mlog").Length > 1, Patience, () => "the directory and a segment to be created again; output:\n" + string.Join("\n", child.Output));
        AckSnapshot again = child.WaitFor(a => a.Total > before.Total + 1000, Patience, "more events after the directory came back");
        AckSnapshot ack = child.Kill();

        // What was written before the deletion went with the directory: each thread's events must run unbroken from its first one left.
        Readback read = Readback.FromMmap(Roles.LogPath(role, log));
        Verdict verdict = Verdict.Check(read, new[] { new RoundAcks(0, ack.Acked) }, retention: true);
        _output.WriteLine($"{before.Total} acknowledged before the deletion, {again.Total} when logging was seen again, {ack.Total} at the kill; {verdict}; output:\n{string.Join("\n", child.Output)}");
        Assert.True(verdict.Passed, verdict.ToString());
        for (int t = 0; t < ack.Acked.Length; t++) Assert.True(read.Counts.ContainsKey((0, t, ack.Acked[t])), $"thread {t}'s last acknowledged event is in the new directory");
    }

    [Fact]
    public void A_second_writer_process_says_who_holds_the_log_writes_beside_it_promptly_and_drops_nothing()
    {
        using var folder = new TempFolder();
        string log = folder.Sub("log");
        // The Serilog sink holds the log; the NLog target in another process is the second writer: both adapters, one format.
        var first = new ChildOptions(Roles.MmapSerilog, log, Path.Combine(folder.Path, "acks-0.bin")) { Threads = 2, SegmentBytes = 64 * 1024, PaceMilliseconds = 1 };
        var second = new ChildOptions(Roles.MmapNLog, log, Path.Combine(folder.Path, "acks-1.bin")) { Round = 1, Threads = 2, SegmentBytes = 64 * 1024, PaceMilliseconds = 1 };
        Assert.Equal(Roles.LogPath(first.Role, log), Roles.LogPath(second.Role, log));
        using ChildProcess holder = ChildProcess.Start(first);
        holder.WaitFor(a => a.Total > 100, Patience, "the first writer's events");
        using ChildProcess beside = ChildProcess.Start(second);

        string shared = beside.WaitForOutput($"process {holder.Id}", Patience);
        _output.WriteLine(shared);
        long slowest = SlowestCallFromNowOn(beside, 300);
        AckSnapshot firstAck = holder.Kill();
        AckSnapshot secondAck = LogAFewMore(beside);

        Verdict verdict = Verdict.Check(Readback.FromMmap(Roles.LogPath(first.Role, log)), new[] { new RoundAcks(0, firstAck.Acked), new RoundAcks(1, secondAck.Acked) });
        _output.WriteLine($"slowest call beside the other process {slowest} µs; {verdict}");
        Assert.True(slowest < PromptMicroseconds, $"a log call took {slowest} µs while another process held lane 1");
        verdict.ThrowIfFailed("second writer");
        Assert.DoesNotContain(beside.Output, line => line.Contains("dropped", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Waits until the log holds clearly fewer events than were acknowledged: the current segment is
    /// full and events are being dropped. (The writer reports the failed preparation of the next
    /// segment, but says nothing more when the current one fills and dropping begins.)
    /// </summary>
    private static void WaitForDrops(ChildProcess child, string logPath)
    {
        Poll.Until(() =>
        {
            long acked = child.ReadAck().Total;
            long logged = 0;
            foreach (MmapEvent _ in new MmapLogReader(logPath).ReadEvents()) logged++;
            return acked - logged > 100;
        }, Patience, () => "events to be dropped; output:\n" + string.Join("\n", child.Output));
    }

    /// <summary>Lets the child make <paramref name="calls"/> more calls and returns the slowest of them in microseconds.</summary>
    private static long SlowestCallFromNowOn(ChildProcess child, int calls)
    {
        AckFile.ResetSlowest(child.Options.AckPath);
        long from = child.ReadAck().Total;
        return child.WaitFor(a => a.Total >= from + calls, Patience, $"{calls} more log calls to return").SlowestCallMicroseconds;
    }

    /// <summary>Waits for the adapter's report that writing works again and returns the number of events it says were dropped.</summary>
    private long WaitForResume(ChildProcess child)
    {
        string resumed = child.WaitForOutput("were dropped", Patience);
        _output.WriteLine(resumed);
        Match count = DroppedCount().Match(resumed);
        Assert.True(count.Success, resumed);
        return long.Parse(count.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
    }

    private static AckSnapshot LogAFewMore(ChildProcess child)
    {
        long from = child.ReadAck().Total;
        child.WaitFor(a => a.Total >= from + 200, Patience, "events after the fault cleared");
        return child.Kill();
    }

    private static void AssertMissingAreExactlyTheDropped(Verdict verdict, long dropped)
    {
        Assert.True(dropped > 0, "the fault made the logger drop events");
        Assert.True(verdict.Duplicated == 0 && verdict.Unexpected == 0, verdict.ToString());
        // The only problems allowed are the missing events themselves, exactly as many as were reported.
        Assert.All(verdict.Problems, p => Assert.Contains("acknowledged event(s) missing", p));
        Assert.Equal(dropped, verdict.Lost);
    }

    /// <summary>Deletes a folder the writer may be creating a segment in at that very moment (then "not empty": try again).</summary>
    private static void DeleteWhileInUse(string folder)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 50)
            {
            }
        }
    }

    [GeneratedRegex(@"(\d+) event\(s\) were dropped")]
    private static partial Regex DroppedCount();
}

/// <summary>A theory that needs root (to run a child as another user) on Linux.</summary>
internal sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") Skip = "needs root on Linux, to run the child as nobody";
    }
}
