using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Sinks.Mmap.Recovery;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>
/// A lane of a log that this writer holds: its lock, its naming, and what recovery found in it.
/// A writer takes the first free lane, so a second process on the same path (a rolling restart, two
/// instances given one configuration) writes beside the first instead of losing its events, and
/// readers merge the lanes by time.
/// </summary>
/// <remarks>
/// A lane is free when its lock can be taken <em>and</em> no segment in it is in use by another
/// writer. The second condition matters when the lock file was deleted (or its folder deleted and
/// made again) under a running writer: the lock is then new and free, but the old writer still has
/// segments of that lane mapped, and repairing them would cut a mapped file (SIGBUS in that writer).
/// </remarks>
internal sealed class LaneClaim : IDisposable
{
    private LaneClaim(SegmentNaming naming, WriterLock writerLock, RecoveryReport recovery, string heldBefore)
    {
        HeldBefore = heldBefore;
        Naming = naming;
        Lock = writerLock;
        Recovery = recovery;
    }

    public SegmentNaming Naming { get; }
    public WriterLock Lock { get; }
    public RecoveryReport Recovery { get; }
    public int Lane => Naming.Lane;

    /// <summary>Who holds the lanes before this one (empty when only planted names stood in the way).</summary>
    public string HeldBefore { get; }

    /// <summary>
    /// Takes the first free lane of <paramref name="log"/>'s path and recovers it. Null, with what
    /// stands in the way, when every lane is held. Names that are not lock files (a planted link, FIFO
    /// or folder) are stepped past and reported through <paramref name="reportPlanted"/>.
    /// <paramref name="owned"/> are segments this writer itself has open: recovery leaves them alone and
    /// they do not make a lane look taken.
    /// </summary>
    public static LaneClaim? TryTake(SegmentNaming log, long nowUtcTicks, IReadOnlyCollection<string> owned, Action<string> reportPlanted, out string problem)
    {
        var held = new StringBuilder();
        for (int lane = 1; lane <= SegmentNaming.MaxLanes; lane++)
        {
            SegmentNaming naming = log.ForLane(lane);
            WriterLock? writerLock = WriterLock.TryAcquire(naming.LockPath, out LockRefusal refusal, out string? why);
            if (writerLock is null)
            {
                if (refusal == LockRefusal.NotALockFile) reportPlanted(why!);
                else Append(held, why!);
                continue;
            }
            RecoveryReport recovery;
            try
            {
                recovery = SegmentRecovery.Recover(naming, nowUtcTicks, owned);
            }
            catch
            {
                writerLock.Dispose();
                throw;
            }
            if (recovery.InUse.Count > 0)
            {
                // Someone writes this lane without its lock file (deleted under it): leave it to them.
                writerLock.Dispose();
                Append(held, $"{recovery.InUse[0]} is in use by another writer");
                continue;
            }
            problem = "";
            return new LaneClaim(naming, writerLock, recovery, held.ToString());
        }
        problem = $"all {SegmentNaming.MaxLanes} lanes of {log.ConfiguredPath} are held ({held})";
        return null;
    }

    private static void Append(StringBuilder text, string item)
    {
        // The first few say enough.
        if (text.Length > 400) return;
        if (text.Length > 0) text.Append("; ");
        text.Append(item);
    }

    /// <summary>
    /// Recovers the lanes nobody holds (a writer of that lane was killed and none came back to it), so
    /// their last segments are sealed and readers and retention see them whole. Returns the reports.
    /// </summary>
    public static List<(int Lane, RecoveryReport Report)> RecoverIdleLanes(SegmentNaming log, int ownLane, long nowUtcTicks)
    {
        var reports = new List<(int, RecoveryReport)>();
        foreach (int lane in log.LanesPresent())
        {
            if (lane == ownLane) continue;
            SegmentNaming naming = log.ForLane(lane);
            // A lane with no segment has nothing to recover, and may be a writer's that has made its lock
            // file and not yet locked it: taking the lock then would send that writer to the next lane.
            if (naming.List().Count == 0) continue;
            using WriterLock? writerLock = WriterLock.TryAcquire(naming.LockPath, out _, out _);
            if (writerLock is null) continue;
            reports.Add((lane, SegmentRecovery.Recover(naming, nowUtcTicks, Array.Empty<string>())));
        }
        return reports;
    }

    public void Dispose() => Lock.Dispose();
}
