using System;
using System.CommandLine;
using System.Globalization;
using System.IO;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>The filter options cat and export share: --level, --since, --until, --grep.</summary>
internal sealed class FilterOptions
{
    public Option<string?> Level { get; } = new("--level", "-l")
    {
        Description = "Minimum level: Verbose|Trace, Debug, Information|Info, Warning|Warn, Error, Fatal.",
    };

    public Option<string?> Since { get; } = new("--since")
    {
        Description = "Only events at or after this time (ISO 8601; without an offset it is UTC).",
    };

    public Option<string?> Until { get; } = new("--until")
    {
        Description = "Only events before this time (ISO 8601; without an offset it is UTC).",
    };

    public Option<string?> Grep { get; } = new("--grep", "-g")
    {
        Description = "Only events whose rendered message contains this text (case-sensitive).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Level);
        command.Options.Add(Since);
        command.Options.Add(Until);
        command.Options.Add(Grep);
    }

    public EventFilter Build(ParseResult result) => new(
        ParseLevel(result.GetValue(Level)),
        ParseTime(result.GetValue(Since), "--since"),
        ParseTime(result.GetValue(Until), "--until"),
        result.GetValue(Grep));

    /// <summary>Parses a Serilog or NLog level name (any case), or its number 0–5.</summary>
    public static MmapLevel? ParseLevel(string? text)
    {
        if (text is null) return null;
        switch (text.Trim().ToLowerInvariant())
        {
            case "verbose": case "trace": case "vrb": case "0": return MmapLevel.Verbose;
            case "debug": case "dbg": case "1": return MmapLevel.Debug;
            case "information": case "info": case "inf": case "2": return MmapLevel.Information;
            case "warning": case "warn": case "wrn": case "3": return MmapLevel.Warning;
            case "error": case "err": case "4": return MmapLevel.Error;
            case "fatal": case "ftl": case "5": return MmapLevel.Fatal;
            default:
                throw new ToolException($"--level: '{text}' is not a level; use Verbose|Trace, Debug, Information|Info, Warning|Warn, Error or Fatal");
        }
    }

    /// <summary>Parses an ISO 8601 time; one without an offset is taken as UTC.</summary>
    public static DateTimeOffset? ParseTime(string? text, string option)
    {
        if (text is null) return null;
        if (DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset value))
        {
            return value;
        }
        throw new ToolException($"{option}: '{text}' is not an ISO 8601 time, e.g. 2026-11-21T10:00:00Z");
    }
}

/// <summary>Decides which events cat and export print.</summary>
internal sealed class EventFilter
{
    public EventFilter(MmapLevel? minimumLevel, DateTimeOffset? since, DateTimeOffset? until, string? grep)
    {
        MinimumLevel = minimumLevel;
        Since = since;
        Until = until;
        Grep = string.IsNullOrEmpty(grep) ? null : grep;
    }

    public MmapLevel? MinimumLevel { get; }
    public DateTimeOffset? Since { get; }
    public DateTimeOffset? Until { get; }
    public string? Grep { get; }

    /// <summary>True when <see cref="Matches(MmapEvent)"/> needs the rendered message, not just the level and time.</summary>
    public bool NeedsMessage => Grep is not null;

    /// <summary>
    /// <see cref="Matches(MmapEvent)"/> for a filter without <see cref="Grep"/>, from a record's level and UTC
    /// ticks (an event's timestamp is that instant, whatever its offset).
    /// </summary>
    public bool Matches(MmapLevel level, long utcTicks)
    {
        if (MinimumLevel is { } min && level < min) return false;
        if (Since is { } since && utcTicks < since.UtcTicks) return false;
        if (Until is { } until && utcTicks >= until.UtcTicks) return false;
        return true;
    }

    public bool Matches(MmapEvent evt)
    {
        if (MinimumLevel is { } min && evt.Level < min) return false;
        if (Since is { } since && evt.Timestamp < since) return false;
        if (Until is { } until && evt.Timestamp >= until) return false;
        if (Grep is { } grep && !Output.SafeRender.MessageContains(evt, grep)) return false;
        return true;
    }
}
