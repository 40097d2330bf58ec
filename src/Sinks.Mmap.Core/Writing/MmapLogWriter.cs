using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using Sinks.Mmap.Format;
using Sinks.Mmap.Recovery;
using Sinks.Mmap.Storage;
using Sinks.Mmap.Writing;

namespace Sinks.Mmap;

/// <summary>
/// Writes events into memory-mapped segment files. Each <see cref="Append{TPayload}(long, MmapLevel, ref TPayload)"/> encodes the
/// event straight into the page cache: once it returns, the event survives the process being
/// killed. Safe for any number of threads at once; never throws for I/O trouble (errors go to
/// <see cref="MmapLogOptions.OnError"/> and the event is counted in <see cref="DroppedEvents"/>).
/// </summary>
public sealed unsafe class MmapLogWriter : IDisposable
{
    private static readonly TimeSpan StandbyWait = TimeSpan.FromSeconds(5);
    // While segments are rotating, the maintainer looks for work this often instead of being woken by
    // the rotating thread: a wake-up is a system call (and often a context switch) on the logging thread.
    private const int BusyPollMilliseconds = 10;
    private const long BusyWindowMilliseconds = 2000;
    private const long QuickRotationMilliseconds = 1000;
    // While events are being written, the maintainer renews the pages ahead of the tail this often
    // (PageWindow): the kernel may write them back, or take them, at any moment.
    private const int WritingPollMilliseconds = 50;
    private static readonly TimeSpan PublishWait = TimeSpan.FromSeconds(10);
    // How often the maintainer looks for lanes whose writer was killed, to seal what it left.
    private const long IdleLaneCheckMilliseconds = 5000;

    private readonly MmapLogOptions _options;
    // The configured path (lane 1), and the lane this writer holds: see LaneClaim.
    private readonly SegmentNaming _log;
    private SegmentNaming _naming;
    private readonly SegmentPreparer _preparer;
    private readonly ErrorReporter _errors;
    private readonly object _rotationGate = new();
    private readonly ConcurrentQueue<ActiveSegment> _retired = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly ManualResetEventSlim _standbyChanged = new(false);
    private readonly Thread _maintainer;
    private readonly PageWindow _pages = new();

    private ActiveSegment? _current;
    private StringTable? _spareStrings;
    private long _lastRotationMs = long.MinValue / 2;
    private long _activatedMs;
    private SegmentStorage? _standby;
    private long _standbyNumber;
    private bool _standbyFailing;
    private LaneClaim? _lane;
    private long _nextIdleLaneCheckMs;
    private readonly System.Collections.Generic.HashSet<string> _reportedPlanted = new(StringComparer.Ordinal);
    private long _nextNumber;
    private long _nextSequence;
    private long _dropped;
    private long _truncated;
    private long _diskFlushes;
    private long _droppedAtFault;
    private bool _faulted;
    private DateTime _retryAtUtc;
    private DateTime _nextFlushUtc;
    private volatile bool _stopping;
    private int _disposed;
    private readonly SegmentLifecycle _lifecycle;

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
        _log = new SegmentNaming(_options.Path);
        _naming = _log;
        _errors = new ErrorReporter(_options.OnError);
        _preparer = new SegmentPreparer(_options, _errors.Report);
        _lifecycle = new SegmentLifecycle(_options, _errors.Report);
        _nextFlushUtc = UtcNow + (_options.FlushToDiskInterval ?? TimeSpan.Zero);
        lock (_rotationGate)
        {
            TryOpen();
        }
        _maintainer = new Thread(MaintainLoop) { IsBackground = true, Name = "Sinks.Mmap maintainer" };
        _maintainer.Start();
    }

    /// <summary>Events dropped because the log could not be written (disk full, lock held, too large or malformed, after Dispose).</summary>
    public long DroppedEvents => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Events written with a value nested deeper than the format's 64 levels: the container that would
    /// have held the deeper values was replaced by the truncation marker (FORMAT.md, *Depth*), and the
    /// rest of the event was kept. Each is reported (throttled) as <see cref="MmapLogErrorKind.EventTruncated"/>.
    /// </summary>
    public long TruncatedEvents => Interlocked.Read(ref _truncated);

    /// <summary>What recovery found when the writer took the log over; null until it has.</summary>
    public RecoveryReport? Recovery { get; private set; }

    /// <summary>True while a segment is open for writing; false while faulted.</summary>
    public bool IsWriting => Volatile.Read(ref _current) is not null;

    /// <summary>The file being written now, or null while faulted.</summary>
    public string? CurrentSegmentPath => Volatile.Read(ref _current)?.Storage.Path;

    /// <summary>
    /// The lane of the log this writer holds: 1 normally, 2 or more while another writer (in this
    /// process or another) holds the lanes before it; 0 before a lane is taken.
    /// </summary>
    public int Lane => _lane?.Lane ?? 0;

    private DateTime UtcNow => _options.TimeProvider.GetUtcNow().UtcDateTime;

    /// <summary>How many times written bytes were forced to disk (msync/fsync) by a durability option or <see cref="Flush"/>.</summary>
    internal long DiskFlushes => Interlocked.Read(ref _diskFlushes);

    /// <summary>The options in force (a validated copy).</summary>
    internal MmapLogOptions Options => _options;

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
        for (int attempt = 0; attempt < 16; attempt++)
        {
            ActiveSegment? segment = Volatile.Read(ref _current);
            if (segment is null)
            {
                break;
            }
            if (timestampUtcTicks >= segment.RollAtUtcTicks && RollIfDue(segment))
            {
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
                EnsureRotated(segment);
                continue;
            }
            EventRejection rejection = first.Rejection;
            int length = FormatConstants.FrameHeaderSize + first.Position;
            int aligned = FormatConstants.Align(length);
            if (rejection != EventRejection.None || length > FormatConstants.MaxRecordLength || aligned > segment.MaxAlignedRecord)
            {
                ReportRejected(rejection, segment);
                dropKind = MmapLogErrorKind.EventRejected;
                break;
            }
            int offset;
            Exception? failure;
            AppendResult result = scratch is not null && !first.Overflowed
                ? segment.TryAppend(scratch.Bytes.AsSpan(0, first.Position), timestampUtcTicks, (byte)level, out offset, out failure)
                : segment.TryAppend(first.Position, timestampUtcTicks, (byte)level, ref payload, levels, out offset, out failure);
            if (result == AppendResult.Sealed)
            {
                EnsureRotated(segment);
                continue;
            }
            if (offset >= segment.PrefaultMark)
            {
                WakeForPages(segment);
            }
            if (result != AppendResult.Appended)
            {
                ReportNotAppended(result, failure);
                dropKind = MmapLogErrorKind.EventRejected;
                break;
            }
            if (first.Truncated)
            {
                ReportTruncated();
            }
            if (_options.FlushToDiskLevel is { } flushLevel && level >= flushLevel)
            {
                FlushSegment(segment, offset + aligned);
            }
            return true;
        }
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Half the pages prepared ahead are used: the maintainer prepares more (once per mark, one thread).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WakeForPages(ActiveSegment segment)
    {
        if (segment.TakePrefaultMark())
        {
            _wake.Set();
        }
    }

    private void ReportRejected(EventRejection rejection, ActiveSegment segment)
    {
        string why = rejection == EventRejection.BadShape
            ? "an event wrote other values than it declared (a property, sequence, structure or dictionary count, or a name where a value was due); it was dropped rather than published unreadable"
            : $"an event is larger than a record may be ({segment.MaxBodyLength + FormatConstants.FrameHeaderSize} bytes with this segment size); it was dropped";
        _errors.ReportThrottled(MmapLogErrorKind.EventRejected, why);
    }

    private void ReportTruncated()
    {
        long truncated = Interlocked.Increment(ref _truncated);
        _errors.ReportThrottled(MmapLogErrorKind.EventTruncated,
            $"an event had a value nested deeper than {FormatConstants.MaxNesting} levels; what was deeper was replaced by a {FormatConstants.TruncatedTypeName} marker ({truncated} event(s) so far)");
    }

    /// <summary>
    /// Rolls by the clock, as Serilog.Sinks.File does: an event stamped at or past the boundary rolls
    /// the segment only once the writer's clock has reached the boundary too, and the next boundary
    /// comes from the clock. A timestamp far in the future (or the past) lands in the current segment
    /// and never moves the boundary.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RollIfDue(ActiveSegment segment)
    {
        long now = UtcNow.Ticks;
        if (now < segment.RollAtUtcTicks)
        {
            return false;
        }
        segment.TrySeal(now);
        EnsureRotated(segment);
        return true;
    }

    private void ReportNotAppended(AppendResult result, Exception? failure)
    {
        string why = result switch
        {
            AppendResult.NotCopied => "an event could not be copied into the segment; it was dropped",
            AppendResult.SizeChanged => "an event wrote a different number of bytes than it measured (was it changed by another thread while logged?); it was dropped",
            _ => "an event could not be encoded; it was dropped",
        };
        _errors.ReportThrottled(MmapLogErrorKind.EventRejected, why, failure);
    }

    /// <summary>
    /// Makes everything appended so far durable. Without <paramref name="toDisk"/> this is already
    /// true once Append returns (the bytes are in the page cache); with it, they are written to the
    /// storage device (msync + fsync) before this returns.
    /// </summary>
    public void Flush(bool toDisk)
    {
        if (!toDisk) return;
        if (Volatile.Read(ref _current) is { } segment)
        {
            FlushSegment(segment, segment.ClaimedEnd);
        }
    }

    private void FlushSegment(ActiveSegment segment, long through)
    {
        try
        {
            if (segment.FlushToDisk(through))
            {
                Interlocked.Increment(ref _diskFlushes);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            _errors.ReportThrottled(MmapLogErrorKind.Io, $"flushing {segment.Storage.Path} to disk failed", ex);
        }
    }

    /// <summary>Moves writing on from a sealed segment; the first caller does the work, the rest wait for it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EnsureRotated(ActiveSegment sealedSegment)
    {
        lock (_rotationGate)
        {
            if (Volatile.Read(ref _current) != sealedSegment)
            {
                return;
            }
            // What can fail comes first and changes nothing: the sealed segment is retired exactly once,
            // together with the switch away from it (retired twice, it would be unmapped twice).
            // Never back: a writer that moved to another lane continues after that lane's last sequence.
            long nextSequence = Math.Max(_nextSequence, sealedSegment.SealSequence + 1);
            SegmentStorage? next = TakeStandby();
            ActiveSegment? successor = next is null ? null : TryCreateSegment(next, NumberOf(next), nextSequence, UtcNow.Ticks);
            _nextSequence = nextSequence;
            if (sealedSegment.TryRetire())
            {
                _retired.Enqueue(sealedSegment);
            }
            if (successor is null)
            {
                // Fault first: a thread that sees no current segment drops after the count is snapshotted,
                // so the "N event(s) were dropped" report includes it. Say so now, not only on recovery:
                // this is the moment events start being dropped.
                if (_stopping)
                {
                    EnterFault();
                }
                else
                {
                    ReportFault(MmapLogErrorKind.Io, $"{sealedSegment.Storage.Path} is full and the next segment could not be prepared", null);
                }
                Volatile.Write(ref _current, null);
            }
            else
            {
                long nowMs = Environment.TickCount64;
                // How long the segment just sealed lasted (the first one included): the next may go as fast.
                long lifetime = nowMs - _activatedMs;
                MakeCurrent(successor);
                Volatile.Write(ref _lastRotationMs, nowMs);
                if (lifetime > QuickRotationMilliseconds)
                {
                    // Segments last seconds: the maintainer, polling every BusyPollMilliseconds (or
                    // waking within its idle timeout), prepares the next one long before this one fills,
                    // so the logging thread is spared the wake-up system call.
                    return;
                }
                // Segments fill faster than the maintainer polls: wake it now, or the next rotation waits.
            }
        }
        _wake.Set();
    }

    /// <summary>The prepared segment; waits briefly when the maintainer is still preparing it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private SegmentStorage? TakeStandby()
    {
        DateTime deadline = DateTime.UtcNow + StandbyWait;
        while (true)
        {
            SegmentStorage? standby = Interlocked.Exchange(ref _standby, null);
            if (standby is not null || _standbyFailing || _stopping)
            {
                return standby;
            }
            _standbyChanged.Reset();
            _wake.Set();
            if (Volatile.Read(ref _standby) is null && !_standbyChanged.Wait(deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero))
            {
                return Interlocked.Exchange(ref _standby, null);
            }
        }
    }

    // The maintainer may already be preparing the next standby (and moving _standbyNumber on): a taken
    // standby carries its own number (or, failing that, it is parsed from the file name).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long NumberOf(SegmentStorage storage) =>
        storage.Number > 0 ? storage.Number : _naming.TryParseNumber(Path.GetFileName(storage.Path), out long number) ? number : _standbyNumber;

    // Caller holds _rotationGate.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Activate(SegmentStorage storage, long number, long utcTicksForRoll) =>
        MakeCurrent(CreateSegment(storage, number, _nextSequence, utcTicksForRoll));

    /// <summary>A segment over <paramref name="storage"/>, its header written; rolls at the end of the period <paramref name="utcTicksForRoll"/> is in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ActiveSegment CreateSegment(SegmentStorage storage, long number, long firstSequence, long utcTicksForRoll) =>
        new(storage, number, firstSequence, UtcNow.Ticks,
            RollingBoundary.NextUtcTicks(_options.RollingInterval, utcTicksForRoll, _options.TimeProvider.LocalTimeZone), _options.TimeProvider,
            Interlocked.Exchange(ref _spareStrings, null));

    // Caller holds _rotationGate. Null, reported, when the segment cannot be started (its header cannot be written).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ActiveSegment? TryCreateSegment(SegmentStorage storage, long number, long firstSequence, long utcTicksForRoll)
    {
        try
        {
            return CreateSegment(storage, number, firstSequence, utcTicksForRoll);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _errors.ReportThrottled(MmapLogErrorKind.Io, $"starting {storage.Path} failed", ex);
            storage.Dispose();
            return null;
        }
    }

    // Caller holds _rotationGate. Changes state only; nothing here fails.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MakeCurrent(ActiveSegment segment)
    {
        _nextNumber = segment.Number + 1;
        _activatedMs = Environment.TickCount64;
        Volatile.Write(ref _current, segment);
        if (_faulted)
        {
            _faulted = false;
            long dropped = Interlocked.Read(ref _dropped) - _droppedAtFault;
            _errors.Report(new MmapLogError(MmapLogErrorKind.Recovered, $"writing to {segment.Storage.Path} again; {dropped} event(s) were dropped while the log could not be written"));
        }
    }

    // Caller holds _rotationGate.
    private void EnterFault()
    {
        if (!_faulted)
        {
            _faulted = true;
            _droppedAtFault = Interlocked.Read(ref _dropped);
        }
        _retryAtUtc = UtcNow + _options.RetryInterval;
    }

    // Caller holds _rotationGate. Takes a lane, recovers it, and opens a segment; reports and faults on failure.
    private bool TryOpen()
    {
        try
        {
            if (_lane is null)
            {
                LaneClaim? claim = LaneClaim.TryTake(_log, UtcNow.Ticks, OwnedSegmentPaths(), ReportPlanted, out string problem);
                if (claim is null)
                {
                    ReportFault(MmapLogErrorKind.Locked, problem, null);
                    return false;
                }
                AdoptLane(claim);
            }
            SegmentStorage storage = Interlocked.Exchange(ref _standby, null) ?? _preparer.Prepare(_naming, _nextNumber);
            Activate(storage, NumberOf(storage), UtcNow.Ticks);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever the file system does (a path that is a file, a planted name, an odd error), the
            // constructor and the maintainer report it and retry: logging never throws.
            ReportFault(MmapLogErrorKind.Io, DescribeIoFailure(ex), ex);
            return false;
        }
    }

    // Caller holds _rotationGate, or is the maintainer relocating (no segment is being opened meanwhile).
    private void AdoptLane(LaneClaim claim)
    {
        bool sameLane = _lane is null || _lane.Lane == claim.Lane;
        _lane = claim;
        _naming = claim.Naming;
        RecoveryReport report = claim.Recovery;
        Recovery = report;
        // The sequence and the numbering only ever move on, also when a deleted folder is made again.
        _nextNumber = sameLane ? Math.Max(_nextNumber, report.NextSegmentNumber) : report.NextSegmentNumber;
        _nextSequence = Math.Max(_nextSequence, report.NextSequence);
        _standbyNumber = 0;
        ReportRecovery(report);
        _lifecycle.UseLane(_naming, recover: true);
        if (claim.HeldBefore.Length > 0)
        {
            _errors.Report(new MmapLogError(MmapLogErrorKind.SharedLog,
                $"{claim.HeldBefore}; this writer writes lane {claim.Lane} of the log beside it ({_naming.PathFor(_nextNumber)}, …), and readers merge the lanes by time"));
        }
    }

    private void ReportPlanted(string problem)
    {
        lock (_reportedPlanted)
        {
            if (!_reportedPlanted.Add(problem)) return;
        }
        _errors.Report(new MmapLogError(MmapLogErrorKind.Io, problem + "; the writer uses another name"));
    }

    /// <summary>The segments this writer has open: recovery of a lane must leave them alone.</summary>
    private List<string> OwnedSegmentPaths()
    {
        var owned = new List<string>();
        if (Volatile.Read(ref _current) is { } current) owned.Add(current.Storage.Path);
        if (Volatile.Read(ref _standby) is { } standby) owned.Add(standby.Path);
        foreach (ActiveSegment retired in _retired) owned.Add(retired.Storage.Path);
        return owned;
    }

    private void ReportFault(MmapLogErrorKind kind, string problem, Exception? ex)
    {
        bool first = !_faulted;
        EnterFault();
        if (first)
        {
            _errors.Report(new MmapLogError(kind, $"{problem}; events are dropped and counted until this clears (retrying every {_options.RetryInterval.TotalSeconds:0.###} s)", ex));
        }
    }

    private string DescribeIoFailure(Exception ex) => ex switch
    {
        UnauthorizedAccessException => $"permission denied creating a segment in {_naming.Directory}",
        IOException io when IsDiskFull(io) => $"no space left to create a {_options.SegmentSizeBytes}-byte segment in {_naming.Directory}",
        _ => $"could not create a segment in {_naming.Directory}: {ex.Message}",
    };

    private static bool IsDiskFull(IOException ex) =>
        ex.HResult == PosixFallocate.ENOSPC || (ex.HResult & 0xFFFF) is 0x70 or 0x27 ||
        ex.Message.Contains("space", StringComparison.OrdinalIgnoreCase) ||
        // What FileStream throws on Unix when PreallocationSize cannot be allocated (ENOSPC): no errno in HResult.
        ex.Message.Contains("disk was full", StringComparison.OrdinalIgnoreCase);

    private void ReportRecovery(RecoveryReport report)
    {
        foreach (RepairedSegment r in report.Repaired)
        {
            _errors.Report(new MmapLogError(MmapLogErrorKind.Recovery,
                $"recovered {r.Path} after an unclean stop: kept {r.RecordsKept} record(s) up to sequence {r.LastSequence}, filled {r.HolesFilled} hole(s) ({r.LostSequences} record(s) that were never completed), cut {r.TornTailBytes} torn byte(s), and sealed it"));
        }
        foreach (string problem in report.Problems)
        {
            _errors.Report(new MmapLogError(MmapLogErrorKind.Recovery, $"recovery left a segment untouched: {problem}"));
        }
    }

    private void MaintainLoop()
    {
        PrepareRotationCode();
        // Old segments may already be past the limits when the log is opened.
        try
        {
            ApplyRetention();
        }
        catch (Exception ex)
        {
            _errors.ReportThrottled(MmapLogErrorKind.Io, "retention failed", ex);
        }
        bool firstRound = true;
        bool writingLately = false;
        while (true)
        {
            double idleWait = Math.Min(_options.RetryInterval.TotalMilliseconds, (_options.FlushToDiskInterval ?? TimeSpan.FromSeconds(1)).TotalMilliseconds);
            if (writingLately)
            {
                idleWait = Math.Min(idleWait, WritingPollMilliseconds);
            }
            bool rotatingLately = Environment.TickCount64 - Volatile.Read(ref _lastRotationMs) < BusyWindowMilliseconds;
            if (firstRound)
            {
                // Prepare the first standby at once: a busy application can fill its first segment
                // within the idle timeout, and would then wait for the preparation on its logging thread.
                firstRound = false;
            }
            else
            {
                _wake.WaitOne(TimeSpan.FromMilliseconds(rotatingLately ? Math.Min(idleWait, BusyPollMilliseconds) : idleWait));
            }
            bool stopping = _stopping;
            try
            {
                if (!stopping)
                {
                    if (Volatile.Read(ref _spareStrings) is null) Volatile.Write(ref _spareStrings, new StringTable());
                    RetryIfFaulted();
                    CheckOwnership();
                    PrepareStandbyIfNeeded();
                    writingLately = _pages.Refresh(Volatile.Read(ref _current), Volatile.Read(ref _standby), Environment.TickCount64);
                    RecoverIdleLanesIfDue();
                }
                CloseRetiredSegments();
                if (!stopping)
                {
                    FlushOnInterval();
                }
            }
            catch (Exception ex)
            {
                // The maintainer must outlive any surprise; the next round tries again.
                _errors.ReportThrottled(MmapLogErrorKind.Io, "background maintenance failed", ex);
            }
            if (stopping)
            {
                return;
            }
        }
    }

    /// <summary>
    /// A rotation runs a few times an hour, so its code would stay cold and unoptimised (tier 0) and
    /// its first run would wait for the JIT on the logging thread: a spike of up to a millisecond.
    /// The rotation methods are marked AggressiveOptimization and compiled here, in the background.
    /// </summary>
    private static void PrepareRotationCode()
    {
        try
        {
            const BindingFlags Any = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
            foreach (MethodBase? method in new MethodBase?[]
            {
                typeof(MmapLogWriter).GetMethod(nameof(EnsureRotated), Any),
                typeof(MmapLogWriter).GetMethod(nameof(TakeStandby), Any),
                typeof(MmapLogWriter).GetMethod(nameof(NumberOf), Any),
                typeof(MmapLogWriter).GetMethod(nameof(Activate), Any),
                typeof(MmapLogWriter).GetMethod(nameof(CreateSegment), Any),
                typeof(MmapLogWriter).GetMethod(nameof(TryCreateSegment), Any),
                typeof(MmapLogWriter).GetMethod(nameof(MakeCurrent), Any),
                typeof(MmapLogWriter).GetMethod(nameof(RollIfDue), Any),
                typeof(RollingBoundary).GetMethod(nameof(RollingBoundary.NextUtcTicks), Any),
                typeof(ActiveSegment).GetConstructors(Any)[0],
                typeof(ActiveSegment).GetMethod(nameof(ActiveSegment.TrySeal), Any),
                typeof(ActiveSegment).GetMethod("TrySealAt", Any),
                typeof(ActiveSegment).GetMethod(nameof(ActiveSegment.TryWriteDefinition), Any),
                typeof(StringTable).GetConstructors(Any)[0],
            })
            {
                if (method is not null)
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
            }
        }
        catch (Exception)
        {
            // Only a speed-up, and on the maintainer thread, which must not die of it: without it the
            // first rotation compiles these on the logging thread.
        }
    }

    private void RetryIfFaulted()
    {
        if (Volatile.Read(ref _current) is not null || UtcNow < _retryAtUtc)
        {
            return;
        }
        lock (_rotationGate)
        {
            if (_current is null && !_stopping)
            {
                _standbyFailing = false;
                TryOpen();
            }
        }
    }

    /// <summary>
    /// Whether this writer still owns where it writes: its lock file's name must still lead to the
    /// file it locked, and its segment must still have a name. Either goes when the lock file or the
    /// log's folder is deleted (and perhaps made again, and locked, by another writer): the writer
    /// then takes a lane again (its own when it is free) and moves to a new segment there, so what it
    /// logs from then on is in the folder readers look at, in a lane no one else writes.
    /// </summary>
    private void CheckOwnership()
    {
        // A sealed segment is left by the next log call, onto the standby (made here if it moved).
        if (_lane is not { } lane || Volatile.Read(ref _current) is not { } current || current.IsSealed)
        {
            return;
        }
        bool lockLost = !lane.Lock.IsStillOurs();
        if (!lockLost && !current.Storage.IsUnlinked)
        {
            return;
        }
        int previousLane = lane.Lane;
        if (lockLost)
        {
            LaneClaim? claim = LaneClaim.TryTake(_log, UtcNow.Ticks, OwnedSegmentPaths(), ReportPlanted, out string problem);
            if (claim is null)
            {
                _errors.ReportThrottled(MmapLogErrorKind.Locked, $"{lane.Lock.Path} was deleted and no lane can be taken again ({problem}); still writing {current.Storage.Path}");
                return;
            }
            lane.Dispose();
            AdoptLane(claim);
            _errors.Report(new MmapLogError(MmapLogErrorKind.Recovery,
                $"{lane.Lock.Path} was deleted or replaced while this writer held it; it now holds {claim.Lock.Path}"));
        }
        if (!current.Storage.IsUnlinked && _lane!.Lane == previousLane)
        {
            return;
        }
        // Move: a standby made before lies in the old folder or lane, so a new one is made here, and
        // the current segment is sealed: the next log call rotates onto the new standby the usual way.
        // The maintainer never rotates itself: a logging thread that fills the segment meanwhile waits
        // for a standby holding the rotation lock, and waiting for that lock here would keep the
        // standby from it.
        if (Interlocked.Exchange(ref _standby, null) is { } stale)
        {
            stale.DeleteIfStillNamed();
        }
        bool deleted = current.Storage.IsUnlinked;
        SegmentStorage next = _preparer.Prepare(_naming, _nextNumber);
        _standbyNumber = next.Number;
        Volatile.Write(ref _standby, next);
        _standbyChanged.Set();
        current.TrySeal(UtcNow.Ticks);
        _errors.Report(new MmapLogError(MmapLogErrorKind.Recovery, deleted
            ? $"{current.Storage.Path} was deleted while being written; writing {next.Path} now"
            : $"{current.Storage.Path}'s lane is another writer's now; writing {next.Path} now"));
    }

    /// <summary>Every few seconds: seals the segments that writers of other lanes left when they were killed.</summary>
    private void RecoverIdleLanesIfDue()
    {
        long now = Environment.TickCount64;
        if (_lane is not { } lane || now < _nextIdleLaneCheckMs)
        {
            return;
        }
        _nextIdleLaneCheckMs = now + IdleLaneCheckMilliseconds;
        foreach ((int otherLane, RecoveryReport report) in LaneClaim.RecoverIdleLanes(_log, lane.Lane, UtcNow.Ticks))
        {
            if (report.Repaired.Count > 0 || report.Problems.Count > 0)
            {
                _errors.Report(new MmapLogError(MmapLogErrorKind.Recovery, $"lane {otherLane} of {_log.ConfiguredPath} had no writer left:"));
                ReportRecovery(report);
            }
        }
    }

    private void PrepareStandbyIfNeeded()
    {
        ActiveSegment? current = Volatile.Read(ref _current);
        if (current is null || Volatile.Read(ref _standby) is not null || (_standbyFailing && UtcNow < _retryAtUtc))
        {
            return;
        }
        // Past the last standby too: a rotation may have taken it without having made it current yet.
        long number = Math.Max(current.Number, _standbyNumber) + 1;
        bool prepared = false;
        try
        {
            SegmentStorage storage = _preparer.Prepare(_naming, number);
            _standbyNumber = storage.Number;
            _standbyFailing = false;
            Volatile.Write(ref _standby, storage);
            prepared = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _standbyFailing = true;
            _retryAtUtc = UtcNow + _options.RetryInterval;
            _errors.ReportThrottled(MmapLogErrorKind.Io, DescribeIoFailure(ex) + " (the next segment, prepared ahead); the current one is still being written", ex);
        }
        _standbyChanged.Set();
        if (prepared)
        {
            // The new file counts toward the size limit: a rotation can close the old segment (and run
            // retention) before this file exists, which would leave the log over the limit until the next close.
            ApplyRetention();
        }
    }

    private void CloseRetiredSegments()
    {
        bool closedAny = false;
        while (_retired.TryPeek(out ActiveSegment? segment))
        {
            int scanned = 0;
            DateTime deadline = DateTime.UtcNow + PublishWait;
            while (!segment.AllPublished(ref scanned) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(1);
            }
            _retired.TryDequeue(out _);
            if (!segment.AllPublished(ref scanned))
            {
                // A thread still holds a claim: unmapping under it would crash the process. Leave it mapped.
                _errors.Report(new MmapLogError(MmapLogErrorKind.Io, $"{segment.Storage.Path} still had an unfinished record after {PublishWait.TotalSeconds} s; it stays mapped and untrimmed"));
                continue;
            }
            try
            {
                bool durable = _options.FlushToDiskInterval is not null || _options.FlushToDiskLevel is not null;
                segment.Storage.CloseAndTrim(segment.SealedLength, flushToDisk: durable);
                if (durable)
                {
                    Interlocked.Increment(ref _diskFlushes);
                }
                closedAny = true;
                _lifecycle.Sealed(segment.Storage.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _errors.ReportThrottled(MmapLogErrorKind.Io, $"closing {segment.Storage.Path} failed", ex);
            }
        }
        if (closedAny)
        {
            ApplyRetention();
        }
    }

    private void ApplyRetention()
    {
        if (_lane is null)
        {
            // No lane, no say: the writers that hold the lanes keep the log within its limits.
            return;
        }
        long oldestLive = Volatile.Read(ref _current)?.Number ?? _nextNumber;
        // A retired segment is still mapped until the maintainer has closed it: live too.
        foreach (ActiveSegment retired in _retired) oldestLive = Math.Min(oldestLive, retired.Number);
        // On the lifecycle thread: deleting must not race a compression, and a deletion hook must never hold up the maintainer.
        _lifecycle.ApplyRetention(oldestLive);
    }

    private void FlushOnInterval()
    {
        if (_options.FlushToDiskInterval is not { } interval || UtcNow < _nextFlushUtc)
        {
            return;
        }
        _nextFlushUtc = UtcNow + interval;
        if (Volatile.Read(ref _current) is { } segment)
        {
            FlushSegment(segment, segment.ClaimedEnd);
        }
    }

    /// <summary>Seals the segment being written, trims it, releases the lock; later appends are dropped.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        lock (_rotationGate)
        {
            _stopping = true;
            if (_current is { } segment)
            {
                segment.TrySeal(UtcNow.Ticks);
                Volatile.Write(ref _current, null);
                _retired.Enqueue(segment);
            }
        }
        _wake.Set();
        _standbyChanged.Set();
        _maintainer.Join();
        CloseRetiredSegments();
        if (Interlocked.Exchange(ref _standby, null) is { } standby)
        {
            standby.DeleteIfStillNamed();
        }
        _lifecycle.Dispose();
        _lane?.Dispose();
        _wake.Dispose();
        _standbyChanged.Dispose();
    }

    /// <summary>Calls the error callback, never letting it throw into the writer, and throttles repeats.</summary>
    private sealed class ErrorReporter
    {
        private static readonly TimeSpan RepeatAfter = TimeSpan.FromSeconds(10);
        private readonly Action<MmapLogError>? _callback;
        // One slot a kind, with room for kinds to come.
        private readonly long[] _lastReportedTicks = new long[16];

        public ErrorReporter(Action<MmapLogError>? callback) => _callback = callback;

        public void Report(MmapLogError error)
        {
            try
            {
                _callback?.Invoke(error);
            }
            catch
            {
                // An error handler that fails must not take logging down with it.
            }
        }

        public void ReportThrottled(MmapLogErrorKind kind, string message, Exception? ex = null)
        {
            long now = DateTime.UtcNow.Ticks;
            ref long last = ref _lastReportedTicks[(int)kind];
            long seen = Volatile.Read(ref last);
            if (now - seen < RepeatAfter.Ticks || Interlocked.CompareExchange(ref last, now, seen) != seen)
            {
                return;
            }
            Report(new MmapLogError(kind, message, ex));
        }
    }
}
