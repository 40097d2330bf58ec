using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Serilog.Core;
using Serilog.Events;
using Sinks.Mmap;

namespace Serilog.Sinks.Mmap.Reading;

/// <summary>
/// Ships a crash-safe local log to any Serilog sink or logger (Seq, Elasticsearch, OpenTelemetry…):
/// replay everything, or everything after a saved position, and save the returned position to
/// resume there next time.
/// </summary>
public static class MmapLogReplay
{
    /// <summary>Writes every event after <paramref name="from"/> into <paramref name="sink"/>; returns where to resume.</summary>
    public static LogPosition? Replay(string path, ILogEventSink sink, LogPosition? from = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return Run(path, from, sink.Emit);
    }

    /// <summary>Writes every event after <paramref name="from"/> through <paramref name="logger"/> (its own filters and enrichers apply); returns where to resume.</summary>
    public static LogPosition? Replay(string path, ILogger logger, LogPosition? from = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return Run(path, from, logger.Write);
    }

    /// <summary>
    /// Writes every event after <paramref name="from"/> through <paramref name="logger"/>, a logger made
    /// by <c>CreateLogger()</c> (its filters and enrichers apply); returns where to resume. A
    /// <see cref="Logger"/> is both an <see cref="ILogger"/> and an <see cref="ILogEventSink"/>: this
    /// overload saves callers a cast.
    /// </summary>
    public static LogPosition? Replay(string path, Logger logger, LogPosition? from = null) => Replay(path, (ILogger)logger, from);

    /// <summary>
    /// Keeps writing events into <paramref name="sink"/> as they are committed, across rotation,
    /// until <paramref name="cancellationToken"/> is cancelled; <paramref name="onPosition"/> is told
    /// each event's position so it can be saved.
    /// </summary>
    public static async Task FollowAsync(string path, ILogEventSink sink, LogPosition? from = null, Action<LogPosition>? onPosition = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sink);
        await foreach (MmapEvent e in new MmapLogReader(path).FollowAsync(from, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            sink.Emit(MmapLogEventReader.ToLogEvent(e));
            if (e.Position is { } position) onPosition?.Invoke(position);
        }
    }

    private static LogPosition? Run(string path, LogPosition? from, Action<LogEvent> write)
    {
        LogPosition? last = from;
        foreach (MmapEvent e in new MmapLogReader(path).ReadEvents(from))
        {
            write(MmapLogEventReader.ToLogEvent(e));
            last = e.Position ?? last;
        }
        return last;
    }
}
