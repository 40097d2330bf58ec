using System;
using System.Runtime.CompilerServices;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Sinks.Mmap.Adapters;
using Sinks.Mmap.Format;
using Sinks.Mmap.Recovery;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>
/// What the writer tells the application: the error callback (never let throw into the writer,
/// repeats throttled), the counts of dropped and truncated events, and the fault state (no segment
/// can be written; retried every <see cref="MmapLogOptions.RetryInterval"/>) with its messages.
/// </summary>
internal sealed class WriterFaults
{
    private static readonly TimeSpan RepeatAfter = TimeSpan.FromSeconds(10);

    private readonly MmapLogOptions _options;
    // One slot a kind, with room for kinds to come.
    private readonly long[] _lastReportedTicks = new long[16];
    private readonly HashSet<string> _reportedPlanted = new(StringComparer.Ordinal);
    private long _dropped;
    private long _truncated;
    private long _droppedAtFault;
    // Both written under the rotation lock.
    private bool _faulted;
    private DateTime _retryAtUtc;

    public WriterFaults(MmapLogOptions options) => _options = options;

    /// <summary>Events dropped so far.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events written with values nested too deep (the deeper values replaced by the truncation marker).</summary>
    public long Truncated => Interlocked.Read(ref _truncated);

    /// <summary>
    /// True from the moment the fault is reported until its recovery has been reported: whoever sees
    /// the writer faulted, or writing again, finds the report that says so already made.
    /// </summary>
    public bool Faulted => Volatile.Read(ref _faulted);

    /// <summary>When a failed segment (current or prepared ahead) is next tried again.</summary>
    public DateTime RetryAtUtc => _retryAtUtc;

    private DateTime UtcNow => _options.TimeProvider.GetUtcNow().UtcDateTime;

    public void CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>Calls the error callback; a callback that throws must not take logging down with it.</summary>
    public void Report(MmapLogError error)
    {
        try
        {
            _options.OnError?.Invoke(error);
        }
        catch
        {
            // An error handler that fails must not take logging down with it.
        }
    }

    /// <summary>Reports at most once every few seconds per kind: a fault repeats on every event.</summary>
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

    public void ReportRejected(EventRejection rejection, int maxBodyLength)
    {
        string why = rejection == EventRejection.BadShape
            ? "an event wrote other values than it declared (a property, sequence, structure or dictionary count, or a name where a value was due); it was dropped rather than published unreadable"
            : $"an event is larger than a record may be ({maxBodyLength + FormatConstants.FrameHeaderSize} bytes with this segment size); it was dropped";
        ReportThrottled(MmapLogErrorKind.EventRejected, why);
    }

    public void ReportNotAppended(AppendResult result, Exception? failure)
    {
        string why = result switch
        {
            AppendResult.NotCopied => "an event could not be copied into the segment; it was dropped",
            AppendResult.SizeChanged => "an event wrote a different number of bytes than it measured (was it changed by another thread while logged?); it was dropped",
            _ => "an event could not be encoded; it was dropped",
        };
        ReportThrottled(MmapLogErrorKind.EventRejected, why, failure);
    }

    public void ReportTruncated()
    {
        long truncated = Interlocked.Increment(ref _truncated);
        ReportThrottled(MmapLogErrorKind.EventTruncated,
            $"an event had a value nested deeper than {FormatConstants.MaxNesting} levels; what was deeper was replaced by a {FormatConstants.TruncatedTypeName} marker ({truncated} event(s) so far)");
    }

    /// <summary>Caller holds the rotation lock. From now on events are dropped; a retry is due after the retry interval.</summary>
    public void EnterFault()
    {
        if (!_faulted)
        {
            _droppedAtFault = Interlocked.Read(ref _dropped);
            Volatile.Write(ref _faulted, true);
        }
        _retryAtUtc = UtcNow + _options.RetryInterval;
    }

    /// <summary>Caller holds the rotation lock. Faults, saying why the first time.</summary>
    public void ReportFault(MmapLogErrorKind kind, string problem, Exception? ex)
    {
        if (!_faulted)
        {
            // Reported first, then faulted: events are dropped only once the caller takes the segment away, after this.
            Report(new MmapLogError(kind, $"{problem}; events are dropped and counted until this clears (retrying every {_options.RetryInterval.TotalSeconds:0.###} s)", ex));
        }
        EnterFault();
    }

    /// <summary>The segment prepared ahead could not be made: tried again after the retry interval (the log is not faulted).</summary>
    public void DelayRetry() => _retryAtUtc = UtcNow + _options.RetryInterval;

    /// <summary>Caller holds the rotation lock. Writing resumed at <paramref name="path"/>: ends a fault, saying how many events it cost.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Resumed(string path)
    {
        if (_faulted)
        {
            long dropped = Interlocked.Read(ref _dropped) - _droppedAtFault;
            Report(new MmapLogError(MmapLogErrorKind.Recovered, $"writing to {path} again; {dropped} event(s) were dropped while the log could not be written"));
            Volatile.Write(ref _faulted, false);
        }
    }

    /// <summary>A planted name recovery or a lane claim stepped around: reported once each.</summary>
    public void ReportPlanted(string problem)
    {
        lock (_reportedPlanted)
        {
            if (!_reportedPlanted.Add(problem)) return;
        }
        Report(new MmapLogError(MmapLogErrorKind.Io, problem + "; the writer uses another name"));
    }

    public void ReportRecovery(RecoveryReport report)
    {
        foreach (RepairedSegment r in report.Repaired)
        {
            Report(new MmapLogError(MmapLogErrorKind.Recovery,
                $"recovered {r.Path} after an unclean stop: kept {r.RecordsKept} record(s) up to sequence {r.LastSequence}, filled {r.HolesFilled} hole(s) ({r.LostSequences} record(s) that were never completed), cut {r.TornTailBytes} torn byte(s), and sealed it"));
        }
        foreach (string problem in report.Problems)
        {
            Report(new MmapLogError(MmapLogErrorKind.Recovery, $"recovery left a segment untouched: {problem}"));
        }
    }

    public string DescribeIoFailure(Exception ex, string directory) => ex switch
    {
        UnauthorizedAccessException => $"permission denied creating a segment in {directory}",
        IOException io when IsDiskFull(io) => $"no space left to create a {_options.SegmentSizeBytes}-byte segment in {directory}",
        _ => $"could not create a segment in {directory}: {ex.Message}",
    };

    private static bool IsDiskFull(IOException ex) =>
        ex.HResult == PosixFallocate.ENOSPC || (ex.HResult & 0xFFFF) is 0x70 or 0x27 ||
        ex.Message.Contains("space", StringComparison.OrdinalIgnoreCase) ||
        // What FileStream throws on Unix when PreallocationSize cannot be allocated (ENOSPC): no errno in HResult.
        ex.Message.Contains("disk was full", StringComparison.OrdinalIgnoreCase);
}
