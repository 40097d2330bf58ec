using System;
using System.Collections.Generic;
using Sinks.Mmap.Format;

namespace Sinks.Mmap.Reading;

/// <summary>
/// Follows one lane of a log, like <c>tail -F</c>: each <see cref="Poll"/> reads what its writer
/// committed since, across rotation, and queues the Event records. When the writer is killed, it
/// queues every event committed, skips a hole the writer left after the hole timeout, and then waits
/// for the next writer (or another lane's), whose recovery seals the segment and moves it on.
/// </summary>
internal sealed class LaneFollower : IDisposable
{
    // Enough to keep the merge moving without holding a large backlog in memory.
    private const int MaxQueued = 4096;

    private readonly TimeSpan _holeTimeout;
    private readonly Queue<MmapRecord> _queue = new();
    private long _nextSequence;
    private long _segmentNumber;
    private SegmentCursor? _cursor;
    private DateTime _stuckSince;
    private long _stuckAt = -1;

    public LaneFollower(string key, LogPosition? from, TimeSpan holeTimeout)
    {
        Key = key;
        _holeTimeout = holeTimeout;
        _nextSequence = from?.NextSequence ?? 0;
        _segmentNumber = from?.SegmentNumber ?? 0;
        Place = from?.Alone;
    }

    public string Key { get; }

    /// <summary>Where this lane resumes after the last record taken.</summary>
    public LogPosition? Place { get; private set; }

    /// <summary>The next record queued, or null.</summary>
    public MmapRecord? Waiting => _queue.Count > 0 ? _queue.Peek() : null;

    public MmapRecord Take()
    {
        MmapRecord record = _queue.Dequeue();
        Place = record.Next;
        return record;
    }

    /// <summary>Queues what the lane's writer committed since the last poll (<paramref name="lane"/>: its segments now).</summary>
    public void Poll(LogLane lane)
    {
        if (_queue.Count >= MaxQueued) return;
        _cursor?.Refresh();
        while (true)
        {
            if (_cursor is null && !Open(lane)) return;
            SegmentCursor cursor = _cursor!;
            MmapRecord? record = cursor.Next(resynchronise: false);
            if (record is not null)
            {
                if (record.Sequence >= _nextSequence && record.Kind == MmapRecordKind.Event)
                {
                    _nextSequence = record.Sequence + 1;
                    _queue.Enqueue(record);
                    if (_queue.Count >= MaxQueued) return;
                }
                continue;
            }
            if (cursor.Sealed)
            {
                MoveOn();
                continue;
            }
            if (cursor.Offset != _stuckAt)
            {
                _stuckAt = cursor.Offset;
                _stuckSince = DateTime.UtcNow;
                return;
            }
            if (DateTime.UtcNow - _stuckSince > _holeTimeout)
            {
                if (cursor.TrySkipHole()) continue;
                if (HasLaterSegment(lane))
                {
                    // A later segment exists and this one has stopped growing: its writer is gone.
                    MoveOn();
                    continue;
                }
            }
            return;
        }
    }

    /// <summary>Opens the first segment numbered at least the one to read; false when there is none yet (or it is not started).</summary>
    private bool Open(LogLane lane)
    {
        while (true)
        {
            (long Number, string Path)? target = null;
            foreach ((long number, string path) in lane.Segments)
            {
                if (number >= _segmentNumber)
                {
                    target = (number, path);
                    break;
                }
            }
            if (target is null) return false;
            _segmentNumber = target.Value.Number;
            var cursor = SegmentCursor.Open(target.Value.Path, target.Value.Number, Key);
            if (cursor.NotStarted || !cursor.IsReadable)
            {
                cursor.Dispose();
                if (!cursor.NotStarted && HasLaterSegment(lane))
                {
                    _segmentNumber++;
                    continue;
                }
                return false;
            }
            _cursor = cursor;
            _stuckAt = -1;
            _stuckSince = DateTime.UtcNow;
            return true;
        }
    }

    private void MoveOn()
    {
        _cursor?.Dispose();
        _cursor = null;
        _segmentNumber++;
    }

    /// <remarks>
    /// Only a later segment its writer has started counts. A writer prepares its next segment ahead (a
    /// file numbered after the one being written, its header still zero), so a writer that merely
    /// paused longer than the hole timeout has one too: counting it moved the follower past the rest of
    /// the segment being written, and the events written there after the pause were never yielded.
    /// </remarks>
    private bool HasLaterSegment(LogLane lane)
    {
        foreach ((long n, string path) in lane.Segments)
        {
            if (n > _segmentNumber && HasStarted(path)) return true;
        }
        return false;
    }

    /// <summary>True when the segment's header was written (a prepared segment's is zero); false when it cannot be read now.</summary>
    private static bool HasStarted(string path)
    {
        try
        {
            using SegmentSource? source = SegmentSource.Open(path, FormatConstants.HeaderSize, out _);
            return source is not null && !SegmentHeader.IsNeverStarted(source.Read(0, FormatConstants.HeaderSize));
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _cursor?.Dispose();
        _cursor = null;
    }
}
