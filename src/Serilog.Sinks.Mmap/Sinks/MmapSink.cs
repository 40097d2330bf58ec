using System;
using System.IO;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Sinks.Mmap.Translation;
using Sinks.Mmap;

namespace Serilog.Sinks.Mmap.Sinks;

/// <summary>
/// Writes each event into the memory-mapped log. All file and mapping work is the core's; this
/// class translates and routes the core's errors to <see cref="SelfLog"/>. In audit mode a dropped
/// event throws, as <c>AuditTo.File</c> does.
/// </summary>
internal sealed class MmapSink : ILogEventSink, IDisposable
{
    private readonly MmapLogWriter _writer;
    private readonly bool _audit;
    private volatile MmapLogError? _lastError;

    /// <summary>Test seam: tells the current async flow about each sink created, so tests can inspect the options bound from JSON.</summary>
    internal static readonly System.Threading.AsyncLocal<Action<MmapSink>?> CreatedForTests = new();

    public MmapSink(MmapLogOptions options, bool audit)
    {
        _audit = audit;
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

    public void Emit(LogEvent logEvent)
    {
        var payload = new SerilogPayload(logEvent);
        if (!_writer.Append(logEvent.Timestamp.UtcTicks, LevelMap.ToMmap(logEvent.Level), ref payload) && _audit)
        {
            MmapLogError? error = _lastError;
            throw new IOException("The audit event could not be written to the memory-mapped log" +
                (error is null ? "." : ": " + error.Message), error?.Exception);
        }
    }

    public void Dispose() => _writer.Dispose();
}
