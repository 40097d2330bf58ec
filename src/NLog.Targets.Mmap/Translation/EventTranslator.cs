using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using Sinks.Mmap;
using Sinks.Mmap.Adapters;

namespace NLog.Targets.Mmap.Translation;

/// <summary>
/// Turns a <see cref="LogEventInfo"/> into the <see cref="NLogEventPayload"/> the core appends: logger, time,
/// template and parameters, rendered message, event and context properties, exception, trace and span ids.
/// One per target, shared by the logging threads: its settings are written at initialisation only, and each
/// cache is one reference to an immutable object, so a thread sees a whole entry or another one.
/// </summary>
internal sealed class EventTranslator
{
    private const long FifteenMinutes = 15 * TimeSpan.TicksPerMinute;

    private readonly MmapTarget _target;
    private bool _renderLayout = true;
    private bool _layoutIsMessage;
    // The include options, read once at initialisation (NLog initialises a target again whenever its
    // configuration changes): asking NLog's getters for them on every event cost ~15 ns an event.
    private bool _includeEventProperties;
    private bool _includeContext;
    private TemplateInfo? _lastTemplate;
    private LocalOffset? _localOffset;

    /// <summary>A translator for <paramref name="target"/>, which renders the layouts NLog must render.</summary>
    public EventTranslator(MmapTarget target) => _target = target;

    /// <summary>Takes the target's layout and include settings; called at each initialisation.</summary>
    /// <param name="renderLayout">False when the layout is empty: no rendered text is stored for structured messages.</param>
    /// <param name="layoutIsMessage">True for <c>${message}</c>, which the translator may render itself.</param>
    /// <param name="includeEventProperties">Store the event's properties.</param>
    /// <param name="includeContext">Store the context properties the target's include options ask for.</param>
    public void Configure(bool renderLayout, bool layoutIsMessage, bool includeEventProperties, bool includeContext)
    {
        _renderLayout = renderLayout;
        _layoutIsMessage = layoutIsMessage;
        _includeEventProperties = includeEventProperties;
        _includeContext = includeContext;
    }

    /// <summary>
    /// Fills <paramref name="payload"/> (built in place by the caller, on its stack: the header is large enough
    /// that a copy shows) from <paramref name="logEvent"/>; returns the event's time in UTC ticks. Buffers it
    /// rents stay in the payload for the caller to return after the append.
    /// </summary>
    public long Translate(LogEventInfo logEvent, ref NLogEventPayload payload)
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
        return utcTicks;
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
            : _target.Configuration?.DefaultCultureInfo ?? CultureInfo.CurrentCulture;
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
            header.RenderedMessage = _target.RenderLayoutLocked(logEvent);
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
            // The list NLog keeps, read directly where the probe can (MessageTemplateParameters wraps it in a new object).
            if (EventPropertiesProbe.MessageProperties(logEvent) is { } kept)
            {
                AddTemplateParameters(kept, ref payload);
                return message;
            }
            var templateParameters = logEvent.MessageTemplateParameters;
            if (templateParameters.Count > 0)
            {
                PropertyBuffer others = payload.OtherProperties ??= PropertyBuffer.Rent(payload.TemplateNames);
                for (int i = 0; i < templateParameters.Count; i++)
                {
                    Add(others, templateParameters[i]);
                }
                return message;
            }
        }
        return null;
    }

    private static void AddTemplateParameters(IList<NLog.MessageTemplates.MessageTemplateParameter> parameters, ref NLogEventPayload payload)
    {
        PropertyBuffer others = payload.OtherProperties ??= PropertyBuffer.Rent(payload.TemplateNames);
        for (int i = 0; i < parameters.Count; i++)
        {
            Add(others, parameters[i]);
        }
    }

    private static void Add(PropertyBuffer others, NLog.MessageTemplates.MessageTemplateParameter parameter) =>
        others.TryAdd(parameter.Name, parameter.Value, parameter.CaptureType switch
        {
            NLog.MessageTemplates.CaptureType.Serialize => Capture.Serialize,
            NLog.MessageTemplates.CaptureType.Stringify => Capture.Stringify,
            _ => Capture.Normal,
        });

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
            IDictionary<string, object?>? context = _target.ContextPropertiesLocked(logEvent);
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
}
