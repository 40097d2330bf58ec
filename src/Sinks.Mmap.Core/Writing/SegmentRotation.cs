using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using Sinks.Mmap.Recovery;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>
/// Which segments a writer has: the current one (written by the logging threads), the standby
/// (prepared ahead by the maintainer), and the retired ones (sealed, waiting for the maintainer to
/// close them); and the lane of the log they are in. Moving from a sealed segment to the next happens
/// under the rotation lock: the first logging thread that needs it does the work, the rest wait.
/// </summary>
internal sealed class SegmentRotation : IDisposable
{
    private static readonly TimeSpan StandbyWait = TimeSpan.FromSeconds(5);
    // How often the maintainer looks for lanes whose writer was killed, to seal what it left.
    private const long IdleLaneCheckMilliseconds = 5000;

    private readonly MmapLogOptions _options;
    private readonly WriterFaults _faults;
    private readonly SegmentMaintainer _maintainer;
    // The configured path (lane 1), and the lane this writer holds: see LaneClaim.
    private readonly SegmentNaming _log;
    private SegmentNaming _naming;
    private readonly SegmentPreparer _preparer;
    private readonly object _rotationGate = new();
    private readonly RetiredSegments _retired = new();
    private readonly ManualResetEventSlim _standbyChanged = new(false);

    private ActiveSegment? _current;
    private StringTable? _spareStrings;
    private long _lastRotationMs = long.MinValue / 2;
    // How long the maintainer took to prepare its last standby (RotationWake).
    private long _lastPrepareMs;
    private long _activatedMs;
    private SegmentStorage? _standby;
    private long _standbyNumber;
    private bool _standbyFailing;
    // The segment last reported as cut below its records (reported once). Maintainer only.
    private ActiveSegment? _reportedCut;
    private LaneClaim? _lane;
    private long _nextIdleLaneCheckMs;
    private long _nextNumber;
    private long _nextSequence;
    private volatile bool _stopping;

    public SegmentRotation(MmapLogOptions options, WriterFaults faults, SegmentMaintainer maintainer)
    {
        _options = options;
        _faults = faults;
        _maintainer = maintainer;
        _log = new SegmentNaming(_options.Path);
        _naming = _log;
        _preparer = new SegmentPreparer(_options, _faults.Report);
        Lifecycle = new SegmentLifecycle(_options, _faults.Report, WrittenBytes);
    }

    /// <summary>
    /// How far the writer has written, in bytes, as a number that grows with every append: the current
    /// segment's number times its capacity, plus its tail. Only its growth means anything.
    /// </summary>
    private long WrittenBytes() => Volatile.Read(ref _current) is { } segment ? segment.Number * segment.Capacity + segment.ClaimedEnd : 0;

    /// <summary>The segment being written, or null while faulted or stopped.</summary>
    public ActiveSegment? Current => Volatile.Read(ref _current);

    /// <summary>The segment prepared ahead, if any.</summary>
    public SegmentStorage? Standby => Volatile.Read(ref _standby);

    /// <summary>Sealed segments waiting for the maintainer to close them.</summary>
    public RetiredSegments Retired => _retired;

    /// <summary>Hooks, compression and retention of sealed segments.</summary>
    public SegmentLifecycle Lifecycle { get; }

    /// <summary>What recovery found when the lane was taken; null until it has been.</summary>
    public RecoveryReport? Recovery { get; private set; }

    /// <summary>The lane held (see <see cref="MmapLogWriter.Lane"/>); 0 before one is taken.</summary>
    public int Lane => _lane?.Lane ?? 0;

    /// <summary>When the last rotation happened (Environment.TickCount64).</summary>
    public long LastRotationMs => Volatile.Read(ref _lastRotationMs);

    public bool Stopping => _stopping;

    private DateTime UtcNow => _options.TimeProvider.GetUtcNow().UtcDateTime;

    /// <summary>Takes a lane and opens the first segment; reports and faults on failure (the maintainer retries).</summary>
    public void Open()
    {
        lock (_rotationGate)
        {
            TryOpen();
        }
    }

    /// <summary>Seals the current segment and retires it: later appends find no segment and are dropped.</summary>
    public void Stop()
    {
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
        _standbyChanged.Set();
    }

    /// <summary>
    /// Rolls by the clock, as Serilog.Sinks.File does: an event stamped at or past the boundary rolls
    /// the segment only once the writer's clock has reached the boundary too, and the next boundary
    /// comes from the clock. A timestamp far in the future (or the past) lands in the current segment
    /// and never moves the boundary.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool RollIfDue(ActiveSegment segment)
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

    /// <summary>Moves writing on from a sealed segment; the first caller does the work, the rest wait for it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EnsureRotated(ActiveSegment sealedSegment)
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
                    _faults.EnterFault();
                }
                else
                {
                    _faults.ReportFault(MmapLogErrorKind.Io, $"{sealedSegment.Storage.Path} is full and the next segment could not be prepared", null);
                }
                Volatile.Write(ref _current, null);
            }
            else
            {
                long nowMs = Environment.TickCount64;
                // How long the segment just sealed lasted (the first one included): the next may go as fast.
                long lifetime = nowMs - _activatedMs;
                bool afterAnotherRotation = _lastRotationMs > long.MinValue / 2;
                MakeCurrent(successor);
                Volatile.Write(ref _lastRotationMs, nowMs);
                if (!RotationWake.IsNeeded(lifetime, afterAnotherRotation, Volatile.Read(ref _lastPrepareMs)))
                {
                    // The maintainer prepares the next one in time on its own: the logging thread is
                    // spared the wake-up.
                    return;
                }
                // Segments fill faster than the maintainer would start the next: wake it now, or the next rotation waits.
            }
        }
        _maintainer.Wake();
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
            _maintainer.Wake();
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
            _faults.ReportThrottled(MmapLogErrorKind.Io, $"starting {storage.Path} failed", ex);
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
        // After the segment is published, so the count is final: no event is dropped for want of a segment
        // from here on. The writer says it is writing again only once this has been reported.
        _faults.Resumed(segment.Storage.Path);
    }

    // Caller holds _rotationGate. Takes a lane, recovers it, and opens a segment; reports and faults on failure.
    private bool TryOpen()
    {
        try
        {
            if (_lane is null)
            {
                LaneClaim? claim = LaneClaim.TryTake(_log, UtcNow.Ticks, OwnedSegmentPaths(), _faults.ReportPlanted, out string problem);
                if (claim is null)
                {
                    _faults.ReportFault(MmapLogErrorKind.Locked, problem, null);
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
            _faults.ReportFault(MmapLogErrorKind.Io, _faults.DescribeIoFailure(ex, _naming.Directory), ex);
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
        _faults.ReportRecovery(report);
        Lifecycle.UseLane(_naming, recover: true);
        if (claim.HeldBefore.Length > 0)
        {
            _faults.Report(new MmapLogError(MmapLogErrorKind.SharedLog,
                $"{claim.HeldBefore}; this writer writes lane {claim.Lane} of the log beside it ({_naming.PathFor(_nextNumber)}, …), and readers merge the lanes by time"));
        }
    }

    /// <summary>The segments this writer has open: recovery of a lane must leave them alone.</summary>
    private List<string> OwnedSegmentPaths()
    {
        var owned = new List<string>();
        if (Volatile.Read(ref _current) is { } current) owned.Add(current.Storage.Path);
        if (Volatile.Read(ref _standby) is { } standby) owned.Add(standby.Path);
        _retired.AddPathsTo(owned);
        return owned;
    }

    /// <summary>
    /// A rotation runs a few times an hour, so its code would stay cold and unoptimised (tier 0) and
    /// its first run would wait for the JIT on the logging thread: a spike of up to a millisecond.
    /// The rotation methods are marked AggressiveOptimization and compiled here, in the background.
    /// </summary>
    public static void PrepareRotationCode()
    {
        try
        {
            const BindingFlags Any = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
            foreach (MethodBase? method in new MethodBase?[]
            {
                typeof(SegmentRotation).GetMethod(nameof(EnsureRotated), Any),
                typeof(SegmentRotation).GetMethod(nameof(TakeStandby), Any),
                typeof(SegmentRotation).GetMethod(nameof(NumberOf), Any),
                typeof(SegmentRotation).GetMethod(nameof(Activate), Any),
                typeof(SegmentRotation).GetMethod(nameof(CreateSegment), Any),
                typeof(SegmentRotation).GetMethod(nameof(TryCreateSegment), Any),
                typeof(SegmentRotation).GetMethod(nameof(MakeCurrent), Any),
                typeof(SegmentRotation).GetMethod(nameof(RollIfDue), Any),
                typeof(WriterFaults).GetMethod(nameof(WriterFaults.Resumed), Any),
                typeof(RollingBoundary).GetMethod(nameof(RollingBoundary.NextUtcTicks), Any),
                typeof(ActiveSegment).GetConstructors(Any)[0],
                typeof(ActiveSegment).GetMethod(nameof(ActiveSegment.TrySeal), Any),
                typeof(ActiveSegment).GetMethod("TrySealAt", Any),
                typeof(ActiveSegment).GetMethod(nameof(ActiveSegment.TryWriteDefinition), Any),
                typeof(StringTable).GetConstructors(Any)[0],
                // What only a rotation runs: the seal, the new header, the strings defined again. Run once a
                // segment, they stayed at tier 0: the rotating call took 69-144 us against 42-78 us with every
                // method optimised; compiled ahead here, 49-123 us (a core writer at 100 000 events/s).
                typeof(StringTable).GetMethod(nameof(StringTable.Intern), Any),
                typeof(Format.RecordFrame).GetMethod(nameof(Format.RecordFrame.WriteSeal), Any),
                typeof(Format.RecordFrame).GetMethod(nameof(Format.RecordFrame.WriteDefinition), Any),
                typeof(Format.RecordFrame).GetMethod(nameof(Format.RecordFrame.DefinitionLength), Any),
                typeof(Format.SegmentHeader).GetMethod(nameof(Format.SegmentHeader.WriteTo), Any),
                typeof(ActiveSegment).GetMethod(nameof(ActiveSegment.TryRetire), Any),
                typeof(RetiredSegments).GetMethod(nameof(RetiredSegments.Enqueue), Any),
                // Read by EnsureRotated only: they were still compiled on the logging thread at the first rotation.
                typeof(ActiveSegment).GetProperty(nameof(ActiveSegment.SealSequence), Any)?.GetMethod,
                typeof(ActiveSegment).GetProperty(nameof(ActiveSegment.NextSequence), Any)?.GetMethod,
            })
            {
                if (method is not null)
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
            }
            // TakeStandby's first read of StandbyWait ran this class's static constructor on the logging thread.
            RuntimeHelpers.RunClassConstructor(typeof(SegmentRotation).TypeHandle);
        }
        catch (Exception)
        {
            // Only a speed-up, and on the maintainer thread, which must not die of it: without it the
            // first rotation compiles these on the logging thread.
        }
    }

    /// <summary>Maintainer: builds the next segment's string table ahead (its 8 KiB cache must not be allocated on a logging thread).</summary>
    public void PrepareSpareStrings()
    {
        if (Volatile.Read(ref _spareStrings) is null)
        {
            // Sized like the current segment's: the next one defines the same strings, and growing the lookup
            // would allocate on the logging thread that defines them, in the rotating call.
            int capacity = Volatile.Read(ref _current) is { } current ? Math.Min(current.Strings.Count + 16, 4096) : 64;
            Volatile.Write(ref _spareStrings, new StringTable(capacity));
        }
    }

    /// <summary>Maintainer: opens a segment again once the retry interval after a fault has passed.</summary>
    public void RetryIfFaulted()
    {
        if (Volatile.Read(ref _current) is not null || UtcNow < _faults.RetryAtUtc)
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
    public void CheckOwnership()
    {
        // A sealed segment is left by the next log call, onto the standby (made here if it moved).
        if (_lane is not { } lane || Volatile.Read(ref _current) is not { } current || current.IsSealed)
        {
            return;
        }
        if (SealIfCut(current))
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
            LaneClaim? claim = LaneClaim.TryTake(_log, UtcNow.Ticks, OwnedSegmentPaths(), _faults.ReportPlanted, out string problem);
            if (claim is null)
            {
                _faults.ReportThrottled(MmapLogErrorKind.Locked, $"{lane.Lock.Path} was deleted and no lane can be taken again ({problem}); still writing {current.Storage.Path}");
                return;
            }
            lane.Dispose();
            AdoptLane(claim);
            _faults.Report(new MmapLogError(MmapLogErrorKind.Recovery,
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
        _faults.Report(new MmapLogError(MmapLogErrorKind.Recovery, deleted
            ? $"{current.Storage.Path} was deleted while being written; writing {next.Path} now"
            : $"{current.Storage.Path}'s lane is another writer's now; writing {next.Path} now"));
    }

    /// <summary>
    /// Maintainer: another process cut the current segment's file short while it is mapped (logrotate's
    /// copytruncate, a <c>truncate</c> by hand), and a write past the cut is SIGBUS, which kills the
    /// process. While the cut is still ahead of the records, the segment is sealed where they end and the
    /// next log call moves on to the standby. True when the segment is cut; reported once a segment.
    /// </summary>
    private bool SealIfCut(ActiveSegment current)
    {
        if (!current.Storage.IsMapped)
        {
            return false;
        }
        long length = current.Storage.LengthOnDisk;
        if (length >= current.Storage.Capacity)
        {
            return false;
        }
        string path = current.Storage.Path;
        if (current.TrySealWithin(length, UtcNow.Ticks))
        {
            _faults.Report(new MmapLogError(MmapLogErrorKind.Io,
                $"{path} was cut to {length} bytes by another process while being written (a write past the cut would crash the process); it is sealed where its records end, and the log goes on in the next segment"));
        }
        else if (!ReferenceEquals(_reportedCut, current))
        {
            _reportedCut = current;
            _faults.Report(new MmapLogError(MmapLogErrorKind.Io,
                $"{path} was cut to {length} bytes by another process, below what was already written: the records past the cut are lost, and a write past it crashes the process (SIGBUS); leave a log's segments to its writer"));
        }
        return true;
    }

    /// <summary>Maintainer, every few seconds: seals the segments that writers of other lanes left when they were killed.</summary>
    public void RecoverIdleLanesIfDue()
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
                _faults.Report(new MmapLogError(MmapLogErrorKind.Recovery, $"lane {otherLane} of {_log.ConfiguredPath} had no writer left:"));
                _faults.ReportRecovery(report);
            }
        }
    }

    /// <summary>Maintainer: prepares the next segment ahead, so a rotation finds it ready.</summary>
    public void PrepareStandbyIfNeeded()
    {
        ActiveSegment? current = Volatile.Read(ref _current);
        if (current is null || Volatile.Read(ref _standby) is not null || (_standbyFailing && UtcNow < _faults.RetryAtUtc))
        {
            return;
        }
        // Past the last standby too: a rotation may have taken it without having made it current yet.
        long number = Math.Max(current.Number, _standbyNumber) + 1;
        // Old segments go first: the memory their cached pages free is then what the new segment's pages
        // are made of. A VM that hands freed memory back to its host after a few seconds must have it
        // supplied again, which costs several times more: a 16 MiB segment took 28–36 ms of this thread
        // with the old ones deleted after it, 4–12 ms with them deleted first (BENCHMARKS.md §1).
        try
        {
            ApplyRetention();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Only a saving here: a folder retention cannot list must not keep the next segment from being made.
            _faults.ReportThrottled(MmapLogErrorKind.Io, "retention failed", ex);
        }
        bool prepared = false;
        try
        {
            long started = Environment.TickCount64;
            SegmentStorage storage = _preparer.Prepare(_naming, number);
            Volatile.Write(ref _lastPrepareMs, Environment.TickCount64 - started);
            _standbyNumber = storage.Number;
            _standbyFailing = false;
            Volatile.Write(ref _standby, storage);
            prepared = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Said before it is acted on: a rotation that sees the flag faults the log at once, and whoever
            // then sees the log stopped must find the cause already reported.
            _faults.ReportThrottled(MmapLogErrorKind.Io, _faults.DescribeIoFailure(ex, _naming.Directory) + " (the next segment, prepared ahead); the current one is still being written", ex);
            _faults.DelayRetry();
            Volatile.Write(ref _standbyFailing, true);
        }
        _standbyChanged.Set();
        if (prepared)
        {
            // The new file counts toward the size limit: a rotation can close the old segment (and run
            // retention) before this file exists, which would leave the log over the limit until the next close.
            ApplyRetention();
        }
    }

    /// <summary>Keeps the log within its limits, sparing the segments still live (current, retired but not yet closed).</summary>
    public void ApplyRetention()
    {
        if (_lane is null)
        {
            // No lane, no say: the writers that hold the lanes keep the log within its limits.
            return;
        }
        long oldestLive = Volatile.Read(ref _current)?.Number ?? _nextNumber;
        // A retired segment is still mapped until the maintainer has closed it: live too.
        oldestLive = _retired.OldestNumber(oldestLive);
        // On the lifecycle thread: deleting must not race a compression, and a deletion hook must never hold up the maintainer.
        Lifecycle.ApplyRetention(oldestLive);
    }

    /// <summary>After the maintainer has stopped and closed what was retired: removes the unused standby and releases the lane.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _standby, null) is { } standby)
        {
            standby.DeleteIfStillNamed();
        }
        Lifecycle.Dispose();
        _lane?.Dispose();
        _standbyChanged.Dispose();
    }
}
