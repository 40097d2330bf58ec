using System;
using System.Linq;
using System.Threading;
using Sinks.Mmap.Adapters;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Writing;

/// <summary>
/// A segment is unmapped only once every record claimed in it is published: a thread still writing
/// into a sealed segment keeps it mapped, however many segments the others fill meanwhile.
/// </summary>
public class ClaimHeldAcrossRotationTests
{
    // Larger than the per-thread scratch buffer (8 KiB): encoded in place, after its slot is claimed.
    private const int LargeTextChars = 12_000;

    /// <summary>An event too large for the scratch buffer whose payload, on its encoding run, waits for a signal.</summary>
    private struct HeldEvent : IEventPayload
    {
        public string Text;
        public int Runs;
        public ManualResetEventSlim Claimed;
        public ManualResetEventSlim Release;

        public void Write(ref EventWriter writer)
        {
            // The first run measures; the second writes into the claimed slot.
            if (++Runs == 2)
            {
                Claimed.Set();
                Release.Wait(TimeSpan.FromSeconds(30));
            }
            writer.WriteHeader(new EventHeader { MessageTemplate = "Held {Text}", PropertyCount = 1 });
            writer.WritePropertyName("Text");
            writer.WriteString(Text);
        }
    }

    [Fact]
    public void A_record_still_being_written_when_its_segment_is_sealed_keeps_the_segment_mapped_until_it_is_published()
    {
        using var log = new TestLog();
        MmapLogOptions options = log.Options(64 * 1024);
        options.RetainedFileCountLimit = null;
        using var claimed = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        long t0 = TestSupport.Ticks(2026, 12, 6, 10);
        using (var writer = new MmapLogWriter(options))
        {
            string heldSegment = writer.CurrentSegmentPath!;
            string text = new string('h', LargeTextChars);
            bool heldAppended = false;
            var held = new Thread(() =>
            {
                var e = new HeldEvent { Text = text, Claimed = claimed, Release = release };
                heldAppended = writer.Append(t0, MmapLevel.Information, ref e);
            });
            held.Start();
            Assert.True(claimed.Wait(TimeSpan.FromSeconds(30)));

            // Another thread fills the held segment and several after it; the maintainer closes each it can.
            for (int i = 0; i < 5_000; i++)
            {
                var e = new SimpleEvent("Event {Number}", i, "x", 0);
                Assert.True(writer.Append(t0 + 1 + i, MmapLevel.Information, ref e));
            }
            Assert.NotEqual(heldSegment, writer.CurrentSegmentPath);
            // Time for the maintainer to close the segments after it (and to find this one still busy).
            Thread.Sleep(300);

            // Unmapped under the held thread, the release would crash the test host (SIGSEGV) instead.
            release.Set();
            Assert.True(held.Join(TimeSpan.FromSeconds(30)));
            Assert.True(heldAppended);
        }
        Assert.Empty(log.Errors);
        var reader = new MmapLogReader(log.Path_);
        Assert.True(reader.Validate().IsClean);
        MmapEvent heldEvent = Assert.Single(reader.ReadEvents(), e => e.MessageTemplate == "Held {Text}");
        Assert.True(heldEvent.TryGetProperty("Text", out LogValue value));
        Assert.Equal(LargeTextChars, Assert.IsType<string>(Assert.IsType<LogScalar>(value).Value).Length);
        Assert.Equal(5_001, reader.ReadEvents().Count());
    }
}
