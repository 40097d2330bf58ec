using System;
using System.Runtime.CompilerServices;

namespace Sinks.Mmap.Writing;

/// <summary>
/// How one logging thread claims its records: one by one on the segment's claim word, or in a claim
/// block of its own (<see cref="ClaimBlock"/>). A thread starts one by one, which costs nothing while
/// it logs alone, and takes blocks once other threads' records keep landing between its own at a
/// high rate, where the shared word's cache line moving between cores is the cost. The maintainer
/// closes the block of a thread that went quiet, and the thread starts over one by one.
/// </summary>
internal sealed class ThreadClaims : OwnCacheLines
{
    // Blocks once this many of the thread's records within the window had another thread's between them:
    // 1,600 contended records a second at least. Below that the shared word costs little, and a block
    // would mostly be closed unused by the maintainer (which closes it below 320 a second).
    private const int InterleavedToPromote = 16;
    private const long WindowMilliseconds = 10;

    private ActiveSegment? _lastSegment;
    private int _lastEnd;
    private int _interleaved;
    private long _windowStartMs;

    /// <summary>True while the thread claims its records in blocks.</summary>
    public bool UseBlocks;

    /// <summary>The thread's block (open, full or closed), or null.</summary>
    public ClaimBlock? Block;

    /// <summary>For tests: claim in blocks from the first record, and never go back.</summary>
    public bool AlwaysBlocks;

#pragma warning disable CS0169 // never read: keeps the next object off this one's lines (OwnCacheLines)
    private LinePadding _trailing;
#pragma warning restore CS0169

    /// <summary>
    /// After a record claimed on its own: when another thread claimed since this thread's last record,
    /// counts it, and takes blocks once that happens often enough. The clock is read only then, so a
    /// thread logging alone pays a compare.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void NoteSingleClaim(ActiveSegment segment, int offset, int aligned)
    {
        // A thread logging alone lands right after its last record: that is all it pays, inline. The
        // segment is not compared: a record of another log ending at the same offset only counts as
        // not interleaved, and only interleaving (counted below, within one segment) takes blocks.
        if (offset == _lastEnd && !AlwaysBlocks)
        {
            _lastEnd = offset + aligned;
            return;
        }
        NoteInterleavedClaim(segment, offset, aligned);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void NoteInterleavedClaim(ActiveSegment segment, int offset, int aligned)
    {
        if (AlwaysBlocks)
        {
            UseBlocks = true;
        }
        // A definition between the thread's records (its own new string, mostly) is not another thread's event.
        else if (offset != _lastEnd && ReferenceEquals(segment, _lastSegment) && segment.LastDefinition < _lastEnd)
        {
            long now = Environment.TickCount64;
            if (now - _windowStartMs > WindowMilliseconds)
            {
                _windowStartMs = now;
                _interleaved = 0;
            }
            if (++_interleaved >= InterleavedToPromote)
            {
                UseBlocks = true;
            }
        }
        _lastSegment = segment;
        _lastEnd = offset + aligned;
    }

    /// <summary>The maintainer closed the thread's block (it went quiet): back to claiming one by one.</summary>
    public void Demote()
    {
        Block = null;
        UseBlocks = AlwaysBlocks;
        _interleaved = 0;
    }
}
