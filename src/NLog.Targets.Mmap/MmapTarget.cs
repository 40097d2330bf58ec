using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using NLog.Common;
using NLog.Config;
using NLog.LayoutRenderers;
using NLog.Layouts;
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
    private const long FifteenMinutes = 15 * TimeSpan.TicksPerMinute;

    private MmapLogWriter? _writer;
    private bool _renderLayout = true;
    private bool _layoutIsMessage;
    // The include options, read once at initialisation (NLog initialises a target again whenever its
    // configuration changes): asking NLog's getters for them on every event cost ~15 ns an event.
    private bool _includeEventProperties;
    private bool _includeContext;
    // Shared by the logging threads (Write takes no lock), so each cache is one reference to an
    // immutable object: a thread sees a whole entry or another one, never half of each.
    private TemplateInfo? _lastTemplate;
    private LocalOffset? _localOffset;
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
        _datedFileName = RefuseFileNamesThatVary();
        LogEventInfo now = LogEventInfo.CreateNullEvent();
        now.TimeStamp = NLog.Time.TimeSource.Current.Time;
        _nameMinute = now.TimeStamp.Ticks / TimeSpan.TicksPerMinute;
        string path = ResolvePath(FileName?.Render(now) ?? "");
        var options = new MmapLogOptions
        {
            Path = path,
            SegmentSizeBytes = ArchiveAboveSize,
            RollingInterval = ToSegmentInterval(ArchiveEvery),
            RetainedFileCountLimit = MaxArchiveFiles < 0 ? null : MaxArchiveFiles + 1,
            RetainedFileTimeLimit = MaxArchiveDays > 0 ? TimeSpan.FromDays(MaxArchiveDays) : null,
            RetainedTotalSizeLimitBytes = MaxTotalSizeBytes > 0 ? MaxTotalSizeBytes : null,
            FlushToDiskInterval = FlushToDiskInterval,
            FlushToDiskLevel = ToMmapLevel(FlushToDiskLevel),
            RetryInterval = RetryInterval,
            CompressSealedSegments = EnableArchiveFileCompression,
            Hooks = Hooks,
            OnError = ReportError,
        };
        try
        {
            options.Validate(OptionNames);
        }
        catch (ArgumentException ex)
        {
            throw InvalidOption(ex.ParamName, ex.Message, ex);
        }
        return options;
    }

    private static string ResolvePath(string path) =>
        !string.IsNullOrWhiteSpace(path) && !Path.IsPathRooted(path) ? Path.Combine(AppContext.BaseDirectory, path) : path;

    /// <summary>
    /// The target writes one log at a time: a <see cref="FileName"/> that would name another
    /// file for some events is refused here rather than frozen at its first value (FileTarget users expect
    /// <c>${shortdate}</c> to start a new file each day, <c>${level}</c> one file per level). Three checks:
    /// renderers that read the logging thread's context or the event's properties (by type: rendering a
    /// probe event cannot see them), then probe events that differ only in time, only in everything else,
    /// or not at all (a name that changes at each rendering).
    /// </summary>
    /// <returns>True for a name that depends on the event's time only, at a minute or coarser: a dated name.</returns>
    private bool RefuseFileNamesThatVary()
    {
        Layout? layout = FileName;
        if (layout is null || layout is SimpleLayout { IsFixedText: true })
        {
            return false;
        }
        if (FileNameReadsContext(layout, 0) is { } renderer)
        {
            throw FileNameRefused(layout, $"reads the logging thread's context or the event's properties (${{{renderer}}})",
                "one Mmap target per file, chosen by logging rules (<logger name=\"Orders.*\" writeTo=\"ordersMmap\" />), or a fixed fileName");
        }
        var start = new DateTime(2001, 2, 3, 4, 5, 0, 0, DateTimeKind.Local);
        string first = layout.Render(ProbeEvent(start, LogLevel.Info, "Probe.First", "first"));
        if (layout.Render(ProbeEvent(start, LogLevel.Info, "Probe.First", "first")) != first)
        {
            throw FileNameRefused(layout, "names another file each time it is rendered (${guid}, ${counter}, ${sequenceid})", "a fixed fileName");
        }
        if (layout.Render(ProbeEvent(start.AddSeconds(59.999), LogLevel.Info, "Probe.First", "first")) != first)
        {
            throw FileNameRefused(layout, "changes within a minute (${longdate}, ${time}, ${ticks}, seconds in ${date:format=…})",
                "a name with the date or hour only (${shortdate}, ${date:format=yyyy-MM-dd_HH}), or a fixed fileName with archiveEvery=\"Day\" (or Hour, Minute, …)");
        }
        bool dated = layout.Render(ProbeEvent(start.AddDays(400).AddHours(1).AddMinutes(1), LogLevel.Info, "Probe.First", "first")) != first;
        LogEventInfo other = ProbeEvent(start, LogLevel.Fatal, "Probe.Second", "second {0}");
        other.Parameters = new object[] { 2 };
        other.Exception = new InvalidOperationException("probe");
        if (layout.Render(other) != first)
        {
            throw FileNameRefused(layout, "depends on each event (${level}, ${logger}, ${message}, ${exception})",
                "one Mmap target per file, chosen by logging rules (<logger name=\"Orders.*\" writeTo=\"ordersMmap\" />, minlevel/maxlevel)");
        }
        return dated;
    }

    private static LogEventInfo ProbeEvent(DateTime time, LogLevel level, string logger, string message) =>
        new(level, logger, CultureInfo.InvariantCulture, message, null) { TimeStamp = time };

    /// <summary>The name of the first renderer in <paramref name="layout"/> that reads thread context or event properties; null when none does.</summary>
    private string? FileNameReadsContext(Layout layout, int depth)
    {
        if (layout is not SimpleLayout simple || depth > 8)
        {
            return null;
        }
        foreach (LayoutRenderer renderer in simple.LayoutRenderers)
        {
            if (renderer is VariableLayoutRenderer variable)
            {
                // A configuration variable is as fixed as the layout it holds.
                if (LoggingConfiguration?.Variables is { } variables && variables.TryGetValue(variable.Name, out Layout? value)
                    && FileNameReadsContext(value, depth + 1) is { } inner)
                {
                    return inner;
                }
                continue;
            }
            if (renderer is EventPropertiesLayoutRenderer or AllEventPropertiesLayoutRenderer
                || !renderer.GetType().IsDefined(typeof(ThreadAgnosticAttribute), inherit: true))
            {
                return RendererName(renderer);
            }
            if (renderer is NLog.LayoutRenderers.Wrappers.WrapperLayoutRendererBase wrapper && FileNameReadsContext(wrapper.Inner, depth + 1) is { } wrapped)
            {
                return wrapped;
            }
        }
        return null;
    }

    // A renderer may carry several names (event-properties, event-property): the first is enough to find it.
    private static string RendererName(LayoutRenderer renderer) =>
        Attribute.GetCustomAttributes(renderer.GetType(), typeof(LayoutRendererAttribute)) is [LayoutRendererAttribute first, ..]
            ? first.Name : renderer.GetType().Name;

    private NLogConfigurationException FileNameRefused(Layout layout, string why, string instead) =>
        new($"Mmap target '{Name}': fileName \"{layout}\" {why}. The Mmap target writes one log at a time (a new one when a dated " +
            $"name changes), and would write such events to another file than named; so such a fileName is refused. Use instead {instead}.");

    /// <inheritdoc />
    protected override void InitializeTarget()
    {
        base.InitializeTarget();
        MmapLogOptions options = BuildOptions();
        ResolvedFileName = options.Path;
        // TargetWithContext wraps the configured layout; an empty one shows as empty text.
        _renderLayout = !(Layout.IsNullOrEmpty(Layout) || string.IsNullOrEmpty(Layout.ToString()));
        // The default layout: the target may render it itself (NLogMessageRenderer), checked against NLog.
        _layoutIsMessage = Layout?.ToString() == "${message}";
        _includeEventProperties = IncludeEventProperties;
        _includeContext = ContextProperties.Count > 0 || IncludeScopeProperties || IncludeScopeNested || IncludeGdc || IncludeCallSite || IncludeCallSiteStackTrace;
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
            string path = ResolvePath(FileName.Render(logEvent));
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
        // The header is built in place in the payload, on this thread's stack: it is large enough that a copy shows.
        var payload = default(NLogEventPayload);
        try
        {
            ref EventHeader header = ref payload.Header;
            header.LoggerName = logEvent.LoggerName;
            long utcTicks = ToUtcTicks(logEvent.TimeStamp, out header.OffsetMinutes);
            header.MessageTemplate = GatherMessageProperties(logEvent, ref payload);
            if (_renderLayout)
            {
                RenderMessage(logEvent, ref payload);
            }
            else if (header.MessageTemplate is null)
            {
                // No layout and no template: keep the message text (formatting it only when it has parameters).
                header.RenderedMessage = logEvent.Parameters is { Length: > 0 } ? logEvent.FormattedMessage : logEvent.Message;
            }
            GatherContextProperties(logEvent, ref payload, templateGathered: header.MessageTemplate is not null);

            if (logEvent.Exception is { } exception)
            {
                header.SetException(exception);
            }
            if (Activity.Current is { } activity && activity.IdFormat == ActivityIdFormat.W3C)
            {
                header.TraceId = activity.TraceId;
                header.SpanId = activity.SpanId;
            }

            header.PropertyCount = payload.PropertyCount;
            return writer.Append(utcTicks, ToMmapLevel(logEvent.Level) ?? MmapLevel.Fatal, ref payload, out dropKind);
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

    /// <summary>
    /// Decides how the layout's text is stored: not at all when it is <c>${message}</c> and readers can
    /// rebuild it from the template (the usual case, decided without a renderer), rendered by the
    /// target into a per-thread buffer when it can match NLog, else rendered by NLog under the target's lock.
    /// </summary>
    private void RenderMessage(LogEventInfo logEvent, ref NLogEventPayload payload)
    {
        ref EventHeader header = ref payload.Header;
        TemplateInfo? template = payload.Template;
        // NLog formats with the event's provider, which it sets to the configuration's culture when there is one.
        CultureInfo? culture = logEvent.FormatProvider is { } provider
            ? provider as CultureInfo
            : LoggingConfiguration?.DefaultCultureInfo ?? CultureInfo.CurrentCulture;
        MessageRendering how = MessageRendering.ByNLog;
        if (_layoutIsMessage && template is not null && culture is not null)
        {
            if (NLogMessageRenderer.IsKnownPlain(template, payload.Parameters!, culture))
            {
                how = MessageRendering.Plain;
            }
            else
            {
                NLogMessageRenderer renderer = NLogMessageRenderer.Rent();
                try
                {
                    how = renderer.Render(logEvent, template, payload.Parameters!, culture);
                }
                finally
                {
                    // Kept for the append when it holds the text (Write's finally returns it), else
                    // returned now, even if rendering threw: a renderer left rented would be replaced
                    // by a new one on every later event of this thread.
                    if (how == MessageRendering.Rendered)
                    {
                        payload.RenderedMessage = renderer;
                    }
                    else
                    {
                        renderer.Return();
                    }
                }
            }
        }
        if (how == MessageRendering.Plain)
        {
            header.RenderedMessageIsPlain = true;
        }
        else if (how == MessageRendering.ByNLog)
        {
            // NLog's layouts are not guaranteed thread-safe: render under the lock NLog would have held.
            lock (SyncRoot)
            {
                header.RenderedMessage = RenderLogEvent(Layout, logEvent);
            }
        }
    }

    /// <summary>
    /// Sets the payload's message-template parameters and returns the template, or null when the
    /// message is not structured. Positional parameters are paired with cached hole names, which
    /// allocates nothing; events built from pre-parsed parameters (NLog.Extensions.Logging) use those.
    /// </summary>
    private string? GatherMessageProperties(LogEventInfo logEvent, ref NLogEventPayload payload)
    {
        string? message = logEvent.Message;
        if (message is null)
        {
            return null;
        }
        object?[]? parameters = logEvent.Parameters;
        if (parameters is { Length: > 0 })
        {
            // Messages are usually literals: the same string instance as last time skips even the cache lookup.
            TemplateInfo? template = _lastTemplate;
            if (template is null || !ReferenceEquals(template.Source, message))
            {
                template = MessageTemplateCache.Get(message);
                _lastTemplate = template;
            }
            if (!template.HasHoles)
            {
                return null;
            }
            payload.Template = template;
            payload.Parameters = parameters;
            return message;
        }
        if (logEvent.HasProperties)
        {
            var templateParameters = logEvent.MessageTemplateParameters;
            if (templateParameters.Count > 0)
            {
                PropertyBuffer others = payload.OtherProperties ??= PropertyBuffer.Rent(payload.TemplateNames);
                for (int i = 0; i < templateParameters.Count; i++)
                {
                    var parameter = templateParameters[i];
                    others.TryAdd(parameter.Name, parameter.Value, parameter.CaptureType switch
                    {
                        NLog.MessageTemplates.CaptureType.Serialize => Capture.Serialize,
                        NLog.MessageTemplates.CaptureType.Stringify => Capture.Stringify,
                        _ => Capture.Normal,
                    });
                }
                return message;
            }
        }
        return null;
    }

    private void GatherContextProperties(LogEventInfo logEvent, ref NLogEventPayload payload, bool templateGathered)
    {
        // Without a dictionary of its own, an event's only properties are its template parameters:
        // already gathered when the template was ours to parse, and absent when there are no parameters.
        bool onlyTemplateParameters = EventPropertiesProbe.IsAvailable && !EventPropertiesProbe.MayHaveOwnProperties(logEvent)
            && (templateGathered || logEvent.Parameters is not { Length: > 0 });
        if (_includeEventProperties && !onlyTemplateParameters && logEvent.HasProperties && !OnlyMessageProperties(logEvent.Properties, in payload))
        {
            PropertyBuffer others = payload.OtherProperties ??= PropertyBuffer.Rent(payload.TemplateNames);
            foreach (KeyValuePair<object, object?> property in logEvent.Properties)
            {
                if (property.Key is string name)
                {
                    // Message-template parameters are among the event properties once NLog has parsed the template.
                    others.TryAdd(name, property.Value);
                }
                else if (property.Key is not null)
                {
                    others.TryAdd(property.Key.ToString() ?? "", property.Value);
                }
            }
        }
        if (_includeContext)
        {
            IDictionary<string, object?>? context;
            // The context options are layouts, which NLog does not promise are thread-safe.
            lock (SyncRoot)
            {
                context = GetContextProperties(logEvent);
            }
            if (context is not null)
            {
                PropertyBuffer others = payload.OtherProperties ??= PropertyBuffer.Rent(payload.TemplateNames);
                foreach (KeyValuePair<string, object?> property in context)
                {
                    others.TryAdd(property.Key, property.Value);
                }
            }
        }
    }

    /// <summary>
    /// True when the event's properties are exactly the message-template parameters already gathered
    /// (NLog lists them among the event properties once it has parsed the template): then there is
    /// nothing to add, and enumerating the dictionary, which allocates, is skipped.
    /// </summary>
    private static bool OnlyMessageProperties(IDictionary<object, object?> eventProperties, in NLogEventPayload gathered)
    {
        int count = gathered.PropertyCount;
        if (count == 0 || eventProperties.Count != count)
        {
            return false;
        }
        foreach (string name in gathered.TemplateNames)
        {
            if (!eventProperties.ContainsKey(name))
            {
                return false;
            }
        }
        if (gathered.OtherProperties is { } others)
        {
            for (int i = 0; i < others.Count; i++)
            {
                if (!eventProperties.ContainsKey(others.NameAt(i)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private long ToUtcTicks(DateTime timestamp, out short offsetMinutes)
    {
        if (timestamp.Kind == DateTimeKind.Utc)
        {
            offsetMinutes = 0;
            return timestamp.Ticks;
        }
        // Local (NLog's default time source) or unspecified: treat as local time.
        long ticks = timestamp.Ticks;
        LocalOffset? offset = _localOffset;
        if (offset is null || ticks < offset.FromTicks || ticks >= offset.ToTicks)
        {
            offset = new LocalOffset(ticks, TimeZoneInfo.Local.GetUtcOffset(DateTime.SpecifyKind(timestamp, DateTimeKind.Local)));
            _localOffset = offset;
        }
        offsetMinutes = offset.Minutes;
        return ticks - offset.OffsetTicks;
    }

    /// <summary>
    /// The local UTC offset for the quarter hour of local time it was found for (offsets change only
    /// on quarter hours), compared as a tick range: a division per event cost more than the rest.
    /// </summary>
    private sealed class LocalOffset
    {
        public LocalOffset(long localTicks, TimeSpan offset)
        {
            FromTicks = localTicks - localTicks % FifteenMinutes;
            ToTicks = FromTicks + FifteenMinutes;
            OffsetTicks = offset.Ticks;
            Minutes = (short)(offset.Ticks / TimeSpan.TicksPerMinute);
        }

        public long FromTicks { get; }
        public long ToTicks { get; }
        public long OffsetTicks { get; }
        public short Minutes { get; }
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

    internal static MmapLevel? ToMmapLevel(LogLevel? level)
    {
        if (level is null || level == LogLevel.Off)
        {
            return null;
        }
        return level.Ordinal switch
        {
            0 => MmapLevel.Verbose,
            1 => MmapLevel.Debug,
            2 => MmapLevel.Information,
            3 => MmapLevel.Warning,
            4 => MmapLevel.Error,
            _ => MmapLevel.Fatal,
        };
    }

    private SegmentInterval ToSegmentInterval(FileArchivePeriod period) => period switch
    {
        FileArchivePeriod.None => SegmentInterval.Infinite,
        FileArchivePeriod.Minute => SegmentInterval.Minute,
        FileArchivePeriod.Hour => SegmentInterval.Hour,
        FileArchivePeriod.Day => SegmentInterval.Day,
        FileArchivePeriod.Month => SegmentInterval.Month,
        FileArchivePeriod.Year => SegmentInterval.Year,
        _ => throw InvalidOption(OptionNames.RollingInterval,
            $"{OptionNames.RollingInterval}={period} is not supported; use None, Minute, Hour, Day, Month or Year.", null),
    };

    /// <summary>The core options by the names of this target's attributes in nlog.config and appsettings.json, for error messages.</summary>
    private static readonly MmapOptionNames OptionNames = new()
    {
        Path = "fileName",
        SegmentSizeBytes = "archiveAboveSize",
        RollingInterval = "archiveEvery",
        RetainedFileCountLimit = "maxArchiveFiles",
        RetainedFileTimeLimit = "maxArchiveDays",
        RetainedTotalSizeLimitBytes = "maxTotalSizeBytes",
        FlushToDiskInterval = "flushToDiskInterval",
        FlushToDiskLevel = "flushToDiskLevel",
        RetryInterval = "retryInterval",
        TimeProvider = "timeProvider",
    };

    /// <summary>
    /// The option named by its attribute and, for code that sets the target's properties, by its property
    /// (the attribute with a capital: NLog matches attributes to properties ignoring case).
    /// </summary>
    private NLogConfigurationException InvalidOption(string? attribute, string detail, Exception? inner)
    {
        string option = string.IsNullOrEmpty(attribute)
            ? "an option"
            : $"{attribute} (property {char.ToUpperInvariant(attribute[0])}{attribute.AsSpan(1)})";
        return new NLogConfigurationException($"Mmap target '{Name}': {option} is invalid. {detail}", inner);
    }
}
