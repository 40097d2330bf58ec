using System.Collections.Generic;

namespace Sinks.Mmap;

/// <summary>What recovery found when a writer opened a log: the segments it repaired and what it kept and cut.</summary>
public sealed class RecoveryReport
{
    internal RecoveryReport(long nextSegmentNumber, long nextSequence, IReadOnlyList<RepairedSegment> repaired, IReadOnlyList<string> problems, IReadOnlyList<string>? inUse = null)
    {
        InUse = inUse ?? System.Array.Empty<string>();
        NextSegmentNumber = nextSegmentNumber;
        NextSequence = nextSequence;
        Repaired = repaired;
        Problems = problems;
    }

    /// <summary>The number the next new segment gets.</summary>
    public long NextSegmentNumber { get; }

    /// <summary>The sequence number the next record gets: the log continues where it stopped.</summary>
    public long NextSequence { get; }

    /// <summary>Segments left unsealed by a crash, now repaired and sealed.</summary>
    public IReadOnlyList<RepairedSegment> Repaired { get; }

    /// <summary>Segments that could not be read at all (for example a damaged header), left untouched.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// Segments another writer has open (it holds their "in use" lock), left untouched. Any at all
    /// means that writer still writes this lane, whatever the lock file says: the lane is not free.
    /// </summary>
    public IReadOnlyList<string> InUse { get; }
}

/// <summary>One segment that recovery repaired.</summary>
/// <param name="Path">The segment file.</param>
/// <param name="RecordsKept">Valid records kept.</param>
/// <param name="LastSequence">The last sequence number kept (the seal's, after repair).</param>
/// <param name="HolesFilled">Holes and damaged ranges between valid records, filled with padding.</param>
/// <param name="LostSequences">Sequence numbers that were claimed but never written (records cut off by the crash).</param>
/// <param name="TornTailBytes">Non-zero bytes after the last valid record, cut away.</param>
public sealed record RepairedSegment(string Path, long RecordsKept, long LastSequence, int HolesFilled, long LostSequences, long TornTailBytes);
