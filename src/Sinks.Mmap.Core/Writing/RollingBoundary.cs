using System;
using System.Runtime.CompilerServices;

namespace Sinks.Mmap;

/// <summary>Where a <see cref="SegmentInterval"/> period ends: the instant the writer starts a new segment.</summary>
internal static class RollingBoundary
{
    /// <summary>
    /// The UTC instant at which the local-time period containing <paramref name="utcTicks"/> ends, or
    /// <see cref="long.MaxValue"/> (never) when that is past the calendar's end. Never throws: it runs
    /// on the logging thread in the middle of a rotation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long NextUtcTicks(SegmentInterval interval, long utcTicks, TimeZoneInfo zone)
    {
        if (interval == SegmentInterval.Infinite || utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return long.MaxValue;
        }
        try
        {
            DateTime local = TimeZoneInfo.ConvertTimeFromUtc(new DateTime(utcTicks, DateTimeKind.Utc), zone);
            DateTime next = interval switch
            {
                SegmentInterval.Year => new DateTime(local.Year, 1, 1).AddYears(1),
                SegmentInterval.Month => new DateTime(local.Year, local.Month, 1).AddMonths(1),
                SegmentInterval.Day => local.Date.AddDays(1),
                SegmentInterval.Hour => new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0).AddHours(1),
                _ => new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0).AddMinutes(1),
            };
            // A local time skipped by a DST jump has no UTC instant; move past the gap.
            while (zone.IsInvalidTime(next))
            {
                next = next.AddMinutes(15);
            }
            long end = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(next, DateTimeKind.Unspecified), zone).Ticks;
            // The conversion clamps at the calendar's end rather than throwing: a period that would end
            // after it never ends.
            return end > utcTicks ? end : long.MaxValue;
        }
        catch (ArgumentException)
        {
            // The period ends past 9999-12-31 (in local or UTC time): it never ends.
            return long.MaxValue;
        }
    }
}
