using System;
using System.IO;
using Sinks.Mmap.Format;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Sinks.Mmap.Reading;

namespace Sinks.Mmap;

/// <summary>
/// Reads a log: one segment file, the path the writer was given (all its segments, in order), or a
/// folder of segments. Reading never maps files and never trusts a length it has not checked, so
/// damaged or hostile files cost bounded time and memory. The only exception it throws for file
/// contents is <see cref="MmapFormatException"/>, for a segment of an unknown major version.
/// </summary>
public sealed class MmapLogReader
{
    private readonly SegmentSet _segments;

    /// <summary>A reader of <paramref name="path"/>: a segment file, a writer's path, or a folder.</summary>
    public MmapLogReader(string path) => _segments = new SegmentSet(path);

    /// <summary>How long a follower waits at a hole (a record a writer claimed but has not written) before skipping it.</summary>
    public TimeSpan HoleTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The segment files, in reading order, as they are now.</summary>
    public IReadOnlyList<string> SegmentFiles()
    {
        var list = new List<string>();
        foreach ((_, string path) in _segments.List()) list.Add(path);
        return list;
    }

    /// <summary>
    /// The bytes the segment file <paramref name="segmentFile"/> holds: its length for a plain segment,
    /// the length of the segment it holds for a compressed one (FORMAT.md, <i>Compressed segments</i>);
    /// 0 when it cannot be read.
    /// </summary>
    public static long ContentLength(string segmentFile)
    {
        try
        {
            using SegmentSource? source = SegmentSource.Open(segmentFile, FormatConstants.HeaderSize, out _);
            return source?.Length ?? 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Every event, in sequence order, from <paramref name="from"/> (or the start).</summary>
    public IEnumerable<MmapEvent> ReadEvents(LogPosition? from = null)
    {
        foreach (MmapRecord record in ReadRecords(from))
        {
            if (record.Event is { } evt) yield return evt;
        }
    }

    /// <summary>
    /// Every valid record of every kind, from <paramref name="from"/> (or the start): each lane's in
    /// sequence order, the lanes of a log that several writers shared merged by timestamp.
    /// </summary>
    public IEnumerable<MmapRecord> ReadRecords(LogPosition? from = null)
    {
        // The lanes are listed now, not when the enumeration starts.
        IReadOnlyList<LogLane> lanes = _segments.Lanes();
        return lanes.Count == 0 ? Array.Empty<MmapRecord>() : ReadMerged(lanes, from);
    }

    private static IEnumerable<MmapRecord> ReadMerged(IReadOnlyList<LogLane> lanes, LogPosition? from)
    {
        using var records = new MmapRecordStream(lanes, from);
        while (records.MoveNext()) yield return records.ToRecord();
    }

    /// <summary>
    /// A position from which reading yields at least the last <paramref name="events"/> events of every
    /// lane (all of a lane's that holds fewer), so the last <paramref name="events"/> of the log are among
    /// what follows it. Found from the newest segment backwards: only the newest segments that hold those
    /// events are read (their frames checked, no event decoded), so the cost does not grow with the log.
    /// In each lane it is the place just before its <paramref name="events"/>-th last event (the start of
    /// that event's segment for a tail of over a million events); null when it is the start of the log.
    /// A read from it checks the frames before that place in its segment (string definitions may be
    /// anywhere before) without decoding them.
    /// </summary>
    /// <param name="events">How many events, at least 1.</param>
    public LogPosition? TailStart(long events)
    {
        if (events < 1) throw new ArgumentOutOfRangeException(nameof(events), events, "At least one event.");
        return LaneSeek.Join(_segments.Lanes(), lane => LaneSeek.TailStart(lane, events));
    }

    /// <summary>
    /// A position from which reading yields every record stamped at or after <paramref name="time"/>,
    /// found from the segments' headers alone (each records when its segment was created): in each lane,
    /// the start of the segment before the first one created after <paramref name="time"/>. Records before
    /// it are skipped unread, those after it in that segment are only checked (not decoded) by a reader
    /// that filters by time. Null when it is the start of the log, which is also the answer for a lane
    /// whose headers' times go backwards (a clock stepped back). The position is a lower bound: records
    /// stamped earlier may follow it.
    /// </summary>
    public LogPosition? TimeStart(DateTimeOffset time)
    {
        long ticks = time.UtcTicks;
        return LaneSeek.Join(_segments.Lanes(), lane => LaneSeek.TimeStart(lane, ticks));
    }

    /// <summary>
    /// Every valid record from <paramref name="from"/> (or the start) as frames, in the order
    /// <see cref="ReadRecords"/> yields them, for readers that allocate nothing per record and decode
    /// only what they need (<see cref="MmapRecordStream.DecodeEvent"/>). With <paramref name="until"/>,
    /// each lane stops at its first event stamped well after that time (a little slack allows for
    /// clocks), since what follows it in the lane is later still.
    /// </summary>
    /// <param name="from">Where to start; null for the start of the log.</param>
    /// <param name="until">A time after which nothing is wanted; null to read to the end.</param>
    /// <returns>A stream to move through with <see cref="MmapRecordStream.MoveNext"/>, to be disposed.</returns>
    public MmapRecordStream OpenRecordStream(LogPosition? from = null, DateTimeOffset? until = null) => new(_segments.Lanes(), from, until?.UtcTicks);

    /// <summary>
    /// Each segment file with what its header says, without reading its records: readable, prepared but
    /// never started, or unreadable and why (a damaged header, not a segment, not a regular file…).
    /// </summary>
    /// <returns>One entry a segment file.</returns>
    public IReadOnlyList<SegmentInspection> InspectSegments()
    {
        var states = new List<SegmentInspection>();
        foreach ((long number, string path) in _segments.List())
        {
            using SegmentCursor cursor = SegmentCursor.Open(path, number);
            SegmentState state = cursor.NotStarted ? SegmentState.NotStarted : cursor.IsReadable ? SegmentState.Readable : SegmentState.Unreadable;
            states.Add(new SegmentInspection(path, state, cursor.Report.Problem));
        }
        return states;
    }

    /// <summary>Checks every segment: valid records, torn tails, holes, damaged ranges and sequence gaps (within each lane).</summary>
    public ValidationReport Validate()
    {
        var reports = new List<SegmentReport>();
        foreach (LogLane lane in _segments.Lanes())
        {
            SegmentReport? previous = null;
            foreach ((long number, string path) in lane.Segments)
            {
                using SegmentCursor cursor = SegmentCursor.Open(path, number, lane.Key);
                if (cursor.NotStarted) continue;
                // Validation needs every check the decoder makes, not the decoded events: nothing is allocated per record.
                while (cursor.MoveNext(resynchronise: true, SegmentCursor.EventHandling.Validate))
                {
                }
                cursor.Finish();
                cursor.CheckContainer();
                SegmentReport report = cursor.Report;
                if (previous is { LastSequence: { } last } && report.FirstSequence is { } first && first != last + 1 && previous.SegmentNumber + 1 == report.SegmentNumber)
                {
                    if (!previous.Sealed && first > last + 1)
                    {
                        // A segment followed by the next without a seal: its writer moved on while a thread's
                        // claim in it (a record, or the seal itself) was unfinished, and was then killed (or is
                        // still finishing it). The numbers between are claims never published, as in a hole.
                        previous.LostInCrash += first - (last + 1);
                    }
                    else
                    {
                        report.AddLeadingGap(new SequenceGap(last + 1, first));
                    }
                }
                reports.Add(report);
                previous = report;
            }
        }
        return new ValidationReport(reports);
    }

    /// <summary>
    /// Yields events as writers commit them, across rotation, like <c>tail -F</c>, until cancelled.
    /// Each event's position (<see cref="MmapEvent.Position"/>) can be saved and passed back as
    /// <paramref name="from"/> after a restart. When the writer is killed, the follower yields every
    /// event it committed, skips a hole it left after <see cref="HoleTimeout"/>, and then waits for the
    /// next writer, whose recovery seals the segment and moves the follower on.
    /// </summary>
    public async IAsyncEnumerable<MmapEvent> FollowAsync(LogPosition? from = null, TimeSpan? pollInterval = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (MmapRecord record in FollowRecordsAsync(from, pollInterval, cancellationToken).ConfigureAwait(false))
        {
            if (record.Event is { } evt) yield return evt;
        }
    }

    /// <summary>
    /// As <see cref="FollowAsync"/>, yielding every Event record as it is committed, those that do not
    /// decode included (with <see cref="MmapRecord.Event"/> null), so a follower can say what it skipped.
    /// Each lane is followed on its own; at each poll, what the lanes committed since is yielded merged
    /// by timestamp (a lane whose records arrive later than another's may then yield an earlier one).
    /// </summary>
    /// <param name="from">Where to start (a position saved from <see cref="MmapRecord.Next"/>); null for the start of the log.</param>
    /// <param name="pollInterval">How often to look for new records when there are none; null for 100 ms.</param>
    /// <param name="cancellationToken">Ends the following.</param>
    /// <returns>The Event records, as they are committed.</returns>
    public async IAsyncEnumerable<MmapRecord> FollowRecordsAsync(LogPosition? from = null, TimeSpan? pollInterval = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        TimeSpan poll = pollInterval ?? TimeSpan.FromMilliseconds(100);
        var followers = new List<LaneFollower>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                IReadOnlyList<LogLane> lanes = _segments.Lanes();
                foreach (LogLane lane in lanes)
                {
                    LaneFollower? follower = null;
                    foreach (LaneFollower f in followers)
                    {
                        if (f.Key == lane.Key) follower = f;
                    }
                    if (follower is null)
                    {
                        follower = new LaneFollower(lane.Key, from?.ForLane(lane.Key), HoleTimeout);
                        followers.Add(follower);
                    }
                    follower.Poll(lane);
                }
                bool any = false;
                while (LaneMerge.TakeEarliest(followers) is { } next)
                {
                    any = true;
                    yield return followers.Count == 1 ? next.Record : next.Record.WithNext(LaneMerge.Combine(next.Record.Next, followers, next.Follower));
                    if (cancellationToken.IsCancellationRequested) break;
                }
                if (!any)
                {
                    await Delay(poll, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            foreach (LaneFollower follower in followers) follower.Dispose();
        }
    }

    private static async Task Delay(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>One segment file as <see cref="MmapLogReader.InspectSegments"/> found it.</summary>
/// <param name="Path">The segment file.</param>
/// <param name="State">What its header says about it.</param>
/// <param name="Problem">Why it is unreadable (<see cref="SegmentState.Unreadable"/>); else null.</param>
public readonly record struct SegmentInspection(string Path, SegmentState State, string? Problem);

/// <summary>What a segment's header says about it.</summary>
public enum SegmentState
{
    /// <summary>A valid header: its records can be read.</summary>
    Readable,
    /// <summary>Prepared by a writer and never started: no records, nothing wrong.</summary>
    NotStarted,
    /// <summary>Not readable at all: see the problem.</summary>
    Unreadable,
}
