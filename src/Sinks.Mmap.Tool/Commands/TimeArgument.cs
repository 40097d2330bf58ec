using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>
/// Reads the times <c>--since</c> and <c>--until</c> take, as <c>journalctl</c> users expect: a time ago
/// (<c>15m</c>, <c>2h</c>, <c>1d</c>), the words <c>now</c>, <c>today</c> and <c>yesterday</c>, and ISO 8601
/// times, which without an offset are the local time of <see cref="ToolContext.TimeZone"/> (UTC with
/// <c>--utc</c>).
/// </summary>
internal static partial class TimeArgument
{
    [GeneratedRegex(@"^(\d{1,9})\s*(s|sec|m|min|h|d|w)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Ago();

    // An explicit offset ends the text: Z, +01, +0100 or +01:00.
    [GeneratedRegex(@"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$", RegexOptions.CultureInvariant)]
    private static partial Regex HasOffset();

    /// <summary>The instant <paramref name="text"/> names; a usage error naming <paramref name="option"/> when it names none.</summary>
    public static DateTimeOffset Parse(string text, string option, bool utc, TimeZoneInfo zone, DateTimeOffset now)
    {
        string value = text.Trim();
        TimeZoneInfo local = utc ? TimeZoneInfo.Utc : zone;
        Match ago = Ago().Match(value);
        if (ago.Success)
        {
            long count = long.Parse(ago.Groups[1].Value, CultureInfo.InvariantCulture);
            TimeSpan unit = ago.Groups[2].Value.ToLowerInvariant() switch
            {
                "s" or "sec" => TimeSpan.FromSeconds(1),
                "m" or "min" => TimeSpan.FromMinutes(1),
                "h" => TimeSpan.FromHours(1),
                "d" => TimeSpan.FromDays(1),
                _ => TimeSpan.FromDays(7),
            };
            // Further back than the year 1 (999999999w) is the start of time.
            if (count >= now.UtcTicks / unit.Ticks) return new DateTimeOffset(0, TimeSpan.Zero);
            return now.ToUniversalTime().AddTicks(-count * unit.Ticks);
        }
        switch (value.ToLowerInvariant())
        {
            case "now":
                return now;
            case "today":
                return Midnight(now, 0, local);
            case "yesterday":
                return Midnight(now, -1, local);
            case "tomorrow":
                return Midnight(now, 1, local);
        }
        if (HasOffset().IsMatch(value))
        {
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset exact)) return exact;
        }
        else if (DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.NoCurrentDateDefault, out DateTime clock))
        {
            if (clock.Date == DateTime.MinValue.Date && !value.StartsWith("0001", StringComparison.Ordinal))
            {
                // A time of day alone (10:00) is today's.
                clock = TimeZoneInfo.ConvertTime(now, local).DateTime.Date + clock.TimeOfDay;
            }
            return FromLocal(DateTime.SpecifyKind(clock, DateTimeKind.Unspecified), local);
        }
        throw new ToolException($"{option}: '{text}' is not a time; use an ISO 8601 time (2026-11-21T10:00, local unless it has an offset such as Z or +01:00, or --utc), a time ago (30s, 15m, 2h, 1d, 1w), now, today or yesterday");
    }

    /// <summary>The start of the day <paramref name="days"/> from today, in <paramref name="zone"/>.</summary>
    private static DateTimeOffset Midnight(DateTimeOffset now, int days, TimeZoneInfo zone)
    {
        DateTime today = TimeZoneInfo.ConvertTime(now, zone).DateTime.Date;
        return FromLocal(DateTime.SpecifyKind(today.AddDays(days), DateTimeKind.Unspecified), zone);
    }

    /// <summary>
    /// The instant a wall-clock time in <paramref name="zone"/> names. A time the clock showed twice (the
    /// hour repeated when summer time ends) is its first occurrence; a time the clock skipped (the hour
    /// lost when summer time starts) is read with the offset before the change, so it lands just after
    /// the change, as the clock would have shown had it not jumped (02:30 in Berlin on the day summer time
    /// starts is 01:30Z, 03:30 summer time).
    /// </summary>
    public static DateTimeOffset FromLocal(DateTime clock, TimeZoneInfo zone)
    {
        TimeSpan offset;
        if (zone.IsAmbiguousTime(clock))
        {
            offset = TimeSpan.MinValue;
            foreach (TimeSpan candidate in zone.GetAmbiguousTimeOffsets(clock))
            {
                if (candidate > offset) offset = candidate;
            }
        }
        else if (zone.IsInvalidTime(clock))
        {
            // Gaps last at most a few hours; three hours before, the offset is the one before the change.
            offset = zone.GetUtcOffset(clock.AddHours(-3));
        }
        else
        {
            offset = zone.GetUtcOffset(clock);
        }
        long utc = clock.Ticks - offset.Ticks;
        if (utc < 0 || utc > DateTime.MaxValue.Ticks) return new DateTimeOffset(Math.Clamp(utc, 0, DateTime.MaxValue.Ticks), TimeSpan.Zero);
        return new DateTimeOffset(utc, TimeSpan.Zero);
    }
}
