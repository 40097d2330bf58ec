using System.Threading;

namespace Sinks.Mmap.Writing;

/// <summary>
/// A run of a segment that one logging thread claimed at once, bytes and sequence numbers together,
/// and fills with its own records (FORMAT.md, "Claim blocks"). Every record claimed from the segment
/// itself is a compare-and-swap on the one claim word all logging threads share, and with two threads
/// logging flat out that word's cache line moved between cores on every event: the core's append took
/// 190 ns an event at 2 threads against 41 at 1 (append-cost). A thread that claims a block claims its
/// records on this object's word instead, which no other thread writes but the maintainer closing the
/// block, so the line stays in the thread's cache, and the records it writes are its own lines too.
/// </summary>
/// <remarks>
/// Written by its owner thread; the maintainer only closes it (<see cref="ActiveSegment.TryCloseBlock"/>),
/// with a compare-and-swap on <see cref="State"/>, so a record is claimed in the block or the block is
/// closed, never both. An object the maintainer closed is never reused by its owner: the maintainer may
/// still be reading its fields while it writes the Unused record.
/// </remarks>
internal sealed class ClaimBlock : OwnCacheLines
{
    /// <summary>Set in <see cref="State"/> once the block is closed: nothing more is claimed in it.</summary>
    public const long ClosedBit = long.MinValue;

    /// <summary>The first block a thread claims in a segment; each one it fills doubles the next, up to <see cref="LargestSize"/>.</summary>
    public const int SmallestSize = 1024;

    /// <summary>The largest block: one shared compare-and-swap per 16 KiB of records.</summary>
    public const int LargestSize = 16 * 1024;

    /// <summary>Kept free at a block's end for its Unused record (the smallest Padding-like frame).</summary>
    public const int UnusedReserve = 32;

    /// <summary>The smallest aligned Event record (a 28-byte frame and a body): a block reserves a sequence number for each that fits.</summary>
    public const int SmallestRecord = 32;

    public ClaimBlock(ActiveSegment segment, int size)
    {
        Segment = segment;
        Size = size;
    }

    public ActiveSegment Segment { get; }

    /// <summary>Bit 63 closed | bits 32..62 records claimed in the block | bits 0..31 its next free offset in the segment.</summary>
    public long State = ClosedBit;

    /// <summary>Where the current block starts in the segment.</summary>
    public int Start;

    /// <summary>Where the current block ends (exclusive): its records end 32 bytes before, room for its Unused record.</summary>
    public int Limit;

    /// <summary>The sequence number of the current block's first record.</summary>
    public long FirstSequence;

    /// <summary>How many sequence numbers the current block reserved: as many records of the smallest size as fit.</summary>
    public int Reserved;

    /// <summary>The size the owner claims its next block at: it doubles each time the owner fills one, up to the largest.</summary>
    public int Size;

    /// <summary>Owner only: true while the owner itself closed the block last (or never opened one), so it may reuse this object.</summary>
    public bool ClosedByOwner = true;

    /// <summary>Records appended through this object; the maintainer compares it between its rounds to find idle blocks.</summary>
    public int Appends;

    /// <summary>Maintainer only: <see cref="Appends"/> at its last round.</summary>
    public int SeenAppends;

#pragma warning disable CS0169 // never read: keeps the next object off this one's lines (OwnCacheLines)
    private LinePadding _trailing;
#pragma warning restore CS0169

    public bool IsOpen => Volatile.Read(ref State) >= 0;
}
