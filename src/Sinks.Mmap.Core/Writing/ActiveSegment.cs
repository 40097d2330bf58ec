using System;
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
            long next = ((claimed + 1) << 32) | (uint)(free + alignedLength);
            long seen = Interlocked.CompareExchange(ref _claim.State, next, state);
            if (seen == state)
            {
                offset = free;
                sequence = FirstSequence + claimed;
                return true;
            }
            state = seen;
        }
    }

    /// <summary>
    /// The scratch route: claims room for an Event record whose <paramref name="body"/> is already
    /// encoded, copies it in and publishes it. When the copy fails (only a mapping that went away under
    /// us can), the slot becomes Padding and <see cref="AppendResult.NotCopied"/> is returned with the cause.
    /// </summary>
    public AppendResult TryAppend(ReadOnlySpan<byte> body, long utcTicks, byte level, out int offset, out Exception? failure)
    {
        failure = null;
        int length = FormatConstants.FrameHeaderSize + body.Length;
        int aligned = FormatConstants.Align(length);
        if (!TryClaim(aligned, utcTicks, out offset, out long sequence))
        {
            return AppendResult.Sealed;
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

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotARecordLength(int alignedLength) =>
        throw new ArgumentOutOfRangeException(nameof(alignedLength), alignedLength, "not the aligned length of a record this segment can hold");

    /// <summary>True for the one call that retires the segment (hands it to the closer): a segment is closed and unmapped once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryRetire() => Interlocked.Exchange(ref _retired, 1) == 0;

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
    public bool FlushToDisk(long through)
    {
        long from = Interlocked.Read(ref _durableTo);
        if (through <= from) return false;
        Storage.FlushToDisk(from, through);
        // Only move forward: a concurrent flush may have gone further.
        long seen;
        while ((seen = Interlocked.Read(ref _durableTo)) < through && Interlocked.CompareExchange(ref _durableTo, through, seen) != seen)
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
}
