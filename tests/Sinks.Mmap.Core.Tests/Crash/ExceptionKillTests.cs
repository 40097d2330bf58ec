using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Core.Tests.Crash;

/// <summary>
/// Exception texts are interned in their segment (format 1.3): a text is defined once and referred to
/// after. A writer killed while logging them, across rotations, must leave every acknowledged event
/// with its whole text, before and after recovery.
/// </summary>
[Collection(ChildProcessCollection.Name)]
public class ExceptionKillTests
{
    private readonly ITestOutputHelper _output;

    public ExceptionKillTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void A_writer_killed_while_logging_repeated_exceptions_leaves_every_acknowledged_event_with_its_whole_text()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        using var log = new TestLog();
        string ackPath = Path.Combine(log.Directory, "ack.bin");
        var acks = new Dictionary<int, AckSnapshot>();
        for (int round = 0; round < 3; round++)
        {
            long target = random.Next(2_000, 12_000);
            // 64 KiB segments: a shared text is defined again in each, and several rotations happen per round.
            using (var child = ChildProcess.Start(log.Path_, 2, 64 * 1024, "exceptions", ackPath, round))
            {
                child.WaitFor(a => a.TotalAcked >= target, TimeSpan.FromSeconds(30), $"{target} acknowledged events");
                acks[round] = child.KillNow();
            }
            LogContents killed = LogContents.ReadAndCheck(log.Path_);
            foreach (var (past, ack) in acks) killed.AssertAcknowledgedPresent(past, ack);
            int texts = AssertWholeTexts(killed);
            _output.WriteLine($"seed {seed} round {round}: acknowledged {acks[round].TotalAcked}, exception texts checked {texts}, segments {killed.Validation.Segments.Count}");
        }
        // A writer opened on the log recovers the last round's segment; every text still reads whole.
        using (var writer = new MmapLogWriter(new MmapLogOptions { Path = log.Path_, SegmentSizeBytes = 64 * 1024, RetainedFileCountLimit = null }))
        {
            Assert.True(writer.IsWriting);
            Assert.Empty(writer.Recovery!.Problems);
        }
        LogContents recovered = LogContents.ReadAndCheck(log.Path_);
        foreach (var (past, ack) in acks) recovered.AssertAcknowledgedPresent(past, ack);
        AssertWholeTexts(recovered);
        Assert.All(recovered.Validation.Segments, s => Assert.True(s.Sealed, $"{s.Path} is not sealed after recovery"));
    }

    /// <summary>Every event's text names its event (or shared text) and its own length; returns how many were checked.</summary>
    private static int AssertWholeTexts(LogContents contents)
    {
        int checkedTexts = 0;
        foreach (MmapRecord record in contents.Records)
        {
            if (record.Event is not { } evt || !LogContents.TryKey(evt, out var key))
            {
                continue;
            }
            string text = Assert.IsType<string>(evt.Exception?.Text);
            string what = key.Counter % 97 == 0 ? $"own {key.Thread}/{key.Counter}" : "shared " + (key.Counter % 5).ToString(CultureInfo.InvariantCulture);
            string prefix = "Failure " + what + " length ";
            Assert.True(text.StartsWith(prefix, StringComparison.Ordinal), $"event {key}: text starts \"{text[..Math.Min(60, text.Length)]}\"");
            int length = int.Parse(text.AsSpan(prefix.Length, 6), NumberStyles.None, CultureInfo.InvariantCulture);
            Assert.True(text.Length == length, $"event {key}: text of {text.Length} characters where it says {length}");
            Assert.EndsWith("() in Orders.cs", text, StringComparison.Ordinal);
            checkedTexts++;
        }
        return checkedTexts;
    }
}
