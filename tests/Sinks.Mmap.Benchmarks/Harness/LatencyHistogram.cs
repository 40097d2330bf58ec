using System;
using System.Numerics;

namespace Sinks.Mmap.Benchmarks.Harness;

/// <summary>
/// Counts of durations in nanoseconds, log-linear: exact below 512 ns, then 256 buckets per power of
/// two (under 0.4 % error) up to 2^63. Preallocated; <see cref="Record"/> allocates nothing and takes
/// no lock (one thread records).
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Linear = 512;
    private const int SubBuckets = 256;
    private readonly long[] _counts = new long[Linear + 55 * SubBuckets];

    public long Count { get; private set; }
    public long Max { get; private set; }

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0) nanoseconds = 0;
        _counts[Index(nanoseconds)]++;
        Count++;
        if (nanoseconds > Max) Max = nanoseconds;
    }

    /// <summary>The smallest value v such that at least <paramref name="quantile"/> of the recorded values are at most v (a bucket's upper edge).</summary>
    public long Percentile(double quantile)
    {
        if (Count == 0) return 0;
        long rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(UpperEdge(i), Max);
        }
        return Max;
    }

    private static int Index(long v)
    {
        if (v < Linear) return (int)v;
        int msb = 63 - BitOperations.LeadingZeroCount((ulong)v);
        int shift = msb - 8;
        int top = (int)(v >> shift); // 256..511
        return Linear + (shift - 1) * SubBuckets + (top - SubBuckets);
    }

    private static long UpperEdge(int index)
    {
        if (index < Linear) return index;
        int shift = (index - Linear) / SubBuckets + 1;
        long top = (index - Linear) % SubBuckets + SubBuckets;
        return ((top + 1) << shift) - 1;
    }
}
