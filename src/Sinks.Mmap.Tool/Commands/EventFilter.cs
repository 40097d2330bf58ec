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
        Description = "Only events at or after this time: ISO 8601 (local time unless it has an offset, or --utc), a time ago (30s, 15m, 2h, 1d, 1w), now, today or yesterday.",
    };

    public Option<string?> Until { get; } = new("--until")
    {
        Description = "Only events before this time (as --since).",
    };

    public Option<bool> Utc { get; } = new("--utc")
    {
        Description = "Read --since/--until times without an offset, today and yesterday in UTC instead of local time.",
    };

    public Option<string?> Where { get; } = new("--where", "-w")
    {
        Description = "Only events for which this Serilog.Expressions filter is true, e.g. \"@l = 'Error' and OrderId = 1001\", \"StartsWith(SourceContext, 'Shop.')\", \"Has(@x)\".",
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
        command.Options.Add(Utc);
        command.Options.Add(Grep);
        command.Options.Add(Where);
    }

    public EventFilter Build(ParseResult result, ToolContext context)
    {
        bool utc = result.GetValue(Utc);
        DateTimeOffset now = context.Now();
        return new EventFilter(
            ParseLevel(result.GetValue(Level)),
            ParseTime(result.GetValue(Since), "--since", utc, context.TimeZone, now),
            ParseTime(result.GetValue(Until), "--until", utc, context.TimeZone, now),
            result.GetValue(Grep),
            result.GetValue(Where) is { } where ? WhereFilter.Compile(where) : null);
    }

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

    /// <summary>A level as Serilog names it (<c>Error</c>), as <c>@l</c> compares with it; null for any other text.</summary>
    public static MmapLevel? TryParseSerilogLevel(string text) => text switch
    {
        "Verbose" => MmapLevel.Verbose,
        "Debug" => MmapLevel.Debug,
        "Information" => MmapLevel.Information,
        "Warning" => MmapLevel.Warning,
        "Error" => MmapLevel.Error,
        "Fatal" => MmapLevel.Fatal,
        _ => null,
    };

    /// <summary>Parses a time (see <see cref="TimeArgument"/>).</summary>
    public static DateTimeOffset? ParseTime(string? text, string option, bool utc, TimeZoneInfo zone, DateTimeOffset now) =>
        text is null ? null : TimeArgument.Parse(text, option, utc, zone, now);
}

/// <summary>Decides which events cat and export print.</summary>
internal sealed class EventFilter
{
    public EventFilter(MmapLevel? minimumLevel, DateTimeOffset? since, DateTimeOffset? until, string? grep, WhereFilter? where = null)
    {
        MinimumLevel = where?.MinimumLevel is { } whereLevel && (minimumLevel is null || whereLevel > minimumLevel) ? whereLevel : minimumLevel;
        Since = since;
        Until = until;
        Grep = string.IsNullOrEmpty(grep) ? null : grep;
        Where = where;
        _sinceTicks = since?.UtcTicks ?? long.MinValue;
        _untilTicks = until?.UtcTicks ?? long.MaxValue;
    }

    private readonly long _sinceTicks;
    private readonly long _untilTicks;

    /// <summary>The --where filter, or null.</summary>
    public WhereFilter? Where { get; }

    /// <summary>True when an event stamped <paramref name="utcTicks"/> lies outside --since/--until: it is skipped unread.</summary>
    public bool OutsideTime(long utcTicks) => utcTicks < _sinceTicks || utcTicks >= _untilTicks;

    public MmapLevel? MinimumLevel { get; }
    public DateTimeOffset? Since { get; }
    public DateTimeOffset? Until { get; }
    public string? Grep { get; }

    /// <summary>True when <see cref="Matches(MmapEvent)"/> needs the rendered message, not just the level and time.</summary>
    public bool NeedsMessage => Grep is not null || Where is not null;

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
        if (Where is { } where && !where.Matches(evt)) return false;
        return true;
    }
}
