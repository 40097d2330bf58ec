using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Core.Tests.Crash;

[Collection(ChildProcessCollection.Name)]
public class FollowTests
{
    private readonly ITestOutputHelper _output;

    public FollowTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task A_follower_yields_every_acknowledged_event_of_a_killed_writer_once_in_order_then_the_next_writers_events()
    {
        using var log = new TestLog();
        string ackPath = Path.Combine(log.Directory, "ack.bin");
        var followed = new List<MmapEvent>();
        using var stop = new CancellationTokenSource();
        var reader = new MmapLogReader(log.Path_) { HoleTimeout = TimeSpan.FromMilliseconds(300) };
        Task following = Task.Run(async () =>
        {
            await foreach (MmapEvent e in reader.FollowAsync(pollInterval: TimeSpan.FromMilliseconds(10), cancellationToken: stop.Token))
            {
                lock (followed) followed.Add(e);
            }
        });
        List<MmapEvent> Followed() { lock (followed) return followed.ToList(); }
        HashSet<(int, int, long)> Keys() => Followed().Select(e => LogContents.TryKey(e, out var k) ? k : default).ToHashSet();

        AckSnapshot ack;
        try
        {
            using (var child = ChildProcess.Start(log.Path_, 3, 16 * 1024, "paced", ackPath, 0))
            {
                child.WaitFor(a => a.TotalAcked >= 4000, TimeSpan.FromSeconds(20), "4000 acknowledged events");
                ack = child.KillNow();
            }
            int segmentsAtKill = reader.SegmentFiles().Count;
            Assert.True(segmentsAtKill > 3, "the child should have rotated");

            // Before anyone recovers the log, the follower already has every acknowledged event.
            Func<string> missing = () =>
            {
                HashSet<(int, int, long)> keys = Keys();
                var absent = Enumerable.Range(0, ack.Acked.Length).SelectMany(t => Enumerable.Range(1, (int)ack.Acked[t]).Select(c => (0, t, (long)c))).Where(k => !keys.Contains(k)).ToList();
                return $"{absent.Count} acknowledged events, first {string.Join(", ", absent.Take(5))}";
            };
            Poll.Until(() => { HashSet<(int, int, long)> keys = Keys(); return Enumerable.Range(0, ack.Acked.Length).All(t => Enumerable.Range(1, (int)ack.Acked[t]).All(c => keys.Contains((0, t, c)))); },
                TimeSpan.FromSeconds(20), () => "the follower to yield " + missing());
            int beforeRecovery = Followed().Count;

            // A new writer recovers the log and goes on; the follower moves on to its events.
            var errors = new List<MmapLogError>();
            using (var writer = new MmapLogWriter(new MmapLogOptions
            {
                Path = log.Path_,
                SegmentSizeBytes = 16 * 1024,
                RetainedFileCountLimit = null,
                OnError = e => { lock (errors) errors.Add(e); },
            }))
            {
                Assert.True(writer.IsWriting);
                for (int i = 1; i <= 500; i++)
                {
                    var e = new NextWriterEvent(i);
                    Assert.True(writer.Append(DateTime.UtcNow.Ticks, MmapLevel.Information, ref e));
                }
                Poll.Until(() => Keys().Contains((1, 0, 500L)), TimeSpan.FromSeconds(20),
                    () => $"the follower to reach the new writer's events (has {Followed().Count}, last {Followed().LastOrDefault()?.Sequence})");
            }
            _output.WriteLine($"child acknowledged {ack.TotalAcked} in {segmentsAtKill} segments; follower had {beforeRecovery} events before recovery, {Followed().Count} in all");
        }
        finally
        {
            stop.Cancel();
            await following;
        }

        List<MmapEvent> all = Followed();
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "the follower's events are not in strictly increasing sequence order");
        var keysInOrder = all.Select(e => LogContents.TryKey(e, out var k) ? k : default).ToList();
        Assert.Equal(keysInOrder.Count, keysInOrder.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (1, 0, (long)i)), keysInOrder.Where(k => k.Item1 == 1));
        // The new writer's events come after every event of the killed one.
        int lastOld = keysInOrder.FindLastIndex(k => k.Item1 == 0);
        int firstNew = keysInOrder.FindIndex(k => k.Item1 == 1);
        Assert.True(lastOld < firstNew);
        // And the follower saw exactly what a full read sees.
        Assert.Equal(new MmapLogReader(log.Path_).ReadEvents().Select(e => e.Sequence), all.Select(e => e.Sequence));
    }

    private readonly struct NextWriterEvent : IEventPayload
    {
        private readonly long _counter;

        public NextWriterEvent(long counter) => _counter = counter;

        public void Write(ref EventWriter writer)
        {
            writer.WriteHeader(new EventHeader { MessageTemplate = "Round {Round} thread {Thread} event {Counter}", PropertyCount = 3 });
            writer.WritePropertyName("Round");
            writer.WriteInt32(1);
            writer.WritePropertyName("Thread");
            writer.WriteInt32(0);
            writer.WritePropertyName("Counter");
            writer.WriteInt64(_counter);
        }
    }
}
