using System;
using System.Globalization;
using NLog.Config;
using NLog.LayoutRenderers;
using NLog.Layouts;

namespace NLog.Targets.Mmap.Configuration;

/// <summary>Checks a <see cref="MmapTarget.FileName"/> layout at initialisation: fixed, dated, or refused.</summary>
internal static class FileNameCheck
{
    /// <summary>
    /// The target writes one log at a time: a <see cref="MmapTarget.FileName"/> that would name another
    /// file for some events is refused here rather than frozen at its first value (FileTarget users expect
    /// <c>${shortdate}</c> to start a new file each day, <c>${level}</c> one file per level). Three checks:
    /// renderers that read the logging thread's context or the event's properties (by type: rendering a
    /// probe event cannot see them), then probe events that differ only in time, only in everything else,
    /// or not at all (a name that changes at each rendering).
    /// </summary>
    /// <returns>True for a name that depends on the event's time only, at a minute or coarser: a dated name.</returns>
    public static bool RefuseFileNamesThatVary(Layout? layout, string? targetName, LoggingConfiguration? configuration)
    {
        if (layout is null || layout is SimpleLayout { IsFixedText: true })
        {
            return false;
        }
        if (FileNameReadsContext(layout, configuration, 0) is { } renderer)
        {
            throw FileNameRefused(targetName, layout, $"reads the logging thread's context or the event's properties (${{{renderer}}})",
                "one Mmap target per file, chosen by logging rules (<logger name=\"Orders.*\" writeTo=\"ordersMmap\" />), or a fixed fileName");
        }
        var start = new DateTime(2001, 2, 3, 4, 5, 0, 0, DateTimeKind.Local);
        string first = layout.Render(ProbeEvent(start, LogLevel.Info, "Probe.First", "first"));
        if (layout.Render(ProbeEvent(start, LogLevel.Info, "Probe.First", "first")) != first)
        {
            throw FileNameRefused(targetName, layout, "names another file each time it is rendered (${guid}, ${counter}, ${sequenceid})", "a fixed fileName");
        }
        if (layout.Render(ProbeEvent(start.AddSeconds(59.999), LogLevel.Info, "Probe.First", "first")) != first)
        {
            throw FileNameRefused(targetName, layout, "changes within a minute (${longdate}, ${time}, ${ticks}, seconds in ${date:format=…})",
                "a name with the date or hour only (${shortdate}, ${date:format=yyyy-MM-dd_HH}), or a fixed fileName with archiveEvery=\"Day\" (or Hour, Minute, …)");
        }
        bool dated = layout.Render(ProbeEvent(start.AddDays(400).AddHours(1).AddMinutes(1), LogLevel.Info, "Probe.First", "first")) != first;
        LogEventInfo other = ProbeEvent(start, LogLevel.Fatal, "Probe.Second", "second {0}");
        other.Parameters = new object[] { 2 };
        other.Exception = new InvalidOperationException("probe");
        if (layout.Render(other) != first)
        {
            throw FileNameRefused(targetName, layout, "depends on each event (${level}, ${logger}, ${message}, ${exception})",
                "one Mmap target per file, chosen by logging rules (<logger name=\"Orders.*\" writeTo=\"ordersMmap\" />, minlevel/maxlevel)");
        }
        return dated;
    }

    private static LogEventInfo ProbeEvent(DateTime time, LogLevel level, string logger, string message) =>
        new(level, logger, CultureInfo.InvariantCulture, message, null) { TimeStamp = time };

    /// <summary>The name of the first renderer in <paramref name="layout"/> that reads thread context or event properties; null when none does.</summary>
    private static string? FileNameReadsContext(Layout layout, LoggingConfiguration? configuration, int depth)
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
                if (configuration?.Variables is { } variables && variables.TryGetValue(variable.Name, out Layout? value)
                    && FileNameReadsContext(value, configuration, depth + 1) is { } inner)
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
            if (renderer is NLog.LayoutRenderers.Wrappers.WrapperLayoutRendererBase wrapper && FileNameReadsContext(wrapper.Inner, configuration, depth + 1) is { } wrapped)
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

    private static NLogConfigurationException FileNameRefused(string? targetName, Layout layout, string why, string instead) =>
        new($"Mmap target '{targetName}': fileName \"{layout}\" {why}. The Mmap target writes one log at a time (a new one when a dated " +
            $"name changes), and would write such events to another file than named; so such a fileName is refused. Use instead {instead}.");
}
