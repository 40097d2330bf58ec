using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Sinks.Mmap.Compression;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>
/// What happens to segments after the writer is done with them, on a thread of its own at low
/// priority so that it never delays the logging threads or the maintainer preparing the next
/// segment: the sealed hook, compression, and retention (which must not race a compression: a
/// segment deleted while its copy is written would come back as the copy). One job at a time.
/// </summary>
internal sealed class SegmentLifecycle : IDisposable
{
    private readonly MmapLogOptions _options;
    private readonly Action<MmapLogError> _report;
    private readonly object _gate = new();
    private readonly Queue<string> _sealed = new();
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private SegmentNaming? _naming;
    private long _oldestLive = long.MaxValue;
    private bool _retentionDue;
    private bool _stopping;
    private long _compressed;

    public SegmentLifecycle(MmapLogOptions options, Action<MmapLogError> report)
    {
        _options = options;
        _report = report;
        _thread = new Thread(Run) { IsBackground = true, Name = "Sinks.Mmap lifecycle", Priority = ThreadPriority.Lowest };
        _thread.Start();
    }

    /// <summary>Segments compressed so far.</summary>
    public long Compressed => Interlocked.Read(ref _compressed);

    /// <summary>The lane whose segments this writer owns now (it changes when the writer moves lanes).</summary>
    public void UseLane(SegmentNaming naming, bool recover)
    {
        lock (_gate)
        {
            _naming = naming;
            if (recover && _options.CompressSealedSegments)
            {
                // What a kill left: finish or discard half-done compressions, then compress what was sealed before.
                foreach (string done in SegmentCompressor.Recover(naming))
                {
                    _report(new MmapLogError(MmapLogErrorKind.Recovery, done));
                }
                foreach ((long _, string path) in naming.List())
                {
                    if (!CompressedSegment.IsContainerName(path, naming.Extension) && IsSealed(path)) _sealed.Enqueue(path);
                }
            }
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>A segment the writer sealed, trimmed and closed.</summary>
    public void Sealed(string path)
    {
        lock (_gate)
        {
            if (_stopping) return;
            _sealed.Enqueue(path);
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Asks for retention: the caller's lane's segments numbered <paramref name="oldestLiveNumber"/> or above are live.</summary>
    public void ApplyRetention(long oldestLiveNumber)
    {
        lock (_gate)
        {
            _oldestLive = oldestLiveNumber;
            _retentionDue = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        // Compression competes with the application's threads for the cores: it gets what they leave.
        UnixFiles.LowerCurrentThreadPriority();
        while (true)
        {
            string? sealedPath = null;
            bool retention;
            long oldestLive;
            SegmentNaming? naming;
            lock (_gate)
            {
                while (!_stopping && _sealed.Count == 0 && !_retentionDue)
                {
                    Monitor.Wait(_gate);
                }
                if (_stopping) return;
                if (_sealed.Count > 0) sealedPath = _sealed.Dequeue();
                // Retention goes between compressions, so a backlog of segments to compress never holds deletions up.
                retention = _retentionDue;
                _retentionDue = false;
                oldestLive = _oldestLive;
                naming = _naming;
            }
            if (sealedPath is not null)
            {
                AfterSealed(sealedPath);
            }
            if (retention && naming is not null)
            {
                Retain(naming, oldestLive);
            }
        }
    }

    private void AfterSealed(string path)
    {
        if (_options.Hooks is { } hooks)
        {
            CallHook(hooks, "OnSegmentSealed", path, () => hooks.OnSegmentSealed(path));
        }
        if (!_options.CompressSealedSegments || !File.Exists(path))
        {
            return;
        }
        try
        {
            string container = SegmentCompressor.Compress(path, cancel: _stop.Token);
            Interlocked.Increment(ref _compressed);
            if (_options.Hooks is { } after)
            {
                CallHook(after, "OnSegmentCompressed", path, () => after.OnSegmentCompressed(path, container));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the segment stays as it is, and the next writer compresses it.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _report(new MmapLogError(MmapLogErrorKind.Io, $"compressing {Path.GetFileName(path)} failed; the segment stays uncompressed", ex));
        }
    }

    private void Retain(SegmentNaming naming, long oldestLive)
    {
        SegmentLifecycleHooks? hooks = _options.Hooks;
        HashSet<string> pending;
        lock (_gate)
        {
            // A segment is never deleted before its sealed hook and its compression ran (while they lag, the log may exceed its limits).
            pending = new HashSet<string>(_sealed, StringComparer.Ordinal);
        }
        RetentionPolicy.Apply(naming, _options, oldestLive, _options.TimeProvider.GetUtcNow().UtcDateTime, _report,
            hooks is null ? null : path => CallHook(hooks, "OnSegmentDeleting", path, () => hooks.OnSegmentDeleting(path)), pending);
    }

    /// <summary>
    /// Runs a hook on a thread of its own (not the application's thread pool, which hung hooks would
    /// starve); one that throws is reported, one that hangs past its timeout is reported and left behind.
    /// </summary>
    private void CallHook(SegmentLifecycleHooks hooks, string name, string path, Action call)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                call();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }) { IsBackground = true, Name = "Sinks.Mmap hook " + name };
        thread.Start();
        if (!thread.Join(hooks.Timeout))
        {
            _report(new MmapLogError(MmapLogErrorKind.Hook, $"{name}({Path.GetFileName(path)}) did not return within {hooks.Timeout.TotalSeconds} s; the log moves on without it"));
        }
        else if (failure is not null)
        {
            _report(new MmapLogError(MmapLogErrorKind.Hook, $"{name}({Path.GetFileName(path)}) threw", failure));
        }
    }

    private static bool IsSealed(string path)
    {
        try
        {
            using var source = new Reading.SegmentSource(path);
            long length = source.Length;
            ReadOnlySpan<byte> tail = source.Read(length - Format.FormatConstants.SealReserve, Format.FormatConstants.SealReserve);
            return tail.Length == Format.FormatConstants.SealReserve && Format.RecordFrame.IsValid(tail, out _) && Format.RecordFrame.Kind(tail) == Format.RecordKind.EndOfSegment;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs the retention asked for, then stops: a compression under way is cancelled (its segment
    /// stays, and is compressed by the next writer). Hooks still running are left behind.
    /// </summary>
    public void Dispose()
    {
        long oldestLive;
        bool retention;
        SegmentNaming? naming;
        lock (_gate)
        {
            _stopping = true;
            retention = _retentionDue;
            oldestLive = _oldestLive;
            naming = _naming;
            Monitor.Pulse(_gate);
        }
        _stop.Cancel();
        _thread.Join();
        if (_options.Hooks is { } hooks)
        {
            // The last segments sealed (the one closed by Dispose among them) still get their hook; their
            // compression waits for the next writer.
            while (_sealed.TryDequeue(out string? path))
            {
                CallHook(hooks, "OnSegmentSealed", path, () => hooks.OnSegmentSealed(path));
            }
        }
        if (retention && naming is not null)
        {
            Retain(naming, oldestLive);
        }
        _stop.Dispose();
    }
}
