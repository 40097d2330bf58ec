using System;
using System.Runtime.CompilerServices;
using System.Threading;
using Sinks.Mmap.Format;
using Sinks.Mmap.Recovery;
using Sinks.Mmap.Writing;
using Sinks.Mmap.Adapters;

namespace Sinks.Mmap;

/// <summary>
/// Writes events into memory-mapped segment files. Each <see cref="Append{TPayload}(long, MmapLevel, ref TPayload)"/> encodes the
/// event straight into the page cache: once it returns, the event survives the process being
/// killed. Safe for any number of threads at once; never throws for I/O trouble (errors go to
/// <see cref="MmapLogOptions.OnError"/> and the event is counted in <see cref="DroppedEvents"/>).
/// </summary>
public sealed class MmapLogWriter : IDisposable
{
    private readonly MmapLogOptions _options;
    private readonly WriterFaults _faults;
    private readonly SegmentRotation _rotation;
    private readonly SegmentMaintainer _maintainer;
    private int _disposed;

    /// <summary>
    /// Validates <paramref name="options"/> (throwing <see cref="ArgumentException"/> naming a wrong
    /// option), takes the log's writer lock, recovers what a crash left, and opens a new segment.
    /// I/O failures here are reported, not thrown: the writer drops events and retries.
    /// </summary>
    public MmapLogWriter(MmapLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        _faults = new WriterFaults(_options);
        _maintainer = new SegmentMaintainer(_options, _faults);
        _rotation = new SegmentRotation(_options, _faults, _maintainer);
        _rotation.Open();
        _maintainer.Start(_rotation);
    }

    /// <summary>Events dropped because the log could not be written (disk full, lock held, too large or malformed, after Dispose).</summary>
    public long DroppedEvents => _faults.Dropped;

    /// <summary>
    /// Events written with a value nested deeper than the format's 64 levels: the container that would
    /// have held the deeper values was replaced by the truncation marker (FORMAT.md, *Depth*), and the
    /// rest of the event was kept. Each is reported (throttled) as <see cref="MmapLogErrorKind.EventTruncated"/>.
    /// </summary>
    public long TruncatedEvents => _faults.Truncated;

    /// <summary>What recovery found when the writer took the log over; null until it has.</summary>
    public RecoveryReport? Recovery => _rotation.Recovery;

    /// <summary>
    /// True while a segment is open for writing; false while faulted. It turns false once the fault has
    /// been reported, and true again once the recovery has been.
    /// </summary>
    public bool IsWriting => _rotation.Current is not null && !_faults.Faulted;

    /// <summary>The file being written now, or null while faulted.</summary>
    public string? CurrentSegmentPath => _rotation.Current?.Storage.Path;

    /// <summary>
    /// The lane of the log this writer holds: 1 normally, 2 or more while another writer (in this
    /// process or another) holds the lanes before it; 0 before a lane is taken.
    /// </summary>
    public int Lane => _rotation.Lane;

    /// <summary>How many times written bytes were forced to disk (msync/fsync) by a durability option or <see cref="Flush"/>.</summary>
    internal long DiskFlushes => _maintainer.DiskFlushes;

    /// <summary>The options in force (a validated copy).</summary>
    internal MmapLogOptions Options => _options;

    /// <summary>The writer's segments (current, standby, retired) and its lane: for tests and benchmarks.</summary>
    internal SegmentRotation Rotation => _rotation;

    /// <summary>
    /// Appends one event. Returns true once the event is in the page cache (and on disk, for levels
    /// at or above <see cref="MmapLogOptions.FlushToDiskLevel"/>); false when it was dropped.
    /// </summary>
    public bool Append<TPayload>(long timestampUtcTicks, MmapLevel level, ref TPayload payload) where TPayload : IEventPayload
        => Append(timestampUtcTicks, level, ref payload, out _);

    /// <summary>
    /// Appends one event, as <see cref="Append{TPayload}(long, MmapLevel, ref TPayload)"/>, and when it was
    /// dropped says why in <paramref name="dropKind"/>: <see cref="MmapLogErrorKind.EventRejected"/> for
    /// an event that cannot be written as it is (too large, malformed, its payload failed), and
    /// <see cref="MmapLogErrorKind.Io"/> for a log that cannot be written now (disk full, I/O fault, the
    /// lock held, after Dispose). Adapters hand the dropped event on (a fallback sink) from this, per
    /// event, with nothing allocated when the event is written.
    /// </summary>
    public bool Append<TPayload>(long timestampUtcTicks, MmapLevel level, ref TPayload payload, out MmapLogErrorKind dropKind) where TPayload : IEventPayload
    {
        ScratchBuffer? scratch = ScratchBuffer.Rent();
        if (scratch is null)
        {
            return AppendNested(timestampUtcTicks, level, ref payload, out dropKind);
        }
        try
        {
            return AppendCore(timestampUtcTicks, level, ref payload, scratch, scratch.Levels, out dropKind);
        }
        finally
        {
            scratch.Return();
        }
    }

    /// <summary>A log call made while this thread's scratch buffer is in use further up the stack (a ToString that logs).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool AppendNested<TPayload>(long timestampUtcTicks, MmapLevel level, ref TPayload payload, out MmapLogErrorKind dropKind) where TPayload : IEventPayload
    {
        // The encoder's counts of the values each open container still expects, on the stack: nothing allocated.
        Span<int> levels = stackalloc int[EventWriter.LevelStackSize];
        return AppendCore(timestampUtcTicks, level, ref payload, null, levels, out dropKind);
    }

    private bool AppendCore<TPayload>(long timestampUtcTicks, MmapLevel level, ref TPayload payload, ScratchBuffer? scratch, Span<int> levels,
        out MmapLogErrorKind dropKind) where TPayload : IEventPayload
    {
        // No segment to write (faulted, stopped) or rotation that never settles: the log cannot be written now.
        dropKind = MmapLogErrorKind.Io;
        // Readers take timestamps within DateTime's range only: keep every event readable.
        if ((ulong)timestampUtcTicks > (ulong)DateTime.MaxValue.Ticks)
        {
            timestampUtcTicks = timestampUtcTicks < 0 ? 0 : DateTime.MaxValue.Ticks;
        }
        // Segments that other threads fill first are no reason to drop: under many threads a small segment
        // can fill between this thread's look at it and its claim, round after round (11 rounds seen with
        // four threads on 4 KiB segments, on an idle machine). A segment sealed with nothing in it but this
        // event's own definitions is: the event never settles (its strings and body do not fit a fresh
        // segment), and each round would leave another file behind.
        int barren = 0;
        for (int attempt = 0; attempt < MaxAttempts && barren < MaxBarrenSegments; attempt++)
        {
            ActiveSegment? segment = _rotation.Current;
            if (segment is null)
            {
                break;
            }
            if (timestampUtcTicks >= segment.RollAtUtcTicks && _rotation.RollIfDue(segment))
            {
                barren++;
                continue;
            }

            // One pass into the scratch buffer when there is one; it also measures if the event outgrows it.
            scoped EventWriter first;
            if (scratch is null)
            {
                first = EventWriter.ForMeasuring(segment, levels, segment.MaxBodyLength);
            }
            else
            {
                scratch.StringRefs.BindTo(segment);
                first = EventWriter.ForScratch(segment, scratch.Bytes, scratch.StringRefs, levels, segment.MaxBodyLength);
            }
            payload.Write(ref first);
            if (first.SegmentSealed)
            {
                barren += HeldOnly(segment, first.DefinitionsWritten);
                _rotation.EnsureRotated(segment);
                continue;
            }
            EventRejection rejection = first.Rejection;
            int length = FormatConstants.FrameHeaderSize + first.Position;
            int aligned = FormatConstants.Align(length);
            if (rejection != EventRejection.None || length > FormatConstants.MaxRecordLength || aligned > segment.MaxAlignedRecord)
            {
                _faults.ReportRejected(rejection, segment.MaxBodyLength);
                dropKind = MmapLogErrorKind.EventRejected;
                break;
            }
            int offset;
            Exception? failure;
            AppendResult result;
            if (scratch is not null && !first.Overflowed)
            {
                result = segment.TryAppend(scratch.Bytes.Slice(0, first.Position), timestampUtcTicks, (byte)level, ClaimsFor(scratch), out offset, out failure);
            }
            else
            {
                if (scratch is not null)
                {
                    segment.CloseOwnBlock(scratch.Claims, timestampUtcTicks);
                }
                result = segment.TryAppend(first.Position, timestampUtcTicks, (byte)level, ref payload, levels, out offset, out failure);
            }
            if (result == AppendResult.Sealed)
            {
                barren += HeldOnly(segment, first.DefinitionsWritten);
                _rotation.EnsureRotated(segment);
                continue;
            }
            if (offset >= segment.PrefaultMark)
            {
                WakeForPages(segment);
            }
            if (result != AppendResult.Appended)
            {
                _faults.ReportNotAppended(result, failure);
                dropKind = MmapLogErrorKind.EventRejected;
                break;
            }
            if (first.Truncated)
            {
                _faults.ReportTruncated();
            }
            if (_options.FlushToDiskLevel is { } flushLevel && level >= flushLevel)
            {
                _maintainer.FlushSegment(segment, offset + aligned, offset);
            }
            return true;
        }
        _faults.CountDropped();
        return false;
    }

    // How many times an event may find its segment sealed before it is dropped: each time another
    // segment went by, filled by other threads. Only a bound against the unforeseen.
    private const int MaxAttempts = 1024;
    // How many segments an event may seal holding nothing but its own definitions before it is dropped.
    private const int MaxBarrenSegments = 16;

    /// <summary>1 when the sealed <paramref name="segment"/> holds no record but the <paramref name="definitions"/> this event wrote into it, and its seal.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int HeldOnly(ActiveSegment segment, int definitions) =>
        segment.NextSequence - segment.FirstSequence <= definitions + 1 ? 1 : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ThreadClaims ClaimsFor(ScratchBuffer scratch)
    {
        ThreadClaims claims = scratch.Claims;
        if (_options.ClaimBlocksAlways)
        {
            claims.AlwaysBlocks = true;
        }
        return claims;
    }

    /// <summary>Half the pages prepared ahead are used: the maintainer prepares more (once per mark, one thread).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WakeForPages(ActiveSegment segment)
    {
        if (segment.TakePrefaultMark())
        {
            _maintainer.Wake();
        }
    }

    /// <summary>
    /// Makes everything appended so far durable. Without <paramref name="toDisk"/> this is already
    /// true once Append returns (the bytes are in the page cache); with it, they are written to the
    /// storage device (msync + fsync) before this returns.
    /// </summary>
    public void Flush(bool toDisk)
    {
        if (!toDisk) return;
        if (_rotation.Current is { } segment)
        {
            _maintainer.FlushSegment(segment, segment.ClaimedEnd);
        }
    }

    /// <summary>Seals the segment being written, trims it, releases the lock; later appends are dropped.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _rotation.Stop();
        _maintainer.Stop();
        _maintainer.CloseRetiredSegments(waitForWriters: true);
        _rotation.Dispose();
        _maintainer.Dispose();
    }
}
