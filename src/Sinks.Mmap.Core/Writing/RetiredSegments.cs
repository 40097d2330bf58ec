using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Sinks.Mmap.Writing;

/// <summary>
/// Sealed segments waiting for the maintainer to close them: added by the logging thread that
/// rotates, taken and looked over by the maintainer.
/// </summary>
/// <remarks>
/// A plain queue under a lock held for a few instructions, not a <c>ConcurrentQueue</c>: looking at
/// a ConcurrentQueue's items (enumerating it, <c>TryPeek</c>), as retention and lane recovery do,
/// freezes its current block, so the next <c>Enqueue</c>, made by a logging thread in the middle of a
/// rotation, allocated a new one: 20–47 µs of the rotating call, and 210–230 µs the first time, its
/// code compiled then.
/// </remarks>
internal sealed class RetiredSegments
{
    private readonly Queue<ActiveSegment> _queue = new(4);

    /// <summary>Adds a segment just retired (logging thread, rotating; or Stop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Enqueue(ActiveSegment segment)
    {
        lock (_queue)
        {
            _queue.Enqueue(segment);
        }
    }

    /// <summary>Takes the oldest retired segment.</summary>
    public bool TryDequeue([NotNullWhen(true)] out ActiveSegment? segment)
    {
        lock (_queue)
        {
            return _queue.TryDequeue(out segment);
        }
    }

    public int Count
    {
        get
        {
            lock (_queue)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>The lowest segment number still retired, or <paramref name="none"/>.</summary>
    public long OldestNumber(long none)
    {
        lock (_queue)
        {
            long oldest = none;
            foreach (ActiveSegment segment in _queue)
            {
                if (segment.Number < oldest) oldest = segment.Number;
            }
            return oldest;
        }
    }

    /// <summary>Adds the path of every retired segment to <paramref name="paths"/>.</summary>
    public void AddPathsTo(List<string> paths)
    {
        lock (_queue)
        {
            foreach (ActiveSegment segment in _queue)
            {
                paths.Add(segment.Storage.Path);
            }
        }
    }
}
