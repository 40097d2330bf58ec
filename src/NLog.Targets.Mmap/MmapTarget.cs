using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using NLog.Common;
using NLog.Config;
using NLog.Layouts;
using NLog.Targets.Mmap.Configuration;
using NLog.Targets.Mmap.Translation;
using Sinks.Mmap;

namespace NLog.Targets.Mmap;

/// <summary>
/// An NLog target that encodes every event straight into memory-mapped segment files: once a log
/// call returns, the event survives the process being killed, and no write() system call is made
/// per event. Option names follow NLog's <c>FileTarget</c> where the meaning is the same.
/// </summary>
/// <remarks>
/// <para>Register it with <c>LogManager.Setup().SetupExtensions(e =&gt; e.RegisterTarget&lt;MmapTarget&gt;("Mmap"))</c>
/// or <c>&lt;extensions&gt;&lt;add assembly="NLog.Targets.Mmap"/&gt;&lt;/extensions&gt;</c>.</para>
/// <para>Each event is stored with its message template (when the message has parameters), its
/// parameters as named, typed properties, the event properties (<see cref="TargetWithContext.IncludeEventProperties"/>,
/// on by default here), the scope and context properties the include options ask for, the exception,
/// the current <see cref="Activity"/>'s trace and span ids, and <see cref="TargetWithContext.Layout"/>
/// rendered as the message.</para>
/// <para><see cref="TargetWithContext.Layout"/> (default <c>${message}</c>) is what is stored as each event's
/// rendered message. Set it to an empty string to store no rendered text for structured messages: the
/// template and its typed properties are kept (readers render the message from them) and NLog's own
/// message formatting, with its allocations, is skipped. Messages without parameters keep their text either way.</para>
/// <para>The target is synchronous: each call returns once the event is in the page cache. Like NLog's
/// NullTarget, it does not take NLog's per-target lock: threads write side by side (the core claims
/// each record's place atomically), and only layouts NLog renders (a layout other than <c>${message}</c>,
/// the context options) are rendered under that lock. <see cref="Activity.Current"/> is read on the logging thread, so an
/// async wrapper in front of this target loses the trace and span ids (and gains nothing: writing is
/// a memory copy). I/O failures never throw: they go to NLog's InternalLogger and the event is counted
/// in <see cref="DroppedEvents"/>; a dropped event is also reported to NLog as a failed write (an
/// exception passed to the write's continuation, not thrown), so a <c>FallbackGroup</c> writes it to its next target.</para>
/// </remarks>
[Target("Mmap")]
public sealed class MmapTarget : TargetWithContext
{
    private readonly EventTranslator _translator;
    private MmapLogWriter? _writer;
    private long _adapterDropped;
    private long _retiredDropped;
    private volatile MmapLogError? _lastError;
    // A dated fileName (${shortdate}): the minute the current name was rendered for; an event from a later
    // minute renders the name again (once a minute at most) and moves to a new log when it changed.
    private bool _datedFileName;
    private long _nameMinute;
    private MmapLogOptions? _datedOptions;
    private MmapLogWriter? _previousDated;
    private readonly object _renameGate = new();

    /// <summary>Creates the target with the default layout <c>${message}</c> and event properties included.</summary>
    public MmapTarget()
    {
        _translator = new EventTranslator(this);
        Layout = "${message}";
        IncludeEventProperties = true;
    }

    /// <summary>Creates the target with a name.</summary>
    /// <param name="name">The target's name.</param>
    public MmapTarget(string name) : this() => Name = name;

    /// <summary>
    /// The log's path, e.g. <c>logs/app.mlog</c>; segments are <c>logs/app-000001.mlog</c>, ….
    /// Layouts that name the same file for every event (<c>${basedir}</c>, <c>${processname}</c>,
    /// <c>${environment:…}</c>, <c>${gdc:…}</c>, <c>${var:…}</c>) are rendered once. A name that depends only on
    /// the event's date or time at a minute or coarser (<c>${shortdate}</c>, <c>${date:format=yyyy-MM-dd}</c>,
    /// <c>${date:format=yyyy-MM-dd_HH}</c>) starts a new log when the name changes, as FileTarget does; each
    /// dated log keeps its own retention. One that would name another file for some events otherwise
    /// (<c>${longdate}</c>, <c>${level}</c>, <c>${logger}</c>, <c>${event-properties:…}</c>, <c>${threadid}</c>,
    /// <c>${guid}</c>) is refused at initialisation with an <see cref="NLogConfigurationException"/> that says
    /// what to use instead (one target per logger or level). A relative path is relative to the application's
    /// base directory. Required.
    /// </summary>
    public Layout FileName { get; set; } = Layout.Empty;

    /// <summary>
    /// Each segment's size in bytes; a new segment starts when one is full. The file is preallocated
    /// at this size and trimmed when sealed. A multiple of 8 from 4096 to 1 GiB. Default 64 MiB.
    /// </summary>
    public long ArchiveAboveSize { get; set; } = MmapLogOptions.DefaultSegmentSize;

    /// <summary>
    /// Also start a new segment at each period's start (local time): <c>None</c> (default), <c>Minute</c>,
    /// <c>Hour</c>, <c>Day</c>, <c>Month</c> or <c>Year</c>. The weekday values are not supported.
    /// </summary>
    public FileArchivePeriod ArchiveEvery { get; set; } = FileArchivePeriod.None;

    /// <summary>
    /// How many sealed segments to keep besides the one being written; negative for no limit.
    /// Default 30 (31 files in all, plus the next segment, which is prepared in advance).
    /// </summary>
    public int MaxArchiveFiles { get; set; } = 30;

    /// <summary>Delete sealed segments last written more than this many days ago; zero or negative (default) for no limit.</summary>
    public int MaxArchiveDays { get; set; }

    /// <summary>
    /// Delete the oldest sealed segments while all segments together exceed this many bytes; zero or
    /// negative (default) for no limit. At least twice <see cref="ArchiveAboveSize"/> otherwise.
    /// </summary>
    public long MaxTotalSizeBytes { get; set; }

    /// <summary>
    /// msync and fsync what was written on this interval, on a background thread, so it survives an
    /// OS crash or power loss up to the last flush; null (default) leaves write-back to the OS.
    /// 1 ms to 1 day. In configuration a TimeSpan such as <c>00:00:01</c>; see also <see cref="FlushToDiskIntervalMs"/>.
    /// </summary>
    public TimeSpan? FlushToDiskInterval { get; set; }

    /// <summary><see cref="FlushToDiskInterval"/> in milliseconds; zero or negative means null.</summary>
    public int FlushToDiskIntervalMs
    {
        get => FlushToDiskInterval is { } interval ? (int)interval.TotalMilliseconds : 0;
        set => FlushToDiskInterval = value > 0 ? TimeSpan.FromMilliseconds(value) : null;
    }

    /// <summary>
    /// Events at or above this level are flushed to disk (msync + fsync) before the log call returns;
    /// <c>Off</c> never. Default <c>Fatal</c>.
    /// </summary>
    public LogLevel FlushToDiskLevel { get; set; } = LogLevel.Fatal;

    /// <summary>
    /// After an I/O failure (disk full, permission, lock held), how long to wait before trying again;
    /// events in between are dropped and counted. 10 ms to 1 hour; default 1 s. In configuration a
    /// TimeSpan such as <c>00:00:05</c>; see also <see cref="RetryIntervalMs"/>.
    /// </summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><see cref="RetryInterval"/> in milliseconds.</summary>
    public int RetryIntervalMs
    {
        get => (int)RetryInterval.TotalMilliseconds;
        set => RetryInterval = TimeSpan.FromMilliseconds(value);
    }

    /// <summary>
    /// Store sealed segments compressed (Zstandard, in the background at the lowest CPU priority); every
    /// reader reads them as before. The name is FileTarget's for compressing archived files. Default false.
    /// </summary>
    public bool EnableArchiveFileCompression { get; set; }

    /// <summary>Called as segments are sealed, compressed and deleted (set from code); null (default) for none.</summary>
    public SegmentLifecycleHooks? Hooks { get; set; }

    /// <summary>Events dropped since the target was created: the log could not be written, or the event could not be encoded.</summary>
    public long DroppedEvents =>
        Interlocked.Read(ref _adapterDropped) + Interlocked.Read(ref _retiredDropped) + (Volatile.Read(ref _writer)?.DroppedEvents ?? 0)
        + (Volatile.Read(ref _previousDated)?.DroppedEvents ?? 0);

    /// <summary>The log path <see cref="FileName"/> rendered to (at initialisation, and again when a dated name changes); null before.</summary>
    public string? ResolvedFileName { get; private set; }

    /// <summary>The segment file being written now; null before initialisation, after close, or while the log cannot be written.</summary>
    public string? CurrentSegmentPath => Volatile.Read(ref _writer)?.CurrentSegmentPath;

    /// <summary>
    /// The core options these settings amount to, validated; throws <see cref="NLogConfigurationException"/>
    /// naming the option that is wrong.
    /// </summary>
    internal MmapLogOptions BuildOptions()
    {
        MmapLogOptions options = TargetOptions.Build(this, out _datedFileName, out _nameMinute);
        options.OnError = ReportError;
        return options;
    }

    /// <inheritdoc />
    protected override void InitializeTarget()
    {
        base.InitializeTarget();
        MmapLogOptions options = BuildOptions();
        ResolvedFileName = options.Path;
        // TargetWithContext wraps the configured layout; an empty one shows as empty text.
        _translator.Configure(
            renderLayout: !(Layout.IsNullOrEmpty(Layout) || string.IsNullOrEmpty(Layout.ToString())),
            // The default layout: the target may render it itself (NLogMessageRenderer), checked against NLog.
            layoutIsMessage: Layout?.ToString() == "${message}",
            includeEventProperties: IncludeEventProperties,
            includeContext: ContextProperties.Count > 0 || IncludeScopeProperties || IncludeScopeNested || IncludeGdc || IncludeCallSite || IncludeCallSiteStackTrace);
        InternalLogger.Debug("Mmap target '{0}': writing to {1}", Name, options.Path);
        _datedOptions = _datedFileName ? options : null;
        Volatile.Write(ref _writer, new MmapLogWriter(options));
    }

    /// <inheritdoc />
    protected override void CloseTarget()
    {
        lock (_renameGate)
        {
            if (Interlocked.Exchange(ref _previousDated, null) is { } previous)
            {
                previous.Dispose();
                Interlocked.Add(ref _retiredDropped, previous.DroppedEvents);
            }
        }
        MmapLogWriter? writer = Interlocked.Exchange(ref _writer, null);
        if (writer is not null)
        {
            writer.Dispose();
            Interlocked.Add(ref _retiredDropped, writer.DroppedEvents);
        }
        base.CloseTarget();
    }

    /// <inheritdoc />
    protected override void FlushAsync(AsyncContinuation asyncContinuation)
    {
        try
        {
            // Appended events are already in the page cache; this is here for symmetry with the core.
            Volatile.Read(ref _writer)?.Flush(toDisk: false);
            asyncContinuation(null);
        }
        catch (Exception ex)
        {
            asyncContinuation(ex);
        }
    }

    /// <summary>
    /// Writes without NLog's per-target lock, as NLog's own NullTarget does: <see cref="Write(LogEventInfo)"/>
    /// is thread-safe (the core appends from any number of threads; per-event state lives on the stack
    /// or in per-thread buffers) and takes the lock itself around the layouts NLog renders.
    /// </summary>
    /// <param name="logEvent">The event and its continuation.</param>
    protected override void WriteAsyncThreadSafe(AsyncLogEventInfo logEvent)
    {
        if (!IsInitialized)
        {
            // Closed meanwhile: what NLog's locked path does too.
            logEvent.Continuation(null);
            return;
        }
        Write(logEvent);
    }

    /// <summary>
    /// Writes the event and tells NLog how it went: a dropped event (disk full, too large, closed) passes an
    /// exception to the continuation, without throwing it, so a <c>FallbackGroup</c> moves on to its next
    /// target with this event; NLog's default continuation ignores it (the core has reported the fault).
    /// </summary>
    /// <param name="logEvent">The event and its continuation.</param>
    protected override void Write(AsyncLogEventInfo logEvent)
    {
        Exception? failure;
        try
        {
            failure = WriteEvent(logEvent.LogEvent, out MmapLogErrorKind dropKind) ? null : DropFailure(dropKind);
        }
        catch (Exception ex)
        {
            if (MustBeRethrown(ex))
            {
                throw;
            }
            failure = ex;
        }
        logEvent.Continuation(failure);
    }

    /// <inheritdoc />
    protected override void Write(LogEventInfo logEvent) => WriteEvent(logEvent, out _);

    /// <summary>NLog's rule for an exception thrown while writing (its own helper is internal): rethrow the fatal ones, and all when the configuration asks.</summary>
    private bool MustBeRethrown(Exception ex)
    {
        if (ex is OutOfMemoryException or StackOverflowException)
        {
            return true;
        }
        bool rethrow = LoggingConfiguration?.LogFactory?.ThrowExceptions == true || LogManager.ThrowExceptions;
        InternalLogger.Log(ex, rethrow ? LogLevel.Error : LogLevel.Warn, "Mmap target '{0}': exception in Write", Name);
        return rethrow;
    }

    // Off the hot path: only a dropped event allocates its exception.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private IOException DropFailure(MmapLogErrorKind dropKind)
    {
        MmapLogError? error = _lastError;
        string why = dropKind == MmapLogErrorKind.EventRejected
            ? "the event could not be encoded (too large or malformed)"
            : "the log could not be written (disk full, I/O fault, the log's lock held, or the target closed)";
        return new IOException($"Mmap target '{Name}': {why}; the event was dropped" + (error is null ? "." : ". Last error: " + error.Message),
            error is not null && error.Kind == dropKind ? error.Exception : null);
    }

    /// <summary>
    /// An event from a later minute than the dated name was rendered for: renders the name for it and, when
    /// it changed, opens the new log and moves every thread to it. Threads with events of the new minute
    /// wait for that (once a minute at most, and opening a log only when the name changes) rather than
    /// write them to the old log; threads with events of the old minute go on meanwhile. The log it leaves
    /// stays open until the next change or close, for threads still appending to it.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private MmapLogWriter FollowDatedName(LogEventInfo logEvent, MmapLogWriter current)
    {
        MmapLogWriter? older = null;
        MmapLogWriter? writer;
        lock (_renameGate)
        {
            long minute = logEvent.TimeStamp.Ticks / TimeSpan.TicksPerMinute;
            writer = Volatile.Read(ref _writer);
            if (writer is null || _datedOptions is not { } options || minute <= Volatile.Read(ref _nameMinute))
            {
                return writer ?? current;
            }
            string path = TargetOptions.ResolvePath(FileName.Render(logEvent));
            if (!string.Equals(path, options.Path, StringComparison.Ordinal))
            {
                options.Path = path;
                var next = new MmapLogWriter(options);
                InternalLogger.Info("Mmap target '{0}': the dated fileName now names {1}", Name, path);
                older = Interlocked.Exchange(ref _previousDated, writer);
                ResolvedFileName = path;
                Volatile.Write(ref _writer, next);
                writer = next;
            }
            Volatile.Write(ref _nameMinute, minute);
        }
        if (older is not null)
        {
            // Retired a whole name ago: no thread is still appending to it. Sealed outside the lock.
            older.Dispose();
            Interlocked.Add(ref _retiredDropped, older.DroppedEvents);
        }
        return writer;
    }

    private bool WriteEvent(LogEventInfo logEvent, out MmapLogErrorKind dropKind)
    {
        // The name's minute before the writer: FollowDatedName publishes the writer first, so a thread that
        // sees the new minute sees the new writer too (an event of the new date never goes to the old log).
        long nameMinute = _datedFileName ? Volatile.Read(ref _nameMinute) : 0;
        MmapLogWriter? writer = Volatile.Read(ref _writer);
        if (writer is null)
        {
            Interlocked.Increment(ref _adapterDropped);
            dropKind = MmapLogErrorKind.Io;
            return false;
        }
        if (_datedFileName && logEvent.TimeStamp.Ticks / TimeSpan.TicksPerMinute > nameMinute)
        {
            writer = FollowDatedName(logEvent, writer);
        }
        // The payload is built in place, on this thread's stack: its header is large enough that a copy shows.
        var payload = default(NLogEventPayload);
        try
        {
            long utcTicks = _translator.Translate(logEvent, ref payload);
            return writer.Append(utcTicks, LevelMap.ForEvent(logEvent.Level), ref payload, out dropKind);
        }
        catch (Exception)
        {
            // Encoding problems (a property's ToString throwing) drop the event; NLog reports the exception.
            Interlocked.Increment(ref _adapterDropped);
            throw;
        }
        finally
        {
            payload.OtherProperties?.Return();
            payload.RenderedMessage?.Return();
        }
    }

    private void ReportError(MmapLogError error)
    {
        _lastError = error;
        switch (error.Kind)
        {
            case MmapLogErrorKind.Recovery:
            case MmapLogErrorKind.Recovered:
            case MmapLogErrorKind.MappingUnavailable:
            case MmapLogErrorKind.SharedLog:
                InternalLogger.Warn(error.Exception, "Mmap target '{0}': {1}", Name, error.Message);
                break;
            default:
                InternalLogger.Error(error.Exception, "Mmap target '{0}': {1}", Name, error.Message);
                break;
        }
    }

    /// <summary>The configuration the target was loaded from (NLog's accessor is protected); null when set up in code without one.</summary>
    internal LoggingConfiguration? Configuration => LoggingConfiguration;

    /// <summary>The layout, rendered under the lock NLog would have held: NLog's layouts are not guaranteed thread-safe.</summary>
    internal string RenderLayoutLocked(LogEventInfo logEvent)
    {
        lock (SyncRoot)
        {
            return RenderLogEvent(Layout, logEvent);
        }
    }

    /// <summary>The context properties the include options ask for, gathered under the lock: they are layouts, which NLog does not promise are thread-safe.</summary>
    internal IDictionary<string, object?>? ContextPropertiesLocked(LogEventInfo logEvent)
    {
        lock (SyncRoot)
        {
            return GetContextProperties(logEvent);
        }
    }
}
