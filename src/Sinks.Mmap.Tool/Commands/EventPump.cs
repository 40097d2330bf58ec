using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Sinks.Mmap.Reading;
using Sinks.Mmap.Rendering;
using Sinks.Mmap.Tool.Output;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>What cat and export do: read (or follow), filter, write, remember the position, and say what was skipped.</summary>
internal sealed class EventPump
{
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(1);

    public required MmapLogReader Reader { get; init; }
    public required EventFilter Filter { get; init; }
    public required IEventOutput Output { get; init; }
    public required TextWriter Destination { get; init; }
    public LogPosition? From { get; init; }
    public string? SavePositionPath { get; init; }
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Called with each record's length (aligned) as it is read, for a progress bar.</summary>
    public Action<long>? OnBytes { get; set; }

    /// <summary>Called once, the first time a follower skips a record that does not decode.</summary>
    public Action<string>? OnFirstSkip { get; set; }

    public long Printed { get; private set; }
    public LogPosition? LastPosition { get; private set; }

    /// <summary>What reading skipped (after <see cref="ReadAll"/>; after following, the records that did not decode).</summary>
    public DamageSummary Damage { get; private set; } = new();

    /// <summary>Matching events to pass over before printing (the tail prints the last of them).</summary>
    public long SkipMatching { get; init; }

    /// <summary>Where reading stopped: after the last record read, every lane's place (set by <see cref="ReadAll"/> when <see cref="TrackEnd"/>).</summary>
    public LogPosition? End { get; private set; }

    /// <summary>Keep <see cref="End"/> (the tail then follows from there).</summary>
    public bool TrackEnd { get; init; }

    /// <summary>A pump like this one reading from <paramref name="from"/>, passing over <paramref name="skip"/> matches, keeping its end.</summary>
    public EventPump With(LogPosition? from, long skip) => new()
    {
        Reader = Reader,
        Filter = Filter,
        Output = Output,
        Destination = Destination,
        From = from,
        SavePositionPath = SavePositionPath,
        PollInterval = PollInterval,
        OnBytes = OnBytes,
        OnFirstSkip = OnFirstSkip,
        SkipMatching = skip,
        TrackEnd = true,
    };

    /// <summary>Prints every matching event that is in the log now (after the first <see cref="SkipMatching"/>).</summary>
    public void ReadAll(CancellationToken ct) => Run(ct, countOnly: false);

    /// <summary>Counts the matching events from <see cref="From"/>, printing nothing: by their frames alone when no filter needs the message.</summary>
    public long CountMatching(CancellationToken ct) => Run(ct, countOnly: true);

    private long Run(CancellationToken ct, bool countOnly)
    {
        LastPosition = From;
        End = From;
        long matched = 0;
        // Written from the record's bytes when the output can (CLEF) and no filter needs the message.
        bool fromBytes = !countOnly && !Filter.NeedsMessage;
        var sink = new Utf8LineSink(Destination);
        // Property comparisons checked on each record's bytes, so an event that cannot match is not decoded.
        WhereFilter? where = Filter.Where is { HasConditions: true } w ? w : null;
        using (MmapRecordStream records = Reader.OpenRecordStream(From, Filter.Until))
        {
            while (records.MoveNext())
            {
                if (ct.IsCancellationRequested) break;
                OnBytes?.Invoke((records.Length + 7) & ~7L);
                if (TrackEnd) End = records.Next;
                if (records.Kind != MmapRecordKind.Event) continue;
                // Outside --since/--until: skipped unread (the frame was checked, the body is not walked),
                // so a time-bounded read costs what it prints.
                if (Filter.OutsideTime(records.UtcTicks)) continue;
                if (!Filter.Matches(records.Level, records.UtcTicks))
                {
                    // Skipped events still count when they are damaged, as printed ones do: the check is counted.
                    records.EventDecodes();
                    continue;
                }
                if (where is not null && !where.MayMatch(records)) continue;
                if (!Filter.NeedsMessage && (countOnly || matched < SkipMatching))
                {
                    // Counted and passed over by their frames alone (the tail's first pass and what it skips):
                    // a damaged body among the last N is found, and said, when it is printed.
                    matched++;
                    continue;
                }
                if (fromBytes && WriteFromBytes(records, sink))
                {
                    matched++;
                    Printed++;
                    LastPosition = records.Next;
                    continue;
                }
                MmapEvent? evt = records.DecodeEvent();
                if (evt is null || !Filter.Matches(evt)) continue;
                matched++;
                if (countOnly || matched <= SkipMatching) continue;
                Write(evt, sink);
                Printed++;
                LastPosition = records.Next;
            }
            sink.Flush();
            Damage = DamageSummary.Of(records.Reports, From);
        }
        if (!countOnly) SavePosition();
        return matched;
    }

    /// <summary>
    /// The record straight from its bytes into the line buffer, when the output can; false when it
    /// cannot, or the event needs decoding (what that path does not cover) or does not decode (the
    /// caller's DecodeEvent finds it so too, and counts it).
    /// </summary>
    private bool WriteFromBytes(MmapRecordStream records, Utf8LineSink sink)
    {
        if (!Output.TryWriteRecord(records, sink)) return false;
        sink.FlushIfFull();
        return true;
    }

    /// <summary>One event through the output: CLEF lines join the line buffer when small; the rest goes to the destination.</summary>
    private void Write(MmapEvent evt, Utf8LineSink sink)
    {
        if (Output.TryWriteLine(evt) is { } line)
        {
            sink.Write(line);
            sink.FlushIfFull();
            return;
        }
        sink.Flush();
        Output.Write(evt, Destination);
    }

    /// <summary>Prints matching events as writers commit them, across rotation, until <paramref name="ct"/> is cancelled.</summary>
    public async Task FollowAsync(CancellationToken ct)
    {
        LastPosition = From;
        var sinceSave = Stopwatch.StartNew();
        LogPosition? saved = From;
        long undecodable = 0;
        try
        {
            await foreach (MmapRecord record in Reader.FollowRecordsAsync(From, PollInterval, ct).ConfigureAwait(false))
            {
                if (record.Event is not { } evt)
                {
                    if (undecodable++ == 0)
                    {
                        OnFirstSkip?.Invoke($"record {record.Sequence} in {Path.GetFileName(record.SegmentPath)} could not be decoded and was skipped ({record.DecodeError}); any more are counted and reported at exit");
                    }
                    continue;
                }
                if (!Filter.Matches(evt)) continue;
                Output.Write(evt, Destination);
                Destination.Flush();
                Printed++;
                LastPosition = evt.Position;
                if (sinceSave.Elapsed >= SaveInterval && LastPosition != saved)
                {
                    SavePosition();
                    saved = LastPosition;
                    sinceSave.Restart();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        Damage = DamageSummary.OfUndecodable(undecodable);
        SavePosition();
    }

    private void SavePosition()
    {
        if (SavePositionPath is not null && LastPosition is { } position)
        {
            PositionStore.Save(SavePositionPath, position);
        }
    }
}
