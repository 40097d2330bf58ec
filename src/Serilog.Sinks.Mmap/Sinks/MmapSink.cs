using System;
using System.IO;
using System.Runtime.CompilerServices;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Sinks.Mmap.Translation;
using Sinks.Mmap;

namespace Serilog.Sinks.Mmap.Sinks;

/// <summary>
/// Writes each event into the memory-mapped log. All file and mapping work is the core's; this
/// class translates and routes the core's errors to <see cref="SelfLog"/>. In audit mode a dropped
/// event throws, as <c>AuditTo.File</c> does. Otherwise a dropped event goes to the failure listener
/// Serilog sets (<c>WriteTo.FallbackChain</c>, <c>WriteTo.Fallible</c>), so a fallback sink receives
/// exactly the events this one could not write.
/// </summary>
internal sealed class MmapSink : ILogEventSink, IDisposable, ISetLoggingFailureListener
{
    private readonly MmapLogWriter _writer;
    private readonly bool _audit;
    // The level restriction is applied here rather than by Serilog's RestrictedSink: that wrapper does
    // not forward SetFailureListener, so a restricted sink in a fallback chain would drop silently.
    private readonly LoggingLevelSwitch? _levelSwitch;
    private volatile MmapLogError? _lastError;
    private ILoggingFailureListener? _failureListener;

    /// <summary>Test seam: tells the current async flow about each sink created, so tests can inspect the options bound from JSON.</summary>
    internal static readonly System.Threading.AsyncLocal<Action<MmapSink>?> CreatedForTests = new();

    public MmapSink(MmapLogOptions options, bool audit, LoggingLevelSwitch? levelSwitch = null)
    {
        _audit = audit;
        _levelSwitch = levelSwitch;
        Action<MmapLogError>? userCallback = options.OnError;
        options.OnError = error =>
        {
            _lastError = error;
            SelfLog.WriteLine("Serilog.Sinks.Mmap: {0}", error);
            userCallback?.Invoke(error);
        };
        _writer = new MmapLogWriter(options);
        CreatedForTests.Value?.Invoke(this);
    }

    /// <summary>The core writer, for counters and flushing.</summary>
    public MmapLogWriter Writer => _writer;

    /// <summary>The minimum level this sink passes through, or null when it takes every level.</summary>
    internal LoggingLevelSwitch? LevelSwitch => _levelSwitch;

    /// <inheritdoc />
    public void SetFailureListener(ILoggingFailureListener failureListener)
    {
        ArgumentNullException.ThrowIfNull(failureListener);
        _failureListener = failureListener;
    }

    public void Emit(LogEvent logEvent)
    {
        if (_levelSwitch is not null && logEvent.Level < _levelSwitch.MinimumLevel)
        {
            return;
        }
        var payload = new SerilogPayload(logEvent);
        if (!_writer.Append(logEvent.Timestamp.UtcTicks, LevelMap.ToMmap(logEvent.Level), ref payload, out MmapLogErrorKind dropKind))
        {
            Dropped(logEvent, dropKind);
        }
    }

    // Off the hot path: only a dropped event allocates (the listener takes a collection of events).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Dropped(LogEvent logEvent, MmapLogErrorKind dropKind)
    {
        MmapLogError? error = _lastError;
        if (_audit)
        {
            throw new IOException("The audit event could not be written to the memory-mapped log" +
                (error is null ? "." : ": " + error.Message), error?.Exception);
        }
        ILoggingFailureListener? listener = _failureListener;
        if (listener is null)
        {
            // The core has reported the fault (throttled) to SelfLog already, and counted the drop.
            return;
        }
        string message = dropKind == MmapLogErrorKind.EventRejected
            ? "the event could not be encoded into the memory-mapped log (too large or malformed); it was dropped"
            : "the memory-mapped log could not be written (disk full, I/O fault or the log's lock held); the event was dropped";
        // Permanent: this sink never retries a dropped event, so a fallback sink should take it.
        listener.OnLoggingFailed(this, LoggingFailureKind.Permanent, message, new[] { logEvent },
            error is not null && error.Kind == dropKind ? error.Exception : null);
    }

    public void Dispose() => _writer.Dispose();
}
