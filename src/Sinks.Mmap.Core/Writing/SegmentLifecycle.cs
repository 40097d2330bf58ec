using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Sinks.Mmap.Compression;
using Sinks.Mmap.Storage;

namespace Sinks.Mmap.Writing;

/// <summary>
/// What happens to segments after the writer is done with them, off the logging threads: a
/// compression thread at the lowest CPU priority compresses sealed segments with what the
/// application's threads leave of the cores; with hooks, a lifecycle thread runs them and retention
/// (whose deletion hook must never hold up the maintainer preparing the next segment), one job at a
/// time; without hooks, retention runs where it is asked for, as before compression existed. Retention never deletes a segment
/// whose sealed hook has not run, nor the one being compressed (it would come back as its copy); a
/// segment still waiting for compression may go, and is then not compressed.
/// </summary>
internal sealed class SegmentLifecycle : IDisposable
{
    private readonly MmapLogOptions _options;
    private readonly Action<MmapLogError> _report;
    private readonly object _gate = new();
    private readonly object _retentionGate = new();
    private readonly Queue<string> _sealed = new();
    private readonly List<string> _toCompress = new();
    private readonly Thread _thread;
    private readonly Thread? _compressor;
    private readonly CancellationTokenSource _stop = new();
    private SegmentNaming? _naming;
    private string? _compressing;
    private long _oldestLive = long.MaxValue;
    private bool _retentionDue;
    private bool _stopping;
    private readonly CompressionPacer? _pacer;

    /// <param name="options">The writer's options.</param>
    /// <param name="report">Where failures go.</param>
    /// <param name="written">Bytes the writer has appended so far: compression waits while it grows fast (<see cref="CompressionPacer"/>).</param>
    public SegmentLifecycle(MmapLogOptions options, Action<MmapLogError> report, Func<long>? written = null)
    {
        _options = options;
        _report = report;
        _thread = new Thread(Run) { IsBackground = true, Name = "Sinks.Mmap lifecycle" };
        _thread.Start();
        if (options.CompressSealedSegments)
        {
            _pacer = written is null ? null : new CompressionPacer(written, BacklogBytes, options.SegmentSizeBytes);
            _compressor = new Thread(Compress) { IsBackground = true, Name = "Sinks.Mmap compression" };
            _compressor.Start();
        }
    }

    /// <summary>How many times compression waited for a busy writer (<see cref="CompressionPacer"/>).</summary>
    public long CompressionWaits => _pacer?.Waits ?? 0;

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
                    if (!CompressedSegment.IsContainerName(path, naming.Extension) && !_toCompress.Contains(path) && IsSealed(path)) _toCompress.Add(path);
                }
            }
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>A segment the writer sealed, trimmed and closed.</summary>
    public void Sealed(string path)
    {
        lock (_gate)
        {
            if (_stopping) return;
            if (_options.Hooks is not null)
            {
                _sealed.Enqueue(path);
            }
            else if (_options.CompressSealedSegments)
            {
                _toCompress.Add(path);
            }
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Asks for retention: the caller's lane's segments numbered <paramref name="oldestLiveNumber"/> or above are live.</summary>
    public void ApplyRetention(long oldestLiveNumber)
    {
        SegmentNaming? naming;
        lock (_gate)
        {
            _oldestLive = oldestLiveNumber;
            naming = _naming;
            if (_options.Hooks is not null)
            {
                // A deletion hook may take its time: never on the caller's (the maintainer's) thread.
                _retentionDue = true;
                Monitor.PulseAll(_gate);
                return;
            }
        }
        if (naming is not null)
        {
            Retain(naming, oldestLiveNumber);
        }
    }

    private void Run()
    {
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
                if (_sealed.Count > 0) sealedPath = _sealed.Peek();
                retention = _retentionDue;
                _retentionDue = false;
                oldestLive = _oldestLive;
                naming = _naming;
            }
            if (sealedPath is not null)
            {
                if (_options.Hooks is { } hooks)
                {
                    CallHook(hooks, "OnSegmentSealed", sealedPath, () => hooks.OnSegmentSealed(sealedPath));
                }
                lock (_gate)
                {
                    // Dequeued only now: until its hook ran, retention keeps it.
                    _sealed.Dequeue();
                    if (_options.CompressSealedSegments && !_stopping)
                    {
                        _toCompress.Add(sealedPath);
                        Monitor.PulseAll(_gate);
                    }
                }
            }
            if (retention && naming is not null)
            {
                Retain(naming, oldestLive);
            }
        }
    }

    private void Compress()
    {
        // Compression competes with the application's threads for the cores: it gets what they leave.
        UnixFiles.LowerCurrentThreadPriority();
        while (true)
        {
            string path;
            lock (_gate)
            {
                while (!_stopping && _toCompress.Count == 0)
                {
                    Monitor.Wait(_gate);
                }
                if (_stopping) return;
                path = _toCompress[0];
                _toCompress.RemoveAt(0);
                _compressing = path;
            }
            try
            {
                if (!File.Exists(path)) continue;
                string container = SegmentCompressor.Compress(path, cancel: _stop.Token, pacer: _pacer);
                if (_options.Hooks is { } hooks)
                {
                    CallHook(hooks, "OnSegmentCompressed", path, () => hooks.OnSegmentCompressed(path, container));
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
            finally
            {
                long oldestLive;
                lock (_gate)
                {
                    _compressing = null;
                    oldestLive = _oldestLive;
                }
                // The space given back counts at once.
                if (oldestLive != long.MaxValue) ApplyRetention(oldestLive);
            }
        }
    }

    /// <summary>Retention runs on the maintainer, the lifecycle or the compression thread: one at a time.</summary>
    private void Retain(SegmentNaming naming, long oldestLive)
    {
        lock (_retentionGate)
        {
            RetainNow(naming, oldestLive);
        }
    }

    private void RetainNow(SegmentNaming naming, long oldestLive)
    {
        SegmentLifecycleHooks? hooks = _options.Hooks;
        RetentionPolicy.Apply(naming, _options, oldestLive, _options.TimeProvider.GetUtcNow().UtcDateTime, _report,
            hooks is null ? null : path => CallHook(hooks, "OnSegmentDeleting", path, () => hooks.OnSegmentDeleting(path)), Claim);
    }

    /// <summary>
    /// Whether retention may delete one of this writer's segments now. Decided under the gate the
    /// compression thread takes a segment under, so the two never work on the same file: a segment
    /// claimed here is never compressed, one being compressed (or its copy) is kept, and one that
    /// compression replaced after retention listed the files is gone (its copy is counted next pass).
    /// </summary>
    private bool Claim(string path)
    {
        lock (_gate)
        {
            if (_sealed.Contains(path)) return false;
            if (_compressing is not null && (path == _compressing || path == CompressedSegment.ContainerPath(_compressing))) return false;
            _toCompress.Remove(path);
            return File.Exists(path);
        }
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

    /// <summary>The bytes of the segments waiting for compression, the one being compressed included.</summary>
    private long BacklogBytes()
    {
        long total = 0;
        lock (_gate)
        {
            foreach (string path in _toCompress) total += LengthOf(path);
            if (_compressing is not null) total += LengthOf(_compressing);
        }
        return total;
    }

    private static long LengthOf(string path)
    {
        try
        {
            var file = new FileInfo(path);
            return file.Exists ? file.Length : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static bool IsSealed(string path)
    {
        try
        {
            // The seal alone is read: a window of the reader's default size would allocate 1 MiB a segment.
            using Reading.SegmentSource? source = Reading.SegmentSource.Open(path, Format.FormatConstants.SealReserve, out _);
            if (source is null) return false;
            long length = source.Length;
            ReadOnlySpan<byte> tail = source.Read(length - Format.FormatConstants.SealReserve, Format.FormatConstants.SealReserve);
            return Format.RecordFrame.TryReadSeal(tail, out _);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stops both threads: a compression under way is cancelled (its segment stays, and the next
    /// writer compresses it); the sealed hooks still queued run, then the retention asked for.
    /// Hooks still running are left behind.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _stop.Cancel();
        _thread.Join();
        _compressor?.Join();
        if (_options.Hooks is { } hooks)
        {
            // The last segments sealed (the one closed by Dispose among them) still get their hook.
            foreach (string path in _sealed)
            {
                CallHook(hooks, "OnSegmentSealed", path, () => hooks.OnSegmentSealed(path));
            }
        }
        _sealed.Clear();
        // Always, not only when a pass is due: a pass that ran while a segment's hook or compression was
        // still pending had to spare it, and nothing asked for another. Once the writer is disposed, the
        // log is within its limits.
        if (_naming is not null)
        {
            Retain(_naming, _oldestLive);
        }
        _stop.Dispose();
    }
}
