using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace Sinks.Mmap.Torture.Tests;

/// <summary>Scenario 5: a reader following a writer that is SIGKILLed.</summary>
public class FollowTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ITestOutputHelper _output;

    public FollowTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [MemberData(nameof(Adapters.Both), MemberType = typeof(Adapters))]
    public async Task A_follower_of_a_killed_writer_sees_every_committed_event_once_then_waits_and_moves_on_to_the_next_writer(string role)
    {
        using var folder = new TempFolder();
        string log = folder.Sub("log");
        string path = Roles.LogPath(role, log);
        var seen = new Dictionary<(int, int, long), int>();
        int Seen(Func<(int Round, int Thread, long Counter), bool> which)
        {
            lock (seen) return seen.Keys.Count(k => which(k));
        }

        var first = new ChildOptions(role, log, Path.Combine(folder.Path, "acks.bin")) { Threads = 2, SegmentBytes = 32 * 1024 };
        AckSnapshot firstAck;
        using var stop = new CancellationTokenSource();
        Task following;
        using (ChildProcess child = ChildProcess.Start(first))
        {
            child.WaitFor(a => a.Total > 0, Patience, "the first events");
            // A short hole timeout: the writer is killed mid-record sooner or later, and the follower must get past that hole.
            var reader = new MmapLogReader(path) { HoleTimeout = TimeSpan.FromMilliseconds(300) };
            following = Task.Run(async () =>
            {
                await foreach (MmapEvent e in reader.FollowAsync(null, TimeSpan.FromMilliseconds(5), stop.Token))
                {
                    Assert.True(Readback.TryKey(e, out var key), "the follower yields only numbered events");
                    lock (seen) seen[key] = seen.GetValueOrDefault(key) + 1;
                }
            });
            Thread.Sleep(300);
            firstAck = child.Kill();
        }

        Poll.Until(() => AllSeen(seen, 0, firstAck) || following.IsCompleted, Patience, () => $"the follower to see the killed writer's {firstAck.Total} acknowledged events; it saw {Seen(k => k.Round == 0)}");
        Assert.False(following.IsCompleted, $"the follower stopped: {following.Exception}");
        // Then it waits: nothing more to see, and no end of the stream either.
        int settled = Seen(_ => true);
        await Task.Delay(1000);
        Assert.False(following.IsCompleted, $"the follower stopped after the writer died: {following.Exception}");
        Assert.Equal(settled, Seen(_ => true));

        // The next writer recovers the killed one's segment; the follower moves on to its events.
        AckSnapshot secondAck;
        using (ChildProcess child = ChildProcess.Start(first with { Round = 1 }))
        {
            child.WaitFor(a => a.Total > 0, Patience, "the second writer's events");
            Thread.Sleep(200);
            secondAck = child.Kill();
        }
        Poll.Until(() => AllSeen(seen, 1, secondAck) || following.IsCompleted, Patience, () => $"the follower to see the second writer's {secondAck.Total} events; it saw {Seen(k => k.Round == 1)}");
        Assert.False(following.IsCompleted, $"the follower stopped: {following.Exception}");

        await stop.CancelAsync();
        Task done = await Task.WhenAny(following, Task.Delay(Patience));
        Assert.Same(following, done);
        try
        {
            await following;
        }
        catch (OperationCanceledException)
        {
            // Cancelling is how a follower is stopped; ending the stream without an exception is fine too.
        }

        // What the follower saw is exactly what a reader of the whole log sees afterwards, each event once.
        Readback whole = Readback.FromMmap(path);
        lock (seen)
        {
            _output.WriteLine($"the follower saw {seen.Count} events; the first writer acknowledged {firstAck.Total}, the second {secondAck.Total}");
            Assert.All(seen, kv => Assert.True(kv.Value == 1, $"event {kv.Key} followed {kv.Value} times"));
            Assert.Equal(whole.Counts.Keys.OrderBy(k => k), seen.Keys.OrderBy(k => k));
        }
    }

    private static bool AllSeen(Dictionary<(int, int, long), int> seen, int round, AckSnapshot ack)
    {
        lock (seen)
        {
            for (int t = 0; t < ack.Acked.Length; t++)
            {
                for (long c = 1; c <= ack.Acked[t]; c++)
                {
                    if (!seen.ContainsKey((round, t, c))) return false;
                }
            }
            return true;
        }
    }
}
