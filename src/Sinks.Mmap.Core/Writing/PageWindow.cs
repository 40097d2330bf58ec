using System;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>
/// Keeps the pages just ahead of the segment's tail faulted in and writable, from the maintainer
/// thread, so the logging threads write into memory that is there. Owned by the maintainer.
/// </summary>
/// <remarks>
/// Pages prepared a whole segment ahead do not stay prepared: the kernel writes back a shared
/// mapping's dirty pages once they have been dirty for <c>vm.dirty_expire_centisecs</c> (30 s by
/// default; every few seconds after that while the file stays dirty) and write-protects each page it
/// wrote, and proactive reclaim (DAMON, kswapd) unmaps pages it finds idle. The logging thread then
/// takes a fault per page on its own: 5–13 µs on ext4, 80–200 ns per event, measured. So besides
/// preparing a whole segment when it is made (what a fast logger needs within the second), the
/// maintainer walks the pages the next ~quarter second of logging needs (2 MiB at least) again each
/// round: the window's first quarter fully (a page already writable costs a page-table walk, ~40 ns;
/// one written back is made writable again), the rest where it is new. It also touches the window's
/// first half through the mapping (<see cref="SegmentStorage.Touch"/>): its first quarter each round,
/// the rest where it is new, so no page the logging thread reaches was touched much more than a tenth
/// of a second before. A logging thread that passes the middle of what was touched wakes the
/// maintainer (<see cref="ActiveSegment.PrefaultMark"/>).
/// Preparing only the window (and not the whole segment) was tried: on a loaded 2-core machine the
/// maintainer, starved of CPU, fell behind a logger writing 100+ MB/s, which then faulted 1.7–5 times
/// per 1,000 events.
/// </remarks>
internal sealed class PageWindow
{
    /// <summary>The smallest window.</summary>
    public const long MinimumBytes = 2L << 20;

    /// <summary>How far ahead, in time at the rate measured, the window reaches.</summary>
    private const long LookaheadMilliseconds = 250;

    private ActiveSegment? _segment;
    private long _lastTail;
    private long _lastMs;
    private long _bytesPerSecond;

    /// <summary>The window the current rate needs.</summary>
    public long WindowBytes => Math.Max(MinimumBytes, _bytesPerSecond * LookaheadMilliseconds / 1000);

    /// <summary>
    /// One maintainer round: prepares the window ahead of <paramref name="segment"/>'s tail and the
    /// start of <paramref name="standby"/>. True when the tail moved since the last round.
    /// </summary>
    public bool Refresh(ActiveSegment? segment, SegmentStorage? standby, long nowMs)
    {
        bool moved = false;
        if (segment is not null && !segment.IsSealed && segment.Storage.IsMapped)
        {
            long tail = segment.ClaimedEnd;
            if (!ReferenceEquals(segment, _segment))
            {
                _segment = segment;
                _lastTail = 0;
            }
            else
            {
                long elapsed = Math.Max(1, nowMs - _lastMs);
                long rate = (tail - _lastTail) * 1000 / elapsed;
                // Up at once, down by halves: a pause between bursts must not shrink the window to nothing.
                _bytesPerSecond = Math.Max(rate, _bytesPerSecond / 2);
            }
            moved = tail != _lastTail;
            _lastTail = tail;
            long window = WindowBytes;
            PrepareAhead(segment.Storage, tail, window);
            segment.PrefaultMark = (int)Math.Min(int.MaxValue, tail + window / 4);
        }
        _lastMs = nowMs;
        if (standby is not null && standby.IsMapped)
        {
            // Waiting, the standby's pages age like any others: its start is kept writable too.
            PrepareAhead(standby, 0, WindowBytes);
        }
        return moved;
    }

    /// <summary>
    /// Prepares [<paramref name="from"/>, from + <paramref name="window"/>): its first quarter fully
    /// (pages the kernel wrote back or took since are made writable again), the rest where it is new;
    /// touches its first quarter fully and its second where it is new.
    /// </summary>
    private static void PrepareAhead(SegmentStorage storage, long from, long window)
    {
        long end = Math.Min(storage.Capacity, from + window);
        long near = Math.Min(end, from + window / 4);
        storage.Prefault(from, near);
        if (storage.PrefaultedTo < end)
        {
            storage.Prefault(Math.Max(near, storage.PrefaultedTo), end);
        }
        long touchEnd = Math.Min(end, from + window / 2);
        storage.Touch(from, near);
        if (storage.TouchedTo < touchEnd)
        {
            storage.Touch(Math.Max(near, storage.TouchedTo), touchEnd);
        }
    }
}
