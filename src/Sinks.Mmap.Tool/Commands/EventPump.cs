using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Sinks.Mmap.Reading;
using Sinks.Mmap.Rendering;
using Sinks.Mmap.Tool.Output;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>What cat and export do: read (or follow), filter, write, and remember the position.</summary>
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

    public long Printed { get; private set; }
    public long Undecodable { get; private set; }
    public LogPosition? LastPosition { get; private set; }

    /// <summary>Prints every matching event that is in the log now.</summary>
    public void ReadAll(CancellationToken ct)
    {
        if (Output is ClefEventOutput clef && !Filter.NeedsMessage)
        {
            ReadAllClef(clef, ct);
            return;
        }
        LastPosition = From;
        foreach (MmapRecord record in Reader.ReadRecords(From))
        {
            if (ct.IsCancellationRequested) break;
            OnBytes?.Invoke((record.Length + 7) & ~7L);
            if (record.Kind == MmapRecordKind.Event && record.Event is null) Undecodable++;
            if (record.Event is not { } evt || !Filter.Matches(evt)) continue;
            Output.Write(evt, Destination);
            Printed++;
            LastPosition = record.Next;
        }
        SavePosition();
    }

    /// <summary>
    /// <see cref="ReadAll"/> for CLEF: renders each event straight from its record's bytes into a UTF-8
    /// buffer (no event objects, no strings), and decodes only the events that fast path hands back.
    /// </summary>
    private void ReadAllClef(ClefEventOutput clef, CancellationToken ct)
    {
        LastPosition = From;
        var writer = new ClefUtf8Writer();
        var sink = new Utf8LineSink(Destination);
        using (RecordStream records = Reader.OpenRecordStream(From))
        {
            while (records.MoveNext())
            {
                if (ct.IsCancellationRequested) break;
                OnBytes?.Invoke((records.Length + 7) & ~7L);
                if (records.Kind != MmapRecordKind.Event) continue;
                if (!Filter.Matches(records.Level, records.UtcTicks))
                {
                    // Skipped events still count when they are damaged, as on the decoding path.
                    if (!records.EventDecodes()) Undecodable++;
                    continue;
                }
                switch (records.WriteClef(writer, sink.Buffer))
                {
                    case ClefFrameResult.Undecodable:
                        Undecodable++;
                        continue;
                    case ClefFrameResult.NeedsDecoding:
                        if (records.DecodeEvent() is not { } evt)
                        {
                            Undecodable++;
                            continue;
                        }
                        sink.Write(clef.FormatLine(evt));
                        break;
                }
                Printed++;
                LastPosition = records.Next;
                sink.FlushIfFull();
            }
        }
        sink.Flush();
        SavePosition();
    }

    /// <summary>Prints matching events as writers commit them, across rotation, until <paramref name="ct"/> is cancelled.</summary>
    public async Task FollowAsync(CancellationToken ct)
    {
        LastPosition = From;
        var sinceSave = Stopwatch.StartNew();
        LogPosition? saved = From;
        try
        {
            await foreach (MmapEvent evt in Reader.FollowAsync(From, PollInterval, ct).ConfigureAwait(false))
            {
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
