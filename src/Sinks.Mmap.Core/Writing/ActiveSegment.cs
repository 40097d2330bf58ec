using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Sinks.Mmap.Adapters;
using Sinks.Mmap.Format;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>
/// The segment being written. Space and sequence numbers are claimed together with one
/// compare-and-swap on a single 64-bit word, so file order and sequence order are the same thing
/// and no lock is taken on the logging path.
/// </summary>
internal sealed unsafe class ActiveSegment : IStringDefinitions
{
    // The claim word packs: bit 63 sealed | bits 32..62 records claimed | bits 0..31 next free offset.
    private const long SealedBit = long.MinValue;
    // Every append compare-and-swaps the claim word, so its cache line moves between the logging
    // threads' cores: it lives on a line of its own, away from the fields each append only reads
    // (Base, Capacity, FirstSequence, …), which would otherwise miss in every other thread's cache.
    private ClaimLine _claim;
    private int _sealOffset = -1;
    private long _durableTo;
    private int _retired;
    // How far ahead of AllPublished's walk to prefetch: tried 256, 1024, 2048 and 4096 bytes; 1024 and up did equally well.
    private const int PrefetchDistance = 2048;
    // How far AllPublished has found every record published (records start after the header); maintainer only.
    private int _publishedTo = FormatConstants.HeaderSize;

    private readonly TimeProvider _clock;
    // The logging threads' claim blocks in this segment, for the maintainer to close (ClaimBlock).
    private readonly List<ClaimBlock> _blocks = new();
    // Mapped storage needs no per-record callback; skipping the virtual call matters on the hot path.
    private readonly bool _notifyCommits;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ActiveSegment(SegmentStorage storage, long number, long firstSequence, long createdUtcTicks, long rollAtUtcTicks, TimeProvider? clock = null, StringTable? strings = null)
    {
        _clock = clock ?? TimeProvider.System;
        Storage = storage;
        Number = number;
        FirstSequence = firstSequence;
        RollAtUtcTicks = rollAtUtcTicks;
        Capacity = (int)storage.Capacity;
        Base = storage.Base;
        // Built ahead on the maintainer thread when it can be: its cache array is 8 KiB, and allocating
        // on the logging thread during a rotation can land that thread a garbage collection.
        Strings = strings ?? new StringTable();
        MaxBodyLength = Math.Min(FormatConstants.MaxRecordLength, MaxAlignedRecord) - FormatConstants.FrameHeaderSize;
        _notifyCommits = storage is not MappedSegmentStorage;
        new SegmentHeader(number, firstSequence, createdUtcTicks, Environment.ProcessId, storage.Capacity)
            .WriteTo(new Span<byte>(Base, FormatConstants.HeaderSize));
        storage.OnCommitted(0, FormatConstants.HeaderSize);
        _claim.State = FormatConstants.HeaderSize;
        // Until the maintainer has seen this segment: wake it once half of what was made ready is used
        // (touched through the mapping when the maintainer got to it as a standby, else prefaulted).
        long ready = storage.TouchedTo > 0 ? storage.TouchedTo : storage.PrefaultedTo;
        _claim.PrefaultMark = storage.IsMapped && ready > 0 ? (int)Math.Min(int.MaxValue, ready / 2) : int.MaxValue;
        _durableTo = 0;
    }

    public SegmentStorage Storage { get; }

    /// <summary>
    /// The offset past which a logging thread wakes the maintainer to prepare more pages
    /// (<see cref="PageWindow"/>); int.MaxValue when no wake is due.
    /// </summary>
    public int PrefaultMark
    {
        get => Volatile.Read(ref _claim.PrefaultMark);
        set => Volatile.Write(ref _claim.PrefaultMark, value);
    }

    /// <summary>Where the latest Definition record starts (0 before the first): a claim block opened before it takes no more events.</summary>
    public int LastDefinition => Volatile.Read(ref _claim.LastDefinition);

    /// <summary>
    /// Closes the thread's open block here before a record of the thread's is claimed on its own (a
    /// large event, encoded in place): the thread's later events then land after it in the file, in
    /// the order the thread logged them.
    /// </summary>
    public void CloseOwnBlock(ThreadClaims claims, long utcTicks)
    {
        ClaimBlock? block = claims.Block;
        if (block is null || block.Segment != this || block.ClosedByOwner)
        {
            return;
        }
        if (TryCloseBlock(block, utcTicks))
        {
            block.ClosedByOwner = true;
        }
        else
        {
            claims.Demote();
        }
    }

    /// <summary>True for the one logging thread that passed the mark first (it wakes the maintainer).</summary>
    public bool TakePrefaultMark() => Interlocked.Exchange(ref _claim.PrefaultMark, int.MaxValue) != int.MaxValue;
    public long Number { get; }
    public long FirstSequence { get; }
    public long RollAtUtcTicks { get; }
    public int Capacity { get; }
    public byte* Base { get; }
    public StringTable Strings { get; }

    /// <summary>The largest aligned record this segment can ever take.</summary>
    public int MaxAlignedRecord => RecordLimit - FormatConstants.HeaderSize;

    /// <summary>
    /// Records end at or before this offset: 8 bytes short of the seal reserve. The seal then ends at
    /// least 8 bytes before the capacity, so a segment closed (trimmed just past its seal) is always
    /// shorter than its prepared size, and readers and recovery can tell it from a full-size segment
    /// whose writer was killed with a claim unfinished (FORMAT.md, "Record kinds"). Without the gap, a
    /// segment that filled to its last byte looked closed: recovery skipped it and readers called its
    /// crash holes damage.
    /// </summary>
    private int RecordLimit => Capacity - FormatConstants.SealReserve - FormatConstants.Alignment;

    /// <summary>The largest event body a record in this segment can hold (the format's limit, or the segment's when smaller).</summary>
    public int MaxBodyLength { get; }

    public bool IsSealed => Volatile.Read(ref _claim.State) < 0;

    /// <summary>
    /// The sequence of the EndOfSegment record, once sealed: read from the state word that the sealing
    /// compare-and-swap set, so it is right as soon as <see cref="IsSealed"/> is, even while the
    /// sealing thread is still writing the record.
    /// </summary>
    public long SealSequence => IsSealed ? NextSequence - 1 : -1;

    public int SealOffset => Volatile.Read(ref _sealOffset);

    /// <summary>Offset just past the last claimed record.</summary>
    public int ClaimedEnd => (int)(uint)Volatile.Read(ref _claim.State);

    public long NextSequence => FirstSequence + ((Volatile.Read(ref _claim.State) & ~SealedBit) >> 32);

    /// <summary>
    /// Claims <paramref name="alignedLength"/> bytes and the next sequence number. When the record
    /// does not fit, the segment is sealed instead and false is returned; the caller then rotates
    /// (<c>SegmentRotation.EnsureRotated</c>, where the first caller does the work).
    /// </summary>
    public bool TryClaim(int alignedLength, long utcTicks, out int offset, out long sequence)
    {
        // A length that is not a record's would move the free offset anywhere (backwards, if negative):
        // the caller checks first, and this keeps a mistake from ever corrupting the state word.
        if ((uint)(alignedLength - FormatConstants.SealReserve) > (uint)(MaxAlignedRecord - FormatConstants.SealReserve) || (alignedLength & (FormatConstants.Alignment - 1)) != 0)
        {
            ThrowNotARecordLength(alignedLength);
        }
        long state = Volatile.Read(ref _claim.State);
        while (true)
        {
            if (state < 0)
            {
                offset = 0;
                sequence = 0;
                return false;
            }
            int free = (int)(uint)state;
            long claimed = state >> 32;
            if ((long)free + alignedLength > RecordLimit)
            {
                TrySealAt(state, utcTicks);
                state = Volatile.Read(ref _claim.State);
                continue;
            }
            if (TryAdvanceClaim(ref state, alignedLength, 1))
            {
                offset = free;
                sequence = FirstSequence + claimed;
                return true;
            }
        }
    }

    /// <summary>
    /// Moves the claim word past <paramref name="bytes"/> bytes and <paramref name="numbers"/> sequence
    /// numbers from <paramref name="state"/>: the one place a record's or a block's claim is made. False,
    /// with the word as another thread left it in <paramref name="state"/>, when that thread was first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryAdvanceClaim(ref long state, int bytes, int numbers)
    {
        long next = (((state >> 32) + numbers) << 32) | (uint)((int)(uint)state + bytes);
        long seen = Interlocked.CompareExchange(ref _claim.State, next, state);
        if (seen == state)
        {
            return true;
        }
        state = seen;
        return false;
    }

    /// <summary>
    /// The scratch route: claims room for an Event record whose <paramref name="body"/> is already
    /// encoded, copies it in and publishes it. When the copy fails (only a mapping that went away under
    /// us can), the slot becomes Padding and <see cref="AppendResult.NotCopied"/> is returned with the cause.
    /// </summary>
    public AppendResult TryAppend(ReadOnlySpan<byte> body, long utcTicks, byte level, ThreadClaims? claims, out int offset, out Exception? failure)
    {
        failure = null;
        int length = FormatConstants.FrameHeaderSize + body.Length;
        int aligned = FormatConstants.Align(length);
        long sequence;
        if (claims is null || !claims.UseBlocks || !TryClaimInBlock(claims, aligned, utcTicks, out offset, out sequence))
        {
            if (!TryClaim(aligned, utcTicks, out offset, out sequence))
            {
                return AppendResult.Sealed;
            }
            claims?.NoteSingleClaim(this, offset, aligned);
        }
        try
        {
            RecordFrame.WriteEvent(Slot(offset, aligned), sequence, utcTicks, level, body);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = ex;
            PublishPadding(offset, aligned, sequence, utcTicks);
            return AppendResult.NotCopied;
        }
        NotifyCommitted(offset, length);
        return AppendResult.Appended;
    }

    /// <summary>
    /// The two-pass route: claims room for an Event record of the measured <paramref name="bodyLength"/>,
    /// encodes <paramref name="payload"/> in place and publishes it. A payload that now writes another
    /// length (changed by another thread meanwhile) or throws leaves Padding in the slot instead
    /// (<see cref="AppendResult.SizeChanged"/>, <see cref="AppendResult.NotEncoded"/>).
    /// </summary>
    public AppendResult TryAppend<TPayload>(int bodyLength, long utcTicks, byte level, ref TPayload payload, Span<int> levels, out int offset, out Exception? failure)
        where TPayload : IEventPayload
    {
        failure = null;
        int length = FormatConstants.FrameHeaderSize + bodyLength;
        int aligned = FormatConstants.Align(length);
        if (!TryClaim(aligned, utcTicks, out offset, out long sequence))
        {
            return AppendResult.Sealed;
        }
        Span<byte> slot = Slot(offset, aligned);
        AppendResult result;
        try
        {
            RecordFrame.WriteHeader(slot, sequence, utcTicks, RecordKind.Event, level);
            var writer = EventWriter.ForExactSpan(this, slot.Slice(FormatConstants.FrameHeaderSize, bodyLength), levels);
            payload.Write(ref writer);
            result = writer.Position == bodyLength && writer.Rejection == EventRejection.None ? AppendResult.Appended : AppendResult.SizeChanged;
        }
        catch (Exception ex)
        {
            failure = ex;
            result = AppendResult.NotEncoded;
        }
        if (result != AppendResult.Appended)
        {
            PublishPadding(offset, aligned, sequence, utcTicks);
            return result;
        }
        Publish(offset, length);
        return AppendResult.Appended;
    }

    /// <summary>
    /// Claims <paramref name="aligned"/> bytes in the thread's claim block: its own word, not the
    /// segment's. False when the thread has no block here it can use (full, closed, another segment's);
    /// <see cref="OpenBlock"/> then tries a new one, and false from it sends the record to <see cref="TryClaim"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryClaimInBlock(ThreadClaims claims, int aligned, long utcTicks, out int offset, out long sequence)
    {
        ClaimBlock? block = claims.Block;
        if (block is not null && block.Segment == this)
        {
            long state = Volatile.Read(ref block.State);
            int free = (int)(uint)state;
            // A closed block's state is negative, and its free offset then fails this test too.
            // A block claimed before the latest definition cannot take an event that may use its
            // string: readers meet a definition before any use of it.
            if (state >= 0 && free + aligned <= block.Limit - ClaimBlock.UnusedReserve && block.Start > LastDefinition
                && Interlocked.CompareExchange(ref block.State, state + (1L << 32) + aligned, state) == state)
            {
                offset = free;
                sequence = block.FirstSequence + (state >> 32);
                block.Appends++;
                return true;
            }
        }
        return OpenBlock(claims, aligned, utcTicks, out offset, out sequence);
    }

    /// <summary>
    /// Closes the thread's full block (or its block in a segment rotated away) and claims a new one
    /// here, with <paramref name="aligned"/> bytes of it for the record at hand. A block the maintainer
    /// closed means the thread went quiet: it goes back to claiming its records one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool OpenBlock(ThreadClaims claims, int aligned, long utcTicks, out int offset, out long sequence)
    {
        offset = 0;
        sequence = 0;
        ClaimBlock? block = claims.Block;
        int size = ClaimBlock.SmallestSize;
        if (block is not null)
        {
            if (block.Segment != this && !block.Segment.IsSealed)
            {
                // The thread's block is in another writer's segment (two logs, one thread): keep it, and
                // claim this record on its own rather than close a block at every switch.
                return false;
            }
            if (!block.ClosedByOwner)
            {
                if (!block.Segment.TryCloseBlock(block, utcTicks))
                {
                    claims.Demote();
                    return false;
                }
                block.ClosedByOwner = true;
                // The owner closes a block when a record no longer fits: it filled it, so the next is larger.
                block.Size = Math.Min(block.Size * 2, ClaimBlock.LargestSize);
            }
            size = block.Size;
            if (block.Segment != this)
            {
                block = null;
            }
        }
        if (aligned + ClaimBlock.UnusedReserve > size / 2)
        {
            // A record this large gains nothing from a block, and would leave much of one unused.
            return false;
        }
        if (block is null)
        {
            block = new ClaimBlock(this, size);
            lock (_blocks)
            {
                _blocks.Add(block);
            }
            claims.Block = block;
        }
        if (!TryClaimRun(size, aligned, out int start, out int run, out long firstSequence, out int reserved))
        {
            return false;
        }
        block.Start = start;
        block.Limit = start + run;
        block.FirstSequence = firstSequence;
        block.Reserved = reserved;
        block.ClosedByOwner = false;
        block.Appends++;
        // Published last: the maintainer reads the fields above only after it sees the block open.
        Volatile.Write(ref block.State, (1L << 32) | (uint)(start + aligned));
        offset = start;
        sequence = firstSequence;
        return true;
    }

    /// <summary>
    /// Claims a run of up to <paramref name="size"/> bytes for a block, and as many sequence numbers as
    /// records of the smallest size fit in it. Near the segment's end the run is what is left; false
    /// when that cannot hold <paramref name="aligned"/> bytes and the block's Unused record, or the
    /// segment is sealed (the single claim then seals it or finds it sealed).
    /// </summary>
    private bool TryClaimRun(int size, int aligned, out int start, out int run, out long firstSequence, out int reserved)
    {
        long state = Volatile.Read(ref _claim.State);
        while (state >= 0)
        {
            int free = (int)(uint)state;
            long claimed = state >> 32;
            run = Math.Min(size, RecordLimit - free) & ~(FormatConstants.Alignment - 1);
            if (run < aligned + ClaimBlock.UnusedReserve)
            {
                break;
            }
            // One number more than records fit: the Unused record closing the block always takes one, its own.
            reserved = (run - ClaimBlock.UnusedReserve) / ClaimBlock.SmallestRecord + 1;
            if (TryAdvanceClaim(ref state, run, reserved))
            {
                start = free;
                firstSequence = FirstSequence + claimed;
                return true;
            }
        }
        start = run = reserved = 0;
        firstSequence = 0;
        return false;
    }

    /// <summary>
    /// Closes <paramref name="block"/> (its owner, or the maintainer): writes an Unused record over the
    /// rest of it, standing for the sequence numbers it reserved and gave to no record. True for the
    /// one call that closed it.
    /// </summary>
    public bool TryCloseBlock(ClaimBlock block, long utcTicks)
    {
        long state = Volatile.Read(ref block.State);
        if (state < 0)
        {
            return false;
        }
        int limit = Volatile.Read(ref block.Limit);
        long firstSequence = Volatile.Read(ref block.FirstSequence);
        int reserved = Volatile.Read(ref block.Reserved);
        if (Interlocked.CompareExchange(ref block.State, state | ClaimBlock.ClosedBit, state) != state)
        {
            return false;
        }
        int free = (int)(uint)state;
        int used = (int)(state >> 32);
        RecordFrame.WriteUnused(Slot(free, limit - free), firstSequence + used, (uint)(reserved - used), utcTicks);
        NotifyCommitted(free, limit - free);
        return true;
    }

    /// <summary>
    /// Maintainer: closes the blocks whose threads appended fewer than <paramref name="minAppends"/>
    /// records since the last call (every block with int.MaxValue: a retired segment), so readers following
    /// the log are not held at a quiet thread's block. True when a block is still open.
    /// </summary>
    public bool CloseQuietBlocks(int minAppends, long utcTicks)
    {
        bool open = false;
        lock (_blocks)
        {
            for (int i = _blocks.Count - 1; i >= 0; i--)
            {
                ClaimBlock block = _blocks[i];
                int appends = Volatile.Read(ref block.Appends);
                bool quiet = appends - block.SeenAppends < minAppends;
                block.SeenAppends = appends;
                if (quiet && TryCloseBlock(block, utcTicks))
                {
                    // Its owner will not reuse it (ClaimBlock's remarks).
                    _blocks.RemoveAt(i);
                    continue;
                }
                open |= block.IsOpen;
            }
        }
        return open;
    }

    /// <summary>The lowest offset where a thread's open block starts, or <paramref name="through"/> when lower (durability's watermark).</summary>
    private long LowestOpenBlockStart(long through)
    {
        lock (_blocks)
        {
            foreach (ClaimBlock block in _blocks)
            {
                if (block.IsOpen)
                {
                    through = Math.Min(through, Volatile.Read(ref block.Start));
                }
            }
        }
        return through;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotARecordLength(int alignedLength) =>
        throw new ArgumentOutOfRangeException(nameof(alignedLength), alignedLength, "not the aligned length of a record this segment can hold");

    /// <summary>True for the one call that retires the segment (hands it to the closer): a segment is closed and unmapped once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryRetire() => Interlocked.Exchange(ref _retired, 1) == 0;

    /// <summary>
    /// Seals the segment where its records end, but only if the seal ends at or before <paramref name="limit"/>
    /// (the file was cut there: writing the seal past it would be SIGBUS). True when this call sealed it.
    /// </summary>
    public bool TrySealWithin(long limit, long utcTicks)
    {
        long state = Volatile.Read(ref _claim.State);
        while (state >= 0 && (long)(int)(uint)state + FormatConstants.SealReserve <= limit)
        {
            if (TrySealAt(state, utcTicks))
            {
                return true;
            }
            state = Volatile.Read(ref _claim.State);
        }
        return false;
    }

    /// <summary>Seals the segment now (rolling interval, shutdown). True for the one call that sealed it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TrySeal(long utcTicks)
    {
        long state = Volatile.Read(ref _claim.State);
        while (state >= 0)
        {
            if (TrySealAt(state, utcTicks))
            {
                return true;
            }
            state = Volatile.Read(ref _claim.State);
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TrySealAt(long state, long utcTicks)
    {
        int free = (int)(uint)state;
        long claimed = state >> 32;
        long next = SealedBit | ((claimed + 1) << 32) | (uint)(free + FormatConstants.SealReserve);
        if (Interlocked.CompareExchange(ref _claim.State, next, state) != state)
        {
            return false;
        }
        long sequence = FirstSequence + claimed;
        RecordFrame.WriteSeal(Slot(free, FormatConstants.SealReserve), sequence, utcTicks);
        NotifyCommitted(free, FormatConstants.FrameHeaderSize);
        Volatile.Write(ref _sealOffset, free);
        return true;
    }

    /// <summary>Publishes a record whose bytes 8.. are in place: CRC, then the length word last.</summary>
    public void Publish(int offset, int length)
    {
        RecordFrame.Publish(Slot(offset, length), length);
        NotifyCommitted(offset, length);
    }

    /// <summary>The claimed bytes at <paramref name="offset"/>, from the record's length word on.</summary>
    private Span<byte> Slot(int offset, int length) => new(Base + offset, length);

    /// <summary>Tells storage that is not mapped (the stream fallback) that a record was published.</summary>
    private void NotifyCommitted(int offset, int length)
    {
        if (_notifyCommits)
        {
            Storage.OnCommitted(offset, FormatConstants.Align(length));
        }
    }

    /// <summary>
    /// Fills a claimed slot that could not hold its record with a Padding record, so the chain of
    /// records stays whole for readers and for the closer.
    /// </summary>
    public void PublishPadding(int offset, int alignedLength, long sequence, long utcTicks)
    {
        RecordFrame.WritePadding(Slot(offset, alignedLength), sequence, 1, utcTicks);
        NotifyCommitted(offset, alignedLength);
    }

    /// <summary>Writes a Definition record for <paramref name="id"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public DefineResult TryWriteDefinition(int id, string value)
    {
        int length = RecordFrame.DefinitionLength(id, value);
        int aligned = FormatConstants.Align(length);
        if (aligned > MaxAlignedRecord)
        {
            return DefineResult.TooLarge;
        }
        long ticks = _clock.GetUtcNow().UtcTicks;
        if (!TryClaim(aligned, ticks, out int offset, out long sequence))
        {
            return DefineResult.Sealed;
        }
        RecordFrame.WriteDefinition(Slot(offset, aligned), sequence, ticks, id, value, length);
        NotifyCommitted(offset, length);
        // Definitions are written one at a time (under the string table's lock), so this only grows.
        Volatile.Write(ref _claim.LastDefinition, offset);
        return DefineResult.Defined;
    }

    /// <summary>
    /// True when every claimed record up to the seal has been published. Maintainer only: the walk
    /// over the length words goes on from where the last call stopped (a record still unpublished).
    /// </summary>
    /// <remarks>
    /// A 64 MiB segment of small events holds a million records, and each step's address comes from
    /// the previous step's load, so without prefetching every record cost a full trip to memory: the
    /// walk was 30 % of the maintainer's CPU time behind a writer logging flat out (perf), and 13–17 %
    /// with the lines ahead prefetched. Walking each round while the records were still in the
    /// logging thread's cache was tried too: no cheaper than this once prefetched, and it pulls the
    /// lines being written away from the logging thread.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool AllPublished()
    {
        int end = IsSealed ? SealOffset : ClaimedEnd;
        if (end < 0)
        {
            return false;
        }
        // Records are claimed in order; the walk stops at the first whose length word is still 0.
        int position = _publishedTo;
        while (position < end)
        {
            if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
            {
                // A prefetch never faults, past the mapping's end included.
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(Base + position + PrefetchDistance);
            }
            int length = Volatile.Read(ref *(int*)(Base + position));
            if (length <= 0)
            {
                break;
            }
            position += FormatConstants.Align(length);
        }
        _publishedTo = position;
        return position >= end;
    }

    /// <summary>msync of what was written since the last flush; false when there was nothing new. Safe from any thread.</summary>
    /// <remarks>
    /// <paramref name="from"/> is where the record being made durable starts (long.MaxValue when
    /// none): a thread's record in its claim block may lie below what another thread's flush already
    /// covered, written after that flush, so it is flushed whatever the watermark says. The watermark
    /// itself stops at the lowest open block, whose records are still being written.
    /// </remarks>
    public bool FlushToDisk(long through, long from = long.MaxValue)
    {
        from = Math.Min(from, Interlocked.Read(ref _durableTo));
        if (through <= from) return false;
        Storage.FlushToDisk(from, through);
        long durable = LowestOpenBlockStart(through);
        // Only move forward: a concurrent flush may have gone further.
        long seen;
        while ((seen = Interlocked.Read(ref _durableTo)) < durable && Interlocked.CompareExchange(ref _durableTo, durable, seen) != seen)
        {
        }
        return true;
    }

    /// <summary>When the maintainer, closing this retired segment, first found a record in it unpublished (Environment.TickCount64); 0 before. Maintainer only.</summary>
    public long UnpublishedSinceMs { get; set; }

    /// <summary>Offset where the sealed file ends: just past the seal record.</summary>
    public long SealedLength => SealOffset + FormatConstants.SealReserve;
}

/// <summary>The claim word alone on its cache line (128 bytes each side: adjacent-line prefetch pairs lines).</summary>
[StructLayout(LayoutKind.Explicit, Size = 384)]
internal struct ClaimLine
{
    [FieldOffset(128)]
    public long State;

    // Read after every append, written by the maintainer a few times a second: on a line of its own, so
    // it stays in every logging thread's cache. Beside the claim word it missed whenever another
    // thread had claimed since (measured with two threads: 8 % of the append's samples).
    [FieldOffset(256)]
    public int PrefaultMark;

    // Read by every append into a claim block, written once per new string: beside PrefaultMark, whose line is read-mostly too.
    [FieldOffset(264)]
    public int LastDefinition;
}
