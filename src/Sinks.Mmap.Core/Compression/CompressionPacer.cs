using System;
using System.Threading;

namespace Sinks.Mmap.Compression;

/// <summary>
/// Keeps the compression of sealed segments out of a busy writer's way. Before each block it looks
/// at how fast the writer's tail moved since it last looked; while that is faster than
/// <see cref="BusyBytesPerSecond"/>, it waits, unless the segments waiting for compression already
/// hold <see cref="BacklogCapBytes"/>: then compression goes on however busy the writer is, so the
/// uncompressed backlog stays bounded.
/// </summary>
/// <remarks>
/// Why: at the lowest CPU priority the compression thread still slowed a logging thread that logged
/// flat out by 1.19× on a 2-vCPU machine (docs/DESIGN.md, "What it costs"): two vCPUs are often one
/// core's two hyperthreads, where anything that runs beside the logging thread slows it, whatever
/// its priority. Logging comes in bursts; compression fits in the gaps between them.
/// </remarks>
internal sealed class CompressionPacer
{
    /// <summary>A tail moving faster than this is a writer logging flat out (about 100 000 events/s of 80 bytes).</summary>
    public const long BusyBytesPerSecond = 8L << 20;

    /// <summary>The least uncompressed backlog that is compressed however busy the writer is (or 4 segments, when larger).</summary>
    public const long BacklogCapBytes = 256L << 20;

    /// <summary>How long a look at the writer's tail lasts, and how long a wait.</summary>
    public static readonly TimeSpan Look = TimeSpan.FromMilliseconds(50);

    private readonly Func<long> _written;
    private readonly Func<long> _backlogBytes;
    private readonly Func<long> _nowMs;
    private readonly Func<TimeSpan, CancellationToken, bool> _wait;
    private readonly long _backlogCap;
    private long _lastMs;
    private long _lastWritten;
    private bool _busy;

    /// <param name="written">Bytes the writer has appended so far (only its growth matters).</param>
    /// <param name="backlogBytes">Bytes of sealed segments waiting for compression, the one being compressed included.</param>
    /// <param name="segmentBytes">The writer's segment size: the cap is at least 4 of them.</param>
    /// <param name="nowMs">A millisecond clock; null for <see cref="Environment.TickCount64"/>.</param>
    /// <param name="wait">Waits the given time, true when cancelled meanwhile; null to wait on the token.</param>
    public CompressionPacer(Func<long> written, Func<long> backlogBytes, long segmentBytes, Func<long>? nowMs = null, Func<TimeSpan, CancellationToken, bool>? wait = null)
    {
        _written = written;
        _backlogBytes = backlogBytes;
        _backlogCap = Math.Max(BacklogCapBytes, 4 * segmentBytes);
        _nowMs = nowMs ?? (() => Environment.TickCount64);
        _wait = wait ?? ((time, cancel) => cancel.WaitHandle.WaitOne(time));
        _lastMs = _nowMs();
        _lastWritten = _written();
    }

    /// <summary>How many times a block waited for the writer to slow down.</summary>
    public long Waits { get; private set; }

    /// <summary>Returns when the next block may be compressed; throws when <paramref name="cancel"/> is cancelled meanwhile.</summary>
    public void BeforeBlock(CancellationToken cancel)
    {
        while (true)
        {
            Sample();
            if (!_busy || _backlogBytes() >= _backlogCap)
            {
                return;
            }
            Waits++;
            if (_wait(Look, cancel))
            {
                cancel.ThrowIfCancellationRequested();
            }
        }
    }

    // A block takes a millisecond or two: the rate is taken again only once a look's time has passed.
    private void Sample()
    {
        long now = _nowMs();
        long elapsed = now - _lastMs;
        if (elapsed < Look.TotalMilliseconds)
        {
            return;
        }
        long written = _written();
        _busy = (written - _lastWritten) * 1000 > BusyBytesPerSecond * elapsed;
        _lastMs = now;
        _lastWritten = written;
    }
}
