using System;
using System.IO;
using System.Threading;

namespace Sinks.Mmap.Writing;

/// <summary>
/// The writer's background thread: prepares the next segment, keeps the pages ahead of the tail
/// prepared (<see cref="PageWindow"/>), closes and trims retired segments, retries after a fault,
/// and forces written bytes to disk (<see cref="FlushSegment"/>, also called by logging threads).
/// </summary>
internal sealed class SegmentMaintainer : IDisposable
{
    // While segments are rotating, the maintainer looks for work this often instead of being woken by
    // the rotating thread: a wake-up is a system call (and often a context switch) on the logging thread.
    internal const int BusyPollMilliseconds = 10;
    internal const long BusyWindowMilliseconds = 2000;
    // While events are being written, the maintainer renews the pages ahead of the tail this often
    // (PageWindow): the kernel may write them back, or take them, at any moment.
    internal const int WritingPollMilliseconds = 50;
    // A thread that appended fewer records than this in a round has its claim block closed (ThreadClaims).
    private const int QuietBlockAppends = 16;
    private static readonly TimeSpan PublishWait = TimeSpan.FromSeconds(10);

    private readonly MmapLogOptions _options;
    private readonly WriterFaults _faults;
    private readonly AutoResetEvent _wake = new(false);
    private readonly PageWindow _pages = new();
    private SegmentRotation? _rotation;
    private Thread? _thread;
    private long _diskFlushes;
    private DateTime _nextFlushUtc;

    public SegmentMaintainer(MmapLogOptions options, WriterFaults faults)
    {
        _options = options;
        _faults = faults;
        _nextFlushUtc = UtcNow + (_options.FlushToDiskInterval ?? TimeSpan.Zero);
    }

    /// <summary>How many times written bytes were forced to disk (msync/fsync).</summary>
    public long DiskFlushes => Interlocked.Read(ref _diskFlushes);

    private DateTime UtcNow => _options.TimeProvider.GetUtcNow().UtcDateTime;

    /// <summary>Wakes the thread now (a standby is needed, pages are running out).</summary>
    public void Wake() => _wake.Set();

    /// <summary>Starts the thread over <paramref name="rotation"/>'s segments.</summary>
    public void Start(SegmentRotation rotation)
    {
        _rotation = rotation;
        _thread = new Thread(MaintainLoop) { IsBackground = true, Name = "Sinks.Mmap maintainer" };
        _thread.Start();
    }

    /// <summary>Lets the thread finish its round (the rotation is stopping) and waits for it.</summary>
    public void Stop()
    {
        _wake.Set();
        _thread?.Join();
    }

    private void MaintainLoop()
    {
        SegmentRotation rotation = _rotation!;
        SegmentRotation.PrepareRotationCode();
        // Old segments may already be past the limits when the log is opened.
        try
        {
            rotation.ApplyRetention();
        }
        catch (Exception ex)
        {
            _faults.ReportThrottled(MmapLogErrorKind.Io, "retention failed", ex);
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
            bool rotatingLately = Environment.TickCount64 - rotation.LastRotationMs < BusyWindowMilliseconds;
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
            bool stopping = rotation.Stopping;
            try
            {
                if (!stopping)
                {
                    rotation.PrepareSpareStrings();
                    rotation.RetryIfFaulted();
                    rotation.CheckOwnership();
                    rotation.PrepareStandbyIfNeeded();
                    writingLately = _pages.Refresh(rotation.Current, rotation.Standby, Environment.TickCount64);
                    // A quiet thread's block would hold readers following the log: closed within a round or two.
                    if (rotation.Current is { } current && current.CloseQuietBlocks(QuietBlockAppends, UtcNow.Ticks))
                    {
                        writingLately = true;
                    }
                    rotation.RecoverIdleLanesIfDue();
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
                _faults.ReportThrottled(MmapLogErrorKind.Io, "background maintenance failed", ex);
            }
            if (stopping)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Closes and trims the segments rotation retired whose records are all published. A segment with
    /// a record still being written (a thread encoding a large event in place, its payload slow) is
    /// looked at again next round rather than waited for: waiting here held up the next standby, and
    /// every logging thread then dropped its events at the next rotation. After
    /// <see cref="PublishWait"/> it is reported and left mapped for good: unmapping memory a thread
    /// still writes would crash the process. <paramref name="waitForWriters"/> (Dispose, the maintainer
    /// stopped) waits for them instead, up to <see cref="PublishWait"/> a segment.
    /// </summary>
    public void CloseRetiredSegments(bool waitForWriters = false)
    {
        SegmentRotation rotation = _rotation!;
        bool closedAny = false;
        // Each segment retired so far once: one still being written goes back to the queue's end.
        for (int pending = rotation.Retired.Count; pending > 0 && rotation.Retired.TryDequeue(out ActiveSegment? segment); pending--)
        {
            if (!Settled(segment))
            {
                if (waitForWriters)
                {
                    DateTime deadline = DateTime.UtcNow + PublishWait;
                    while (!Settled(segment) && DateTime.UtcNow < deadline)
                    {
                        Thread.Sleep(1);
                    }
                }
                else
                {
                    long now = Environment.TickCount64;
                    if (segment.UnpublishedSinceMs == 0)
                    {
                        segment.UnpublishedSinceMs = now;
                    }
                    if (now - segment.UnpublishedSinceMs < (long)PublishWait.TotalMilliseconds)
                    {
                        rotation.Retired.Enqueue(segment);
                        continue;
                    }
                }
                if (!Settled(segment))
                {
                    // A thread still holds a claim: unmapping under it would crash the process. Leave it mapped.
                    _faults.Report(new MmapLogError(MmapLogErrorKind.Io, $"{segment.Storage.Path} still had an unfinished record after {PublishWait.TotalSeconds} s; it stays mapped and untrimmed"));
                    continue;
                }
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
                rotation.Lifecycle.Sealed(segment.Storage.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _faults.ReportThrottled(MmapLogErrorKind.Io, $"closing {segment.Storage.Path} failed", ex);
            }
        }
        if (closedAny)
        {
            rotation.ApplyRetention();
        }
    }

    /// <summary>True when every record of the retired <paramref name="segment"/> is published, once its threads' claim blocks are closed.</summary>
    private bool Settled(ActiveSegment segment)
    {
        segment.CloseQuietBlocks(int.MaxValue, UtcNow.Ticks);
        return segment.AllPublished();
    }

    private void FlushOnInterval()
    {
        if (_options.FlushToDiskInterval is not { } interval || UtcNow < _nextFlushUtc)
        {
            return;
        }
        _nextFlushUtc = UtcNow + interval;
        if (_rotation!.Current is { } segment)
        {
            FlushSegment(segment, segment.ClaimedEnd);
        }
    }

    /// <summary>msync + fsync of <paramref name="segment"/> up to <paramref name="through"/>; failures are reported, never thrown. Any thread.</summary>
    public void FlushSegment(ActiveSegment segment, long through, long recordStart = long.MaxValue)
    {
        try
        {
            if (segment.FlushToDisk(through, recordStart))
            {
                Interlocked.Increment(ref _diskFlushes);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            _faults.ReportThrottled(MmapLogErrorKind.Io, $"flushing {segment.Storage.Path} to disk failed", ex);
        }
    }

    public void Dispose() => _wake.Dispose();
}
