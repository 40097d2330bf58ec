using System;
using System.Collections.Generic;

namespace Sinks.Mmap.Tool.Commands;

/// <summary>
/// Events per time bucket by level, in bounded memory: counting starts at one-second buckets and moves to
/// the next coarser size whenever more than <see cref="MaxBuckets"/> are in use, so a year of log costs what
/// a minute does. Each size is a whole multiple of the one before, so coarsening is exact. Buckets are
/// aligned to UTC (a day bucket is a UTC day).
/// </summary>
internal sealed class TimeHistogram
{
    /// <summary>The bucket sizes, finest first, with the names <c>--bucket</c> takes.</summary>
    public static readonly (string Name, long Ticks)[] Sizes =
    {
        ("1s", TimeSpan.TicksPerSecond),
        ("10s", 10 * TimeSpan.TicksPerSecond),
        ("1m", TimeSpan.TicksPerMinute),
        ("5m", 5 * TimeSpan.TicksPerMinute),
        ("15m", 15 * TimeSpan.TicksPerMinute),
        ("1h", TimeSpan.TicksPerHour),
        ("6h", 6 * TimeSpan.TicksPerHour),
        ("1d", TimeSpan.TicksPerDay),
        ("7d", 7 * TimeSpan.TicksPerDay),
    };

    private const int MaxBuckets = 4096;

    private Dictionary<long, long[]> _buckets = new();
    private int _size;

    /// <summary>Counts one event stamped <paramref name="utcTicks"/> at level <paramref name="level"/> (0–5).</summary>
    public void Add(long utcTicks, int level)
    {
        long key = utcTicks / Sizes[_size].Ticks;
        if (!_buckets.TryGetValue(key, out long[]? counts))
        {
            if (_buckets.Count >= MaxBuckets && _size < Sizes.Length - 1)
            {
                Coarsen(_size + 1);
                Add(utcTicks, level);
                return;
            }
            _buckets.Add(key, counts = new long[6]);
        }
        counts[level]++;
    }

    private void Coarsen(int size)
    {
        long factor = Sizes[size].Ticks / Sizes[_size].Ticks;
        var coarse = new Dictionary<long, long[]>();
        foreach ((long key, long[] counts) in _buckets)
        {
            long target = key >= 0 ? key / factor : (key - factor + 1) / factor;
            if (!coarse.TryGetValue(target, out long[]? sum)) coarse.Add(target, sum = new long[6]);
            for (int i = 0; i < 6; i++) sum[i] += counts[i];
        }
        _buckets = coarse;
        _size = size;
    }

    /// <summary>The index in <see cref="Sizes"/> of a bucket name; null when it names none.</summary>
    public static int? SizeNamed(string name)
    {
        for (int i = 0; i < Sizes.Length; i++)
        {
            if (string.Equals(Sizes[i].Name, name.Trim(), StringComparison.OrdinalIgnoreCase)) return i;
        }
        return null;
    }

    /// <summary>
    /// The buckets, oldest first, every bucket between the first and the last included (empty ones too):
    /// of size <paramref name="size"/> when given (never finer than what was counted), else the finest
    /// size that needs at most <paramref name="maxBuckets"/>.
    /// </summary>
    public (string Size, List<(DateTimeOffset Start, long[] Counts)> Buckets) Buckets(int? size, int maxBuckets = 40)
    {
        int chosen = Math.Max(size ?? _size, _size);
        if (_buckets.Count > 0 && size is null)
        {
            long min = long.MaxValue, max = long.MinValue;
            foreach (long key in _buckets.Keys)
            {
                min = Math.Min(min, key);
                max = Math.Max(max, key);
            }
            long span = (max - min + 1) * Sizes[_size].Ticks;
            while (chosen < Sizes.Length - 1 && span / Sizes[chosen].Ticks >= maxBuckets) chosen++;
        }
        if (chosen != _size) Coarsen(chosen);
        var list = new List<(DateTimeOffset, long[])>();
        if (_buckets.Count == 0) return (Sizes[chosen].Name, list);
        long first = long.MaxValue, last = long.MinValue;
        foreach (long key in _buckets.Keys)
        {
            first = Math.Min(first, key);
            last = Math.Max(last, key);
        }
        // Every bucket in between, empty ones too (a gap in the log shows as a gap); at most 10 000 of them.
        last = Math.Min(last, first + 10_000);
        for (long key = first; key <= last; key++)
        {
            long ticks = Math.Clamp(key * Sizes[chosen].Ticks, 0, DateTime.MaxValue.Ticks);
            list.Add((new DateTimeOffset(ticks, TimeSpan.Zero), _buckets.TryGetValue(key, out long[]? counts) ? counts : new long[6]));
        }
        return (Sizes[chosen].Name, list);
    }
}
