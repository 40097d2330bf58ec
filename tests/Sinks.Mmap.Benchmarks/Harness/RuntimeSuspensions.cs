using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// Every time the runtime stopped all managed threads, from its own events (GCSuspendEEBegin to
/// GCRestartEEEnd), with the reason it gave: a collection, or something else (tiered compilation
/// removing its call-counting stubs suspends the runtime too, and GC.GetTotalPauseDuration does not
/// count that). Lets the latency harness say what held a slow call. In-process EventPipe: a
/// dispatch thread of its own, woken a few times a second.
/// </summary>
internal sealed class RuntimeSuspensions : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int RestartEEEnd = 3;
    private const int SuspendEEEnd = 8;
    private const int SuspendEEBegin = 9;

    private readonly object _gate = new();
    private readonly List<Suspension> _done = new();
    // Event timestamps are DateTime; call times are Stopwatch ticks: one pair read together maps one onto the other.
    private readonly long _originTicks = Stopwatch.GetTimestamp();
    private readonly DateTime _originUtc = DateTime.UtcNow;
    private long _begin = -1;
    private long _suspended = -1;
    private int _reason;

    /// <summary>One stop: when it began and when every thread was stopped (Stopwatch ticks), when it ended, and why.</summary>
    public readonly record struct Suspension(long BeginTicks, long SuspendedTicks, long EndTicks, int Reason)
    {
        /// <summary>SUSPEND_FOR_GC and SUSPEND_FOR_GC_PREP; anything else is not a collection.</summary>
        public bool ForGc => Reason is 1 or 6;
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == RuntimeSource)
        {
            EnableEvents(source, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        long at = _originTicks + (long)((e.TimeStamp.ToUniversalTime() - _originUtc).Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));
        lock (_gate)
        {
            switch (e.EventId)
            {
                case SuspendEEBegin:
                    _begin = at;
                    _suspended = -1;
                    _reason = e.Payload is { Count: > 0 } payload ? Convert.ToInt32(payload[0], System.Globalization.CultureInfo.InvariantCulture) : -1;
                    break;
                case SuspendEEEnd:
                    _suspended = at;
                    break;
                case RestartEEEnd when _begin >= 0:
                    _done.Add(new Suspension(_begin, _suspended, at, _reason));
                    _begin = -1;
                    break;
            }
        }
    }

    /// <summary>The stops seen so far (events arrive a little late: wait a moment after the work).</summary>
    public List<Suspension> Snapshot()
    {
        lock (_gate)
        {
            return new List<Suspension>(_done);
        }
    }

    /// <summary>The longest stop that overlaps [<paramref name="from"/>, <paramref name="to"/>] (Stopwatch ticks), if any.</summary>
    public static Suspension? Overlapping(List<Suspension> stops, long from, long to)
    {
        Suspension? longest = null;
        foreach (Suspension s in stops)
        {
            if (s.BeginTicks <= to && s.EndTicks >= from && (longest is null || s.EndTicks - s.BeginTicks > longest.Value.EndTicks - longest.Value.BeginTicks))
            {
                longest = s;
            }
        }
        return longest;
    }
}
